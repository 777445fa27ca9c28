#!/bin/bash
# t0001: 1,000 distinct pages from a seeds file give exactly 1,000 records,
# each URL once, all 200 with no error, the right titles and links.
. "$(dirname "$0")/lib.sh"
require_bins

python3 "$ROOT/tests/gen-pages.py" "$T/www/p" 1000 --links 2
nginx_start
python3 "$ROOT/tests/gen-pages.py" "$T/gen" 1000 --base "$BASE/p/" \
    --seeds "$T/seeds.txt"

zs crawl --seeds "$T/seeds.txt" -o "$T/out.jsonl" -q \
    >"$T/stdout" 2>"$T/stderr" || {
    rc=$?
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
}
assert_no_crash "$T/stderr"
records_py "$T/out.jsonl" '
base = args[0]
seeds = [l.strip() for l in open(args[1]) if l.strip()]
if len(recs) != 1000:
    die("%d records, want 1000" % len(recs))
c = Counter(r["url"] for r in recs)
dup = [u for u, n in c.items() if n > 1]
if dup:
    die("%d URLs have more than one record, e.g. %s" % (len(dup), dup[:3]))
missing = set(seeds) - set(c)
extra = set(c) - set(seeds)
if missing or extra:
    die("missing %d (e.g. %s), unexpected %d (e.g. %s)" % (len(missing),
        sorted(missing)[:3], len(extra), sorted(extra)[:3]))
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None]
if bad:
    die("%d records not 200/null, e.g. %s" % (len(bad),
        json.dumps(bad[0])[:300]))
for r in recs:
    if r["depth"] != 0:
        die("%s: depth %r, want 0" % (r["url"], r["depth"]))
    if r["final_url"] != r["url"]:
        die("%s: final_url %r" % (r["url"], r["final_url"]))
    if not (r["content_type"] or "").startswith("text/html"):
        die("%s: content_type %r" % (r["url"], r["content_type"]))
    if r["bytes"] <= 0:
        die("%s: bytes %r" % (r["url"], r["bytes"]))
for i in (1, 2, 500, 999, 1000):
    u = "%s/p/%04d.html" % (base, i)
    r = by_url[u]
    if r["title"] != "Page %04d" % i:
        die("%s: title %r, want %r" % (u, r["title"], "Page %04d" % i))
    want = ["%s/p/%04d.html" % (base, (i - 1 + k) % 1000 + 1)
            for k in (1, 2)]
    if r["links"] != want:
        die("%s: links %r, want %r" % (u, r["links"], want))
' "$BASE" "$T/seeds.txt"

# the server was asked for each page once (no refetch)
n=$(grep -c ' /p/[0-9]*\.html 200 ' "$T/nginx/access.log" || true)
assert_eq "$n" 1000 "page requests in the nginx log"
[ -z "$(cat "$T/stdout")" ] || fail "stdout not empty with -o FILE"
# the contract's record shape, last: the checks above say more
check_records "$T/out.jsonl"
