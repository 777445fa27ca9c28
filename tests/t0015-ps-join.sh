#!/bin/bash
# t0015: adding workers to a running local crawl.  A crawl of a 3,000-page
# site with one parser (and --delay 1, so it lasts a few seconds); `zscrape
# ps` lists it with its launcher PID and ipc:// address; `zscrape join`
# (no target: the only crawl here) adds two parsers that take part (their
# exit lines count pages parsed) and leave when the crawl ends; the output
# holds every page once.  `zscrape join` with a PID that is no crawl, and
# with no crawl running, is exit 2 with a message.
. "$(dirname "$0")/lib.sh"
require_bins

N=3000
nginx_start
gen_site $N

rc=0
"$ZSCRAPE" join 2>"$T/join0.err" || rc=$?
[ $rc = 2 ] || fail "join with no crawl running: exit $rc, want 2"
grep -q "no crawl running" "$T/join0.err" || fail "join: $(cat "$T/join0.err")"

spawn "$ZSCRAPE" crawl -q --depth 100 --parsers 1 --delay 1 --robots off \
    "$BASE/index.html" -o "$T/out.jsonl" 2>"$T/crawl.err"
LAUNCHER=$SPAWN_PID
wait_until 10 sh -c "'$ZSCRAPE' ps 2>/dev/null | grep -q '^$LAUNCHER	ipc://'" ||
    fail "zscrape ps does not list the crawl: $("$ZSCRAPE" ps 2>&1)"
"$ZSCRAPE" ps | sed 's/^/# ps: /'

rc=0
"$ZSCRAPE" join 999999999 2>"$T/join1.err" || rc=$?
[ $rc = 2 ] || fail "join with a bad PID: exit $rc, want 2"

wait_lines "$T/out.jsonl" 300 "$LAUNCHER" ||
    fail "the crawl ended before the join"
spawn "$ZSCRAPE" join --parsers 2 --log-level info 2>"$T/join.err"
JOIN=$SPAWN_PID
rc=0
wait "$LAUNCHER" || rc=$?
[ $rc = 0 ] || { tail -n 5 "$T/crawl.err" >&2; fail "crawl exit $rc"; }
wait_until 15 sh -c "! kill -0 $JOIN 2>/dev/null" ||
    fail "zscrape join still running 15 s after the crawl ended"
rc=0
wait "$JOIN" || rc=$?
assert_no_crash "$T/crawl.err" "$T/join.err"
[ $rc = 0 ] || { cat "$T/join.err" >&2; fail "join exit $rc"; }
parsed=$(sed -n 's/.*exit parsed=\([0-9]*\).*/\1/p' "$T/join.err" |
    paste -sd' ')
note "pages parsed by the two joined parsers: $parsed;" \
    "$(file_lines "$T/out.jsonl") records"
[ "$(echo "$parsed" | wc -w)" = 2 ] || fail "want two parser exit lines"
for n in $parsed; do
    [ "$n" -gt 0 ] || fail "a joined parser parsed nothing"
done
assert_pages_once "$T/out.jsonl"
