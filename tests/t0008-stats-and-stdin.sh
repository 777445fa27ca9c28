#!/bin/bash
# t0008: seeds from stdin (--seeds -), records on stdout (no -o), and
# --stats FILE: valid JSON whose counts agree with the records.
. "$(dirname "$0")/lib.sh"
require_bins

python3 "$ROOT/tests/gen-pages.py" "$T/www/s" 20 --links 1
nginx_start
{
    echo "# twenty pages and two missing ones"
    for i in $(seq 20); do
        printf '%s/s/%04d.html\n' "$BASE" "$i"
    done
    echo
    echo "$BASE/s/missing-1.html"
    echo "$BASE/s/missing-2.html"
} >"$T/seeds.txt"

rc=0
timeout -k 5 "$ZS_LIMIT" "$ZSCRAPE" crawl --seeds - --stats "$T/stats.json" \
    -q --retries 0 <"$T/seeds.txt" >"$T/out.jsonl" 2>"$T/stderr" || rc=$?
assert_no_crash "$T/stderr"
if [ $rc != 0 ]; then
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
fi
n=$(count_records "$T/out.jsonl")
assert_eq "$n" 22 "records on stdout"
records_py "$T/out.jsonl" '
ok = sum(1 for r in recs if r["error"] is None and r["status"] == 200)
http = sum(1 for r in recs if r["error"] == "http" and r["status"] == 404)
if (ok, http) != (20, 2):
    die("%d good and %d http-error records, want 20 and 2" % (ok, http))
'
[ -s "$T/stats.json" ] || fail "--stats file missing or empty"

# The stats' key names are the sink's to choose; the test asks only that
# the file is one JSON object, that some count equals the number of
# records (22), and that counts named like errors and successes, where
# present, say 2 and 20.
python3 - "$T/stats.json" <<'PY' || fail "stats do not agree with the records"
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit("stats file is not JSON: %s" % e)
if not isinstance(s, dict):
    sys.exit("stats file is not a JSON object")
flat = {}
def walk(o, pre):
    for k, v in o.items():
        if isinstance(v, dict):
            walk(v, pre + k + ".")
        elif isinstance(v, int) and not isinstance(v, bool):
            flat[pre + k] = v
walk(s, "")
print("# stats: %s" % json.dumps(s)[:400], file=sys.stderr)
def last(k):
    return k.rsplit(".", 1)[-1].lower()
totals = [k for k in flat if last(k) in ("records", "urls", "total", "done",
          "written", "pages", "dispatched", "finished", "completed")]
goods = [flat[k] for k in flat if last(k) in ("ok", "succeeded", "success",
         "successes", "pages", "pages_ok")]
bads = [flat[k] for k in flat if last(k) in ("errors", "error", "failed",
        "failures")]
if not any(flat[k] == 22 for k in totals) and \
        not any(g + b == 22 for g in goods for b in bads):
    sys.exit("no total count equal to 22 among %s"
             % {k: flat[k] for k in totals})
for k in flat:
    if last(k) in ("errors", "error", "failed", "failures") and flat[k] != 2:
        sys.exit("%s = %d, want 2" % (k, flat[k]))
    if last(k) in ("ok", "succeeded", "success", "successes") and flat[k] != 20:
        sys.exit("%s = %d, want 20" % (k, flat[k]))
PY
[ -z "$(runtime_dirs_left)" ] ||
    fail "runtime folder left: $(runtime_dirs_left)"
# the contract's record shape, last: the checks above say more
check_records "$T/out.jsonl"
