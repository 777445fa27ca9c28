#!/bin/bash
# t0003: 200 URLs that each take the server 1 s finish in well under 10 s
# with --concurrency 256 --per-host 256: the fetcher really runs transfers
# in parallel (one at a time would take 200 s).  Then --per-host 1
# --delay 10 over 100 fast pages keeps the gap and no more.
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start '
        location /slow/ { echo_sleep 1;
                          echo "<html><title>slow</title></html>";
                          default_type text/html; }
'
for i in $(seq 200); do
    echo "$BASE/slow/$i"
done >"$T/seeds.txt"

start=$(date +%s%3N)
zs crawl --seeds "$T/seeds.txt" -o "$T/out.jsonl" -q --concurrency 256 \
    --per-host 256 --timeout 30 >"$T/stdout" 2>"$T/stderr" || {
    rc=$?
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
}
ms=$(($(date +%s%3N) - start))
assert_no_crash "$T/stderr"
records_py "$T/out.jsonl" '
base = args[0]
want = {"%s/slow/%d" % (base, i) for i in range(1, 201)}
got = Counter(r["url"] for r in recs)
if len(recs) != 200 or set(got) != want:
    die("%d records for %d URLs, want 200: missing %s, extra %s" % (
        len(recs), len(got), sorted(want - set(got))[:3],
        sorted(set(got) - want)[:3]))
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None
       or r["title"] != "slow"]
if bad:
    die("%d records not 200/null/\"slow\", e.g. %s" % (len(bad),
        json.dumps(bad[0])[:300]))
slow = [r for r in recs if r["elapsed_ms"] < 900]
if slow:
    die("%d records with elapsed_ms < 900 for a 1 s page, e.g. %s"
        % (len(slow), json.dumps(slow[0])[:300]))
' "$BASE"
note "200 x 1 s pages in ${ms} ms"
[ "$ms" -lt 10000 ] ||
    fail "crawl took ${ms} ms, want < 10000 (transfers not in parallel?)"
# the contract's record shape, last: the checks above say more
check_records "$T/out.jsonl"

# --per-host 1 --delay 10 over 100 fast pages: one at a time, 10 ms apart,
# so at least 0.99 s; and the next transfer starts as soon as the delay
# allows, not at the loop's next idle wake-up (a fetcher that waited for
# that took 19 s here)
mkdir -p "$T/www/fast"
for i in $(seq 100); do
    echo "<title>f$i</title>" >"$T/www/fast/$i.html"
    echo "$BASE/fast/$i.html"
done >"$T/fast.txt"
start=$(date +%s%3N)
zs crawl --seeds "$T/fast.txt" -o "$T/fast.jsonl" -q --per-host 1 \
    --delay 10 >"$T/stdout" 2>"$T/stderr" || fail "the --delay crawl failed"
ms=$(($(date +%s%3N) - start))
assert_eq "$(count_records "$T/fast.jsonl")" 100 "records of the --delay crawl"
note "100 pages, --per-host 1 --delay 10: ${ms} ms"
[ "$ms" -ge 990 ] || fail "--delay 10: 100 pages in ${ms} ms, want >= 990"
[ "$ms" -lt 6000 ] ||
    fail "--delay 10: 100 pages in ${ms} ms, want < 6000 (starts late?)"
