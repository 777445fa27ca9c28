#!/bin/bash
# t0070: politeness is the crawl's, across fetchers (issue #12).  The broad
# site of tests/gen-broad.py, smaller than the issue's 500 x 20 to keep the
# test under a minute (100 hosts hN.localhost x 8 pages, 3 links to the
# own host and 25 to others a page; about half the pages reachable from
# h0's p0), served by one nginx for every host name (lib.sh's
# nginx_start_hosts: pages 0.1 s late, robots.txt at once, an access log
# of $host $msec $request_time).  Crawled with --depth 50 --scope any:
#   polite  --per-host 1 --delay 1000
#   paced   --per-host 2 --delay 300
# each with --fetchers 1 and --fetchers 3.  For each run, tests/politeness.py
# checks nginx's log: no host ever has more than --per-host requests at
# once, a host's request starts are at least --delay apart (5 ms
# tolerance), robots.txt is fetched once per host, first.  And the records
# are the reachable pages, each exactly once, status 200, titled "hN pK".
# Every run is made and judged for politeness before the test fails, so
# a failure lists every run that broke the contract (a wrong record fails
# at once).  politeness.py's own self-test runs
# first (it must tell a violation from none).
. "$(dirname "$0")/lib.sh"
require_bins

HOSTS=${T0070_HOSTS:-100}
PAGES=${T0070_PAGES:-8}

python3 "$ROOT/tests/politeness.py" --self-test >"$T/selftest.log" 2>&1 ||
    { cat "$T/selftest.log" >&2; fail "politeness.py --self-test failed"; }

nginx_start_hosts
python3 "$ROOT/tests/gen-broad.py" "$T/www" --port "$NGINX_PORT" \
    --hosts "$HOSTS" --pages "$PAGES" --list "$T/reach.txt" >"$T/gen.txt" ||
    fail "gen-broad.py failed"
note "site: $(cat "$T/gen.txt")"
SEED=$(head -n1 "$T/reach.txt")
WANT=$(wc -l <"$T/reach.txt")
LOG=$T/nginx/access.log

# the schedule bound of this site (scripts/bench/broad_bound.py), for
# the notes; the model's own schedule must pass the checker, untolerant
declare -A BOUND=()
for set in "1 1000" "2 300"; do
    read -r ph delay <<<"$set"
    BOUND[$set]=$(python3 "$ROOT/scripts/bench/broad_bound.py" "$T/www" \
        "$SEED" --per-host "$ph" --delay "$delay" \
        --schedule "$T/model.log" | sed 's/.*bound_s=\([0-9.]*\).*/\1/') ||
        fail "broad_bound.py failed"
    python3 "$ROOT/tests/politeness.py" "$T/model.log" --per-host "$ph" \
        --delay "$delay" --tolerance-ms 0 >"$T/model.polite" 2>&1 ||
        { cat "$T/model.polite" >&2; fail "the model's schedule is not polite"; }
done

failures=()

# crawl NAME PER_HOST DELAY FETCHERS: one crawl of the site, judged
crawl()
{
    local name=$1 ph=$2 delay=$3 f=$4 rc=0 start ms o=$T/$1.jsonl
    : >"$LOG"       # nginx appends (O_APPEND): the log is this run's
    start=$(date +%s%3N)
    zs crawl --depth 50 --scope any --per-host "$ph" --delay "$delay" \
        --fetchers "$f" -q -o "$o" "$SEED" >"$T/$name.out" \
        2>"$T/$name.err" || rc=$?
    ms=$(($(date +%s%3N) - start))
    assert_no_crash "$T/$name.err"
    cp "$LOG" "$T/$name.access.log"
    if [ $rc != 0 ]; then
        tail -n 5 "$T/$name.err" >&2
        failures+=("$name: crawl exited $rc")
        return
    fi
    if python3 "$ROOT/tests/politeness.py" "$T/$name.access.log" \
            --per-host "$ph" --delay "$delay" --show 5 \
            >"$T/$name.polite" 2>&1; then
        note "$name ($f fetcher(s), --per-host $ph --delay $delay):" \
             "${ms} ms (bound ${BOUND[$ph $delay]} s)," \
             "$(count_records "$o") records; polite"
    else
        note "$name ($f fetcher(s), --per-host $ph --delay $delay):" \
             "${ms} ms (bound ${BOUND[$ph $delay]} s)," \
             "$(count_records "$o") records; NOT polite:"
        sed 's/^/#   /' "$T/$name.polite" >&2
        failures+=("$name: $(grep -c '^politeness: VIOLATION' \
            "$T/$name.polite") kinds of violation ($(grep '^politeness: VIOLATION' \
            "$T/$name.polite" | sed 's/politeness: VIOLATION //; s/:$//' |
            paste -sd ';'))")
    fi
    # every reachable page once, 200, with its own title; nothing else
    every_url_once "$o" "$T/reach.txt" ""
    records_py "$o" '
for r in recs:
    m = re.match(r"^http://h(\d+)\.localhost:\d+/p(\d+)\.html$", r["url"])
    if not m or r["title"] != "h%s p%s" % m.groups():
        die("%s: title %r" % (r["url"], r["title"]))
'
    check_records "$o"
}

note "$WANT pages reachable from $SEED"
crawl polite-f1 1 1000 1
crawl polite-f3 1 1000 3
crawl paced-f1 2 300 1
crawl paced-f3 2 300 3

if [ ${#failures[@]} -gt 0 ]; then
    for m in "${failures[@]}"; do
        echo "# failed: $m" >&2
    done
    fail "${#failures[@]} of 4 runs broke the contract (see above)"
fi
