#!/bin/bash
# t0016: a fetcher that serves the parsers of its own host.  A sink on tcp
# (loopback), one fetcher started with --serve-parsers tcp://127.0.0.1:P,
# two parsers with --pages-from it: the crawl of a 2,000-page site
# completes with every page once, and the bodies never went through the
# sink: its stats count no page bytes through its streamer, only the
# dispatch and the records.  The stats hold each worker's last counter
# report, and they add up to the records.  A parser with a bad --pages-from is exit 2.
. "$(dirname "$0")/lib.sh"
require_bins

N=2000
nginx_start
gen_site $N
rc=0
"$ZSCRAPE" parser --coordinator ipc://x --pages-from http://x \
    2>"$T/bad.err" || rc=$?
[ $rc = 2 ] || fail "parser --pages-from http://x: exit $rc, want 2"

PORT=$(free_ports 7)
COORD=tcp://127.0.0.1:$PORT
LOCAL=tcp://127.0.0.1:$((PORT + 6))
spawn "$ZSCRAPE" sink --bind "$COORD" --depth 100 --stats "$T/stats.json" \
    -o "$T/out.jsonl" "$BASE/index.html" 2>"$T/sink.err"
SINK=$SPAWN_PID
spawn "$ZSCRAPE" fetcher --coordinator "$COORD" --serve-parsers "$LOCAL" \
    --log-level info 2>"$T/fetcher.err"
for i in 1 2; do
    spawn "$ZSCRAPE" parser --coordinator "$COORD" --pages-from "$LOCAL" \
        --log-level info 2>"$T/parser$i.err"
done
rc=0
wait "$SINK" || rc=$?
[ $rc = 0 ] || { tail -n 5 "$T/sink.err" >&2; fail "sink exit $rc"; }
assert_no_crash "$T"/*.err
grep -q "pages=$LOCAL" "$T/fetcher.err" ||
    fail "the fetcher does not say it serves its parsers"
assert_pages_once "$T/out.jsonl"
python3 - "$T/stats.json" $N <<'PY' || fail "stats check failed"
import json, sys
st = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
# every worker's last report reached the stats: one fetcher, two parsers,
# their counts add up to the records
procs = st["processes"]
roles = sorted(p["role"] for p in procs)
if roles != ["fetcher", "parser", "parser"]:
    sys.exit("processes %s, want a fetcher and two parsers" % roles)
fetched = sum(p.get("fetched", 0) for p in procs)
parsed = sum(p.get("parsed", 0) for p in procs)
print("# processes: %s" % json.dumps(procs))
if fetched != n or parsed != n or st["records"] != n:
    sys.exit("fetched %d, parsed %d, records %d, want %d"
             % (fetched, parsed, st["records"], n))
for p in procs:
    if p["cpu_ms"] < 0 or p["peak_rss_kb"] <= 0:
        sys.exit("bad counters %s" % p)
w = st["wire"]
print("# wire bytes: %s" % json.dumps(w))
if w["pages_bytes"] != 0:
    sys.exit("%d page bytes went through the sink" % w["pages_bytes"])
if w["results_bytes"] <= 0 or w["dispatch_bytes"] <= 0:
    sys.exit("no dispatch or result bytes counted")
PY
