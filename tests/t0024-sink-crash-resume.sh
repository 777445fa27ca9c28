#!/bin/bash
# t0024: the sink dies (SIGKILL) in the middle of a crawl of a 20,000-page
# site with --state DIR -o out.jsonl; the launcher notices, stops every
# other process and removes its runtime folder; rerunning the same command
# resumes.  Twice: the sink is killed 2,000-8,000 records into the first
# run, and again 1,000-4,000 records into the first resume; the second
# resume finishes.
# Then the output file holds each of the 20,000 URLs exactly once, all
# 200, whole lines only; and the server saw few pages twice: only what was
# in flight or not yet written when the sink died.  A page fetched before
# the crash whose record did not reach the output is fetched again on
# resume; that is at most the dispatch window (fetchers x (concurrency +
# 128) = 384 here) plus the records of the last journal sync interval
# (--sync interval: 1 s, a few thousand records at this speed).  The
# bound asserted is < 3,000 refetched pages per crash; the numbers
# measured are reported.
. "$(dirname "$0")/lib.sh"
require_bins

N=20000
site_on_tmpfs
nginx_start
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt"
ARGS=(crawl -q --depth 1000 "$BASE/index.html" --state "$T/state"
      -o "$T/out.jsonl" --retries 0 --stats "$T/stats.json")

# proc_id PID: "PID:STARTTIME", unique even when PIDs are reused
proc_id()
{
    local st
    st=$(cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null) || return 0
    echo "$1:$st"
}

still_alive()
{
    local id
    for id in "$@"; do
        [ "$(proc_id "${id%%:*}")" = "$id" ] && echo "$id"
    done
    return 0
}

# crash_run K LO HI: run the crawl and kill its sink once LO to HI
# (random) new records are in the output, then check that everything went
# away.  Counting records rather than seconds: a faster machine must not
# finish the crawl before the kill.
crash_run()
{
    local k=$1 lo=$2 hi=$3 launcher sink ids='' p rc=0 delay left n n0
    : >"$T/nginx/access.log"
    n0=$(file_lines "$T/out.jsonl")
    spawn "$ZSCRAPE" "${ARGS[@]}" 2>"$T/run$k.err"
    launcher=$SPAWN_PID
    delay=$(rand_int "$lo" "$hi")
    wait_lines "$T/out.jsonl" $((n0 + delay)) "$launcher" || true
    delay="$delay new records"
    kill -0 "$launcher" 2>/dev/null ||
        fail "run $k: the crawl ended before the kill (${delay})"
    sink=
    for p in $(pgrep -P "$launcher"); do
        ids="$ids $(proc_id "$p")"
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = zscrape-sink ] && sink=$p
    done
    [ -n "$sink" ] || fail "run $k: no zscrape-sink child of the launcher"
    kill -KILL "$sink"
    n=$(grep -c . "$T/out.jsonl" || true)
    note "run $k: killed the sink $sink after ${delay};" \
        "$n lines in the output"
    for _ in $(seq 150); do
        kill -0 "$launcher" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$launcher" 2>/dev/null &&
        fail "run $k: the launcher still runs 15 s after its sink died"
    wait "$launcher" || rc=$?
    note "run $k: the launcher exited $rc"
    [ $rc != 0 ] || fail "run $k: the launcher exited 0 after its sink died"
    for _ in $(seq 30); do
        # shellcheck disable=SC2086
        [ -z "$(still_alive $ids)" ] && break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    left=$(still_alive $ids)
    if [ -n "$left" ]; then
        for p in $left; do
            ps -o pid=,ppid=,stat=,args= -p "${p%%:*}" >&2 || true
        done
        fail "run $k: processes left after the sink died"
    fi
    [ -z "$(runtime_dirs_left)" ] ||
        fail "run $k: runtime folder left: $(runtime_dirs_left)"
    assert_no_crash "$T/run$k.err"
    cp "$T/nginx/access.log" "$T/access$k.log"
    if [ -s "$T/out.jsonl" ] && [ "$(tail -c 1 "$T/out.jsonl" | od -An -c |
            tr -d ' ')" != '\n' ]; then
        note "run $k: the output ends in a torn line (the resume cuts it)"
    fi
}

crash_run 1 2000 8000
crash_run 2 1000 4000

# the last run: to the end
: >"$T/nginx/access.log"
rc=0
zs "${ARGS[@]}" >"$T/run3.out" 2>"$T/run3.err" || rc=$?
assert_no_crash "$T/run3.err"
if [ $rc != 0 ]; then
    tail -n 10 "$T/run3.err" >&2
    fail "run 3 (resume): exit $rc, want 0"
fi
cp "$T/nginx/access.log" "$T/access3.log"

check_records "$T/out.jsonl"
check_site_records "$T/out.jsonl" "$BASE" "$T/pages.txt"

# refetches: pages run k asked for that an earlier run had asked for
page_requests "$T/access1.log" | sort >"$T/req1"
page_requests "$T/access2.log" | sort >"$T/req2"
page_requests "$T/access3.log" | sort >"$T/req3"
for f in req1 req2 req3; do
    n=$(uniq -d "$T/$f" | wc -l)
    [ "$n" = 0 ] || fail "$f: $n pages requested twice within one run"
done
again2=$(comm -12 "$T/req1" "$T/req2" | wc -l)
sort -u "$T/req1" "$T/req2" >"$T/req12"
again3=$(comm -12 "$T/req12" "$T/req3" | wc -l)
note "requests: run 1 $(wc -l <"$T/req1"), run 2 $(wc -l <"$T/req2")," \
    "run 3 $(wc -l <"$T/req3"); fetched again: $again2 after crash 1," \
    "$again3 after crash 2"
total=$(cat "$T/req1" "$T/req2" "$T/req3" | sort -u | wc -l)
assert_eq "$total" "$N" "distinct pages requested over the three runs"
[ "$again2" -lt 3000 ] ||
    fail "$again2 pages fetched again after crash 1, want < 3000"
[ "$again3" -lt 3000 ] ||
    fail "$again3 pages fetched again after crash 2, want < 3000"
