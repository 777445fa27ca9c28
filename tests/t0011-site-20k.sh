#!/bin/bash
# t0011: crawling a generated site of 20,000 linked pages (tests/gen-site.py)
# from its index: --depth 1000 finds every page exactly once (links in
# relative, '../', './', absolute-path and absolute-URL forms, fragments
# dropped; mailto:, javascript:, other hosts, <link> and <img> ignored);
# --depth 1 finds exactly the index and its neighbours; --max-pages 500
# gives exactly 500 records.  No robots.txt on the server (404: allow all).
. "$(dirname "$0")/lib.sh"
require_bins

N=20000
nginx_start
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt" --depth1 "$T/depth1.txt"

# crawl NAME ARGS...: a crawl into $T/NAME.jsonl that must exit 0
crawl()
{
    local name=$1 rc=0 start
    shift
    start=$(date +%s%3N)
    zs crawl -q --retries 0 -o "$T/$name.jsonl" "$@" \
        >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    note "$name: crawl took $(($(date +%s%3N) - start)) ms"
    assert_no_crash "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi
}

# The checks shared by the three crawls.  args: BASE PAGES MODE [WANTFILE]
# MODE all: the record URLs are exactly the pages; depth1: exactly the
# paths in WANTFILE; max: exactly 500 distinct pages.
CHECK='
from urllib.parse import urlsplit, urldefrag
base, pages_file, mode = args[:3]
pages = [base + l.strip() for l in open(pages_file) if l.strip()]
index = {u: i for i, u in enumerate(pages)}
c = Counter(r["url"] for r in recs)
dup = sorted(u for u, n in c.items() if n > 1)
if dup:
    die("%s: %d URLs have more than one record, e.g. %s"
        % (mode, len(dup), dup[:5]))
got = set(c)
if mode == "all":
    want = set(pages)
elif mode == "depth1":
    want = set(base + l.strip() for l in open(args[3]) if l.strip())
else:
    want = None
if want is not None and got != want:
    miss = sorted(want - got)
    extra = sorted(got - want)
    die("%s: %d records, want %d; missing %d: %s; unexpected %d: %s"
        % (mode, len(recs), len(want), len(miss), miss[:20], len(extra),
           extra[:20]))
if mode == "max":
    if len(recs) != 500:
        die("max: %d records, want exactly 500 (--max-pages 500)" % len(recs))
    stray = sorted(got - set(pages))
    if stray:
        die("max: records for URLs not on the site: %s" % stray[:20])
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None]
if bad:
    die("%s: %d records not 200 without error, e.g. %s"
        % (mode, len(bad), [json.dumps(r)[:200] for r in bad[:3]]))
for r in recs:
    want_title = "Page %d" % index[r["url"]]
    if r["title"] != want_title:
        die("%s: %s: title %r, want %r" % (mode, r["url"], r["title"],
                                           want_title))
# depth: the seed is 0; any other record at depth d was linked from a
# record at depth d-1 (links keep their fragment; the frontier drops it)
seed = pages[0]
at = {}
for r in recs:
    if r["url"] == seed:
        if r["depth"] != 0:
            die("%s: the seed has depth %r" % (mode, r["depth"]))
        continue
    if r["depth"] < 1:
        die("%s: %s has depth %r, want >= 1" % (mode, r["url"], r["depth"]))
linked = {}
for r in recs:
    for l in r["links"] or []:
        linked.setdefault((r["depth"], urldefrag(l)[0]), True)
for r in recs:
    d = r["depth"]
    if d > 0 and (d - 1, r["url"]) not in linked:
        die("%s: %s has depth %d but no record at depth %d links to it"
            % (mode, r["url"], d, d - 1))
if mode == "depth1":
    for r in recs:
        if r["url"] != seed and r["depth"] != 1:
            die("depth1: %s has depth %r, want 1" % (r["url"], r["depth"]))
'

# (a) the whole site
crawl all --depth 1000 "$BASE/index.html"
records_py "$T/all.jsonl" "$CHECK" "$BASE" "$T/pages.txt" all
# the server saw each page once, robots.txt once, and nothing else
python3 - "$T/nginx/access.log" "$T/pages.txt" <<'EOF' ||
import sys
from collections import Counter
log, pages = sys.argv[1:]
want = Counter(l.strip() for l in open(pages) if l.strip())
want["/robots.txt"] = 1
got = Counter()
for line in open(log):
    # ... "GET /p HTTP/1.1" $request_uri $status ...
    try:
        got[line.split('"')[2].split()[0]] += 1
    except IndexError:
        sys.exit("unparsable log line: %r" % line)
if got != want:
    more = sorted((p, n) for p, n in got.items() if n > want.get(p, 0))
    less = sorted(p for p in want if got[p] < want[p])
    sys.exit("FAIL: requests: more than once or unexpected: %s; missing: %s"
             % (more[:20], less[:20]))
EOF
    fail "(a): access log check failed"

# (b) the index and its direct neighbours only
crawl depth1 --depth 1 "$BASE/index.html"
records_py "$T/depth1.jsonl" "$CHECK" "$BASE" "$T/pages.txt" depth1 \
    "$T/depth1.txt"

# (c) --max-pages stops dispatching at exactly 500 pages
crawl max --depth 1000 --max-pages 500 "$BASE/index.html"
records_py "$T/max.jsonl" "$CHECK" "$BASE" "$T/pages.txt" max

check_records "$T/depth1.jsonl"
check_records "$T/max.jsonl"
