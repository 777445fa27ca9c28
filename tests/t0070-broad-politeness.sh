#!/bin/bash
# t0070: politeness is the crawl's, across fetchers (issue #12).  The broad
# site of tests/gen-broad.py, smaller than the issue's 500 x 20 to keep the
# test near a minute (100 hosts hN.localhost x 8 pages, 3 links to the
# own host and 25 to others a page; about half the pages reachable from
# h0's p0), served by one nginx for every host name (lib.sh's
# nginx_start_hosts: pages 0.1 s late, robots.txt at once, an access log
# of $host $msec $request_time).  Crawled with --depth 50 --scope any:
#   polite  --per-host 1 --delay 1000
#   paced   --per-host 2 --delay 300
# each with --fetchers 1 and --fetchers 3, and then (when network
# namespaces can be made) with two fetcher hosts: zscrape-cluster with the
# sink and two parsers in one namespace, a fetcher in each of two others,
# nginx in a fourth (there the hosts are hN.zsPID.test, which the
# fetcher hosts resolve to nginx's address through /etc/netns/NS/hosts,
# since *.localhost is the loopback to libcurl; nginx's $remote_addr
# tells the hosts apart, and both must have fetched).  For each run, tests/politeness.py checks
# nginx's log: no host ever has more than --per-host requests at once, a
# host's request starts are at least --delay apart (5 ms tolerance),
# robots.txt is fetched once per host, first.  And the records are the
# reachable pages, each exactly once, status 200, titled "hN pK".  Every
# run is made and judged for politeness before the test fails, so a
# failure lists every run that broke the contract (a wrong record fails
# at once).  politeness.py's own self-test runs first (it must tell a
# violation from none), and the model of scripts/bench/broad_bound.py
# must pass it too (its bound is noted beside each run's time).
. "$(dirname "$0")/lib.sh"
require_bins

HOSTS=${T0070_HOSTS:-100}
PAGES=${T0070_PAGES:-8}
SETTINGS=("polite 1 1000" "paced 2 300")
LOG=$T/nginx/access.log

python3 "$ROOT/tests/politeness.py" --self-test >"$T/selftest.log" 2>&1 ||
    { cat "$T/selftest.log" >&2; fail "politeness.py --self-test failed"; }

# site: the broad site for nginx's port ($T/reach.txt: its reachable URLs),
# SEED; the bound of each setting in BOUND, after checking the
# model's own schedule (no tolerance)
declare -A BOUND=()
site()
{
    local set name ph delay
    python3 "$ROOT/tests/gen-broad.py" "$T/www" --port "$NGINX_PORT" \
        --hosts "$HOSTS" --pages "$PAGES" --list "$T/reach.txt" \
        --domain "${DOMAIN:-localhost}" \
        >"$T/gen.txt" || fail "gen-broad.py failed"
    SEED=$(head -n1 "$T/reach.txt")
    for set in "${SETTINGS[@]}"; do
        read -r name ph delay <<<"$set"
        BOUND[$name]=$(python3 "$ROOT/scripts/bench/broad_bound.py" \
            "$T/www" "$SEED" --per-host "$ph" --delay "$delay" \
            --schedule "$T/model.log" |
            sed 's/.*bound_s=\([0-9.]*\).*/\1/') ||
            fail "broad_bound.py failed"
        python3 "$ROOT/tests/politeness.py" "$T/model.log" --per-host "$ph" \
            --delay "$delay" --tolerance-ms 0 >"$T/model.polite" 2>&1 ||
            { cat "$T/model.polite" >&2
              fail "broad_bound.py's schedule is not polite"; }
    done
}

failures=()

# judge NAME SETTING PER_HOST DELAY WHO RC MS: the run's politeness (into
# failures) and its records (fail at once)
judge()
{
    local name=$1 set=$2 ph=$3 delay=$4 who=$5 rc=$6 ms=$7 o=$T/$1.jsonl
    local head
    assert_no_crash "$T/$name.err"
    cp "$LOG" "$T/$name.access.log"
    if [ "$rc" != 0 ]; then
        tail -n 5 "$T/$name.err" >&2
        failures+=("$name: crawl exited $rc")
        return
    fi
    head="$name ($who, --per-host $ph --delay $delay): ${ms} ms (bound"
    head="$head ${BOUND[$set]} s), $(count_records "$o") records"
    if python3 "$ROOT/tests/politeness.py" "$T/$name.access.log" \
            --per-host "$ph" --delay "$delay" --show 5 \
            >"$T/$name.polite" 2>&1; then
        note "$head; polite"
    else
        note "$head; NOT polite:"
        sed 's/^/#   /' "$T/$name.polite" >&2
        failures+=("$name: $(grep '^politeness: VIOLATION' "$T/$name.polite" |
            sed 's/politeness: VIOLATION //; s/:$//' | paste -sd ';')")
    fi
    # every reachable page once, 200, with its own title; nothing else
    every_url_once "$o" "$T/reach.txt" ""
    records_py "$o" '
for r in recs:
    m = re.match(r"^http://h(\d+)\.[a-z0-9.]+:\d+/p(\d+)\.html$", r["url"])
    if not m or r["title"] != "h%s p%s" % m.groups():
        die("%s: title %r" % (r["url"], r["title"]))
'
    check_records "$o"
}

# crawl NAME SETTING PER_HOST DELAY FETCHERS: one crawl on this host
crawl()
{
    local rc=0 start
    : >"$LOG"       # nginx appends (O_APPEND): the log is this run's
    start=$(date +%s%3N)
    zs crawl --depth 50 --scope any --per-host "$3" --delay "$4" \
        --fetchers "$5" -q -o "$T/$1.jsonl" "$SEED" >"$T/$1.out" \
        2>"$T/$1.err" || rc=$?
    judge "$1" "$2" "$3" "$4" "$5 fetcher(s)" $rc $(($(date +%s%3N) - start))
}

nginx_start_hosts
site
note "site: $(cat "$T/gen.txt")"
for set in "${SETTINGS[@]}"; do
    read -r name ph delay <<<"$set"
    crawl "$name-f1" "$name" "$ph" "$delay" 1
    crawl "$name-f3" "$name" "$ph" "$delay" 3
done
runs=4

# ---------------------------------------------------------------- netns
# two fetcher hosts: namespaces web (nginx), coord (the sink, 2 parsers),
# fetch1 and fetch2 (a fetcher each); where namespaces can be made and
# entered (not in a chroot)
probe=no
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
        ip netns add "zsprobe$$" 2>/dev/null; then
    ip -n "zsprobe$$" link show lo >/dev/null 2>&1 && probe=yes
    ip netns del "zsprobe$$"
fi
if [ $probe = yes ]; then
    declare -A IP=([web]=10 [coord]=1 [fetch1]=11 [fetch2]=12)
    netns_lan web=10 coord=1 fetch1=11 fetch2=12
    P=$NETNS_P
    nginx_stop
    nginx_start_hosts "$NETNS_NET.${IP[web]}" "${P}web"
    # names of their own: the fetcher hosts resolve them to nginx's
    # address through /etc/netns/NS/hosts (ip netns exec mounts it on
    # /etc/hosts), so every request goes straight to nginx
    DOMAIN=zs$$.test
    rm -rf "${T:?}/www/"*
    site                # the links carry nginx's new port and the names
    for h in fetch1 fetch2; do
        mkdir -p "/etc/netns/$P$h"
        at_exit "rm -rf /etc/netns/$P$h"
        { echo "127.0.0.1 localhost"
          for ((i = 0; i < HOSTS; i++)); do
              echo "$NETNS_NET.${IP[web]} h$i.$DOMAIN"
          done; } >"/etc/netns/$P$h/hosts"
    done
    printf '%s\n' "sink ${P}coord $NETNS_NET.${IP[coord]}" \
        "fetcher ${P}fetch1" "fetcher ${P}fetch2" "parser ${P}coord 2" \
        >"$T/cluster.hosts"
    export ZSCRAPE_RSH="ip netns exec"
    for set in "${SETTINGS[@]}"; do
        read -r name ph delay <<<"$set"
        : >"$LOG"
        rc=0
        start=$(date +%s%3N)
        timeout -k 5 "$ZS_LIMIT" "$ROOT/scripts/zscrape-cluster" \
            "$T/cluster.hosts" --zscrape "$ROOT/scripts/zscrape" \
            --depth 50 --scope any --per-host "$ph" --delay "$delay" \
            -o "$T/$name-netns.jsonl" "$SEED" >"$T/$name-netns.out" \
            2>"$T/$name-netns.err" || rc=$?
        judge "$name-netns" "$name" "$ph" "$delay" "2 fetcher hosts" $rc \
            $(($(date +%s%3N) - start))
        # both fetcher hosts fetched (nginx sees each by its address)
        for h in fetch1 fetch2; do
            n=$(awk -v a="$NETNS_NET.${IP[$h]}" '$6 == a' \
                "$T/$name-netns.access.log" | wc -l)
            [ "$n" -gt 0 ] || fail "$name-netns: no request from $h"
            note "  $h: $n requests"
        done
        runs=$((runs + 1))
    done
else
    note "two fetcher hosts: skipped (network namespaces cannot be made" \
        "or entered here: not root, no ip, or a chroot)"
fi

if [ ${#failures[@]} -gt 0 ]; then
    for m in "${failures[@]}"; do
        echo "# failed: $m" >&2
    done
    fail "${#failures[@]} of $runs runs broke the contract (see above)"
fi
