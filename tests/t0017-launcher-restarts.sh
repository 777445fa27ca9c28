#!/bin/bash
# t0017: the launcher restarts a worker that dies: at once when it had
# run a while (1 s or more), else with a back-off that doubles (1, 2, 4 s
# ...), and the back-off never holds the launcher once the crawl is over.  A crawl of 4 pages that each take 5 s, --parsers 2:
# for its first 4 s the test SIGKILLs the newest parser whenever there is
# more than one (the first stays), so at the end a restart is still
# waiting out its back-off.  Then:
#   - every page has its record, and the launcher said it restarted the
#     parser, with 1 s, then 2 s back-offs; the first parser, killed after
#     4 s, was restarted at once;
#   - the launcher exits within 1 s of its sink (it used to sleep the
#     whole back-off first: a crawl could end up to 32 s late).
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start '
        location /slow/ { default_type text/html; echo_sleep 5;
                          echo "<html><title>slow</title></html>"; }
'
for i in 1 2 3 4; do echo "$BASE/slow/$i"; done >"$T/seeds.txt"

# children COMM: the launcher's children whose command is COMM
children()
{
    local p
    for p in $(pgrep -P "$LAUNCHER" 2>/dev/null); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"
    done
    return 0
}

spawn "$ZSCRAPE" crawl -q --parsers 2 --seeds "$T/seeds.txt" \
    -o "$T/out.jsonl" 2>"$T/crawl.err"
LAUNCHER=$SPAWN_PID
wait_until 10 eval '[ -n "$(children zscrape-sink)" ]' ||
    fail "no sink under the launcher"
SINK=$(children zscrape-sink)
start=$(date +%s%3N)
kills=0
while [ $(($(date +%s%3N) - start)) -lt 4000 ]; do
    ps=$(children zscrape-parser | sort -n)
    if [ "$(echo "$ps" | grep -c .)" -gt 1 ]; then
        kill -KILL "$(echo "$ps" | tail -n 1)" 2>/dev/null &&
            kills=$((kills + 1))
    fi
    sleep 0.05
done
[ "$kills" -ge 2 ] || fail "only $kills parser kills in 4 s"
# the first parser has run 4 s: killed, it is restarted at once
first=$(children zscrape-parser | sort -n | head -n 1)
kill -KILL "$first"
wait_until 5 grep -q "parser (pid $first) killed by signal 9; restarting it\$" \
    "$T/crawl.err" || { cat "$T/crawl.err" >&2; fail "no restart at once"; }
# the sink's end, then the launcher's
wait_until 30 eval '! alive "$SINK"' || fail "the crawl did not end"
sink_end=$(date +%s%3N)
wait_until 30 eval '! alive "$LAUNCHER"' || fail "the launcher did not end"
lag=$(($(date +%s%3N) - sink_end))
rc=0
wait "$LAUNCHER" || rc=$?
note "$kills parser kills; the launcher ended $lag ms after its sink"
[ $rc = 0 ] || { cat "$T/crawl.err" >&2; fail "crawl exit $rc"; }
assert_no_crash "$T/crawl.err"
grep -q "parser (pid [0-9]*) killed by signal 9 right after its start; restarting it in 1s" \
    "$T/crawl.err" || { cat "$T/crawl.err" >&2; fail "no 1 s restart"; }
grep -q "restarting it in 2s" "$T/crawl.err" ||
    { cat "$T/crawl.err" >&2; fail "the back-off did not double"; }
[ "$lag" -lt 1000 ] ||
    fail "the launcher ended $lag ms after its sink, want < 1000"
records_py "$T/out.jsonl" '
if sorted(by_url) != sorted(l.strip() for l in open(args[0])) or len(recs) != 4:
    die("%d records, want the 4 pages once" % len(recs))
if any(r["title"] != "slow" for r in recs):
    die("a page without its title: %r" % recs)
' "$T/seeds.txt"
echo ok
