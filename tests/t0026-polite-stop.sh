#!/bin/bash
# t0026: Ctrl-C during a polite crawl waits only for the transfers under
# way.  A 20-page site on one host crawled with --delay 300 --state DIR:
# at any time most URLs wait for their host's turn in the sink.  SIGINT
# once 3 records are out: the launcher must exit 0 within 2 s (the grace
# is 30 s: the URLs waiting for their turn are not waited for, they stay
# in the journal), and say how many stay queued; the same command again
# finishes the crawl.  Over the two runs every page has one record and
# nginx was asked for each page once.
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start
gen_site 20
ARGS=(crawl -q --depth 100 --delay 300 --robots off --log-level info
      --state "$T/state" -o "$T/out.jsonl" "$BASE/index.html")

spawn "$ZSCRAPE" "${ARGS[@]}"  2>"$T/run1.err"
LAUNCHER=$SPAWN_PID
wait_lines "$T/out.jsonl" 3 "$LAUNCHER" ||
    fail "the crawl ended before 3 records"
kill -INT "$LAUNCHER"
start=$(date +%s%3N)
rc=0
wait "$LAUNCHER" || rc=$?
ms=$(($(date +%s%3N) - start))
assert_no_crash "$T/run1.err"
[ $rc = 0 ] || { tail -n 5 "$T/run1.err" >&2; fail "run 1: exit $rc"; }
n1=$(file_lines "$T/out.jsonl")
note "SIGINT at 3 records: the launcher exited after $ms ms with $n1" \
    "records"
[ "$ms" -lt 2000 ] ||
    fail "the launcher took $ms ms after SIGINT, want < 2000 (it waited" \
        "for URLs that were only waiting for their host's delay)"
[ "$n1" -lt 20 ] || fail "run 1 finished the crawl: nothing to resume"
grep -q "queued stay in the journal" "$T/run1.err" ||
    fail "the sink did not say what stays queued"
rc=0
zs "${ARGS[@]}" 2>"$T/run2.err" || rc=$?
assert_no_crash "$T/run2.err"
[ $rc = 0 ] || { tail -n 5 "$T/run2.err" >&2; fail "run 2: exit $rc"; }
assert_pages_once "$T/out.jsonl"
dup=$(page_requests "$T/nginx/access.log" | sort | uniq -d | head -n 3)
[ -z "$dup" ] || fail "pages requested twice over the two runs: $dup"
