#!/bin/bash
# t0063: conditional re-crawls (--state DIR --recrawl).  nginx serves a
# 40-page generated site (ETag and Last-Modified on every file):
#   crawl   --depth 100 --state DIR: every page 200; DIR/validators holds
#           every page with its depth, ETag and Last-Modified
#   rerun   the same command: a finished crawl has nothing to do (no page
#           requested, the output unchanged)
#   recrawl the same command with --recrawl -o NEW: every page is asked
#           for with If-None-Match / If-Modified-Since, nginx answers 304
#           to each (its access log), and every record is status 304,
#           error null, title and links null: nothing parsed
#   changed one page rewritten (new title, new mtime), --recrawl again:
#           that page's record is 200 with its new title, the others 304;
#           the next re-crawl sees it unchanged again (304)
. "$(dirname "$0")/lib.sh"
require_bins

N=40
nginx_start
gen_site $N
ARGS=(crawl -q --depth 100 "$BASE/index.html" --state "$T/st")
LOG=$T/nginx/access.log

# status_of LOG: "PATH STATUS" of each page request (robots.txt not)
status_of()
{
    awk -F'"' '{split($3, a, " "); print a[1], a[2]}' "$1" |
        grep -v '^/robots.txt '
}

# crawl NAME [ARG...]: run a crawl with ARGS, the access log kept
crawl()
{
    local name=$1 rc=0
    shift
    : >"$LOG"
    zs "${ARGS[@]}" "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    assert_no_crash "$T/$name.err"
    [ $rc = 0 ] || { tail -n 5 "$T/$name.err" >&2; fail "$name: exit $rc"; }
    cp "$LOG" "$T/$name-access.log"
}

crawl first -o "$T/c1.jsonl"
check_records "$T/c1.jsonl"
check_site_records "$T/c1.jsonl" "$BASE" "$T/pages.txt" all first
[ -f "$T/st/validators" ] || fail "no $T/st/validators"
python3 - "$T/st/validators" "$BASE" "$T/pages.txt" <<'PY' ||
import sys
path, base, pages = sys.argv[1:]
want = set(base + l.strip() for l in open(pages) if l.strip())
got = {}
for line in open(path):
    url, depth, etag, lastmod = line.rstrip("\n").split("\t")
    got[url] = (int(depth), etag, lastmod)
if set(got) != want:
    sys.exit("validators: %d URLs, want the %d pages" % (len(got), len(want)))
bad = [u for u, (d, e, l) in got.items() if not e.startswith('"') or
       not l.endswith(" GMT")]
if bad:
    sys.exit("validators without ETag or Last-Modified: %s" % bad[:3])
if got[base + "/index.html"][0] != 0:
    sys.exit("index.html not at depth 0")
PY
    fail "the validators file is not every page's ETag and Last-Modified"

# a finished crawl run again: nothing to do
crawl rerun -o "$T/c1.jsonl"
assert_eq "$(status_of "$T/rerun-access.log" | wc -l)" 0 \
    "pages requested by a rerun of a finished crawl"
assert_eq "$(count_records "$T/c1.jsonl")" $N "records after the rerun"

# check_recrawl FILE CHANGED_URL CHANGED_TITLE: every page once; the
# changed one (if any) 200 with its title, the others 304 with null fields
check_recrawl()
{
    check_records "$1"
    records_py "$1" '
base, pages_file, changed, title = args
pages = set(base + l.strip() for l in open(pages_file) if l.strip())
c = Counter(r["url"] for r in recs)
if set(c) != pages or len(recs) != len(pages):
    die("%d records for %d URLs, want the %d pages once" % (len(recs),
        len(c), len(pages)))
for r in recs:
    if r["url"] == changed:
        if r["status"] != 200 or r["error"] is not None or \
           r["title"] != title or not r["links"]:
            die("changed page: %s" % json.dumps(r)[:300])
    elif (r["status"], r["error"], r["title"], r["links"]) != \
            (304, None, None, None):
        die("unchanged page not a 304 record: %s" % json.dumps(r)[:300])
' "$BASE" "$T/pages.txt" "$2" "$3"
}

# re-crawl: conditional requests, all answered 304
crawl recrawl1 --recrawl -o "$T/c2.jsonl"
status_of "$T/recrawl1-access.log" >"$T/recrawl1.req"
assert_eq "$(wc -l <"$T/recrawl1.req")" $N "requests of the re-crawl"
assert_eq "$(grep -c ' 304$' "$T/recrawl1.req")" $N \
    "requests nginx answered 304"
check_recrawl "$T/c2.jsonl" "" ""
[ -f "$T/c1.jsonl" ] && [ "$(count_records "$T/c1.jsonl")" = $N ] ||
    fail "the re-crawl touched the first crawl's output"

# one page changes
P=$(sed -n 5p "$T/pages.txt")
grep -q "<title>Page 4</title>" "$T/www$P" || fail "$P has no title Page 4"
sed -i 's|<title>Page 4</title>|<title>Page 4, revised</title>|' "$T/www$P"
touch -d '+2 minutes' "$T/www$P"
crawl recrawl2 --recrawl -o "$T/c3.jsonl"
status_of "$T/recrawl2-access.log" >"$T/recrawl2.req"
assert_eq "$(wc -l <"$T/recrawl2.req")" $N "requests of the 2nd re-crawl"
assert_eq "$(grep -c ' 304$' "$T/recrawl2.req")" $((N - 1)) \
    "2nd re-crawl: requests nginx answered 304"
assert_eq "$(grep -c "^$P 200\$" "$T/recrawl2.req")" 1 \
    "2nd re-crawl: the changed page answered 200"
check_recrawl "$T/c3.jsonl" "$BASE$P" "Page 4, revised"

# its new validators were stored: unchanged from now on
crawl recrawl3 --recrawl -o "$T/c4.jsonl"
assert_eq "$(status_of "$T/recrawl3-access.log" | grep -c ' 304$')" $N \
    "3rd re-crawl: requests nginx answered 304"
check_recrawl "$T/c4.jsonl" "" ""

# --recrawl needs --state
expect_usage_error "--recrawl without --state" "needs --state" \
    "$ZSCRAPE" crawl -q --recrawl "$BASE/index.html" -o "$T/x.jsonl"
note "re-crawls: $N conditional requests, $N then $((N - 1)) answered 304"
