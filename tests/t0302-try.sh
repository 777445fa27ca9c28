#!/bin/bash
# t0302: `zscrape try` prints the record a saved page yields with a rule
# file (the demo's), resolving URLs against --url; a broken rule file is
# FILE:LINE:COL and exit 2; on a terminal the record is indented.
. "$(dirname "$0")/lib.sh"
require_bins

page=$ROOT/demo/site/book/the-glass-orchard.html
"$ZSCRAPE" try --rules "$ROOT/demo/rules.txt" "$page" \
    --url http://shop.example/book/the-glass-orchard.html >"$T/rec.json" ||
    fail "zscrape try failed"
python3 - "$T/rec.json" <<'PY' || fail "try printed the wrong record"
import json, sys
r = json.load(open(sys.argv[1]))
want = {"title": "The Glass Orchard", "price": "\u00a312.99",
        "tags": ["novel", "literary"],
        "image": "http://shop.example/img/fiction.png"}
for k, v in want.items():
    if r.get(k) != v:
        sys.exit("%s is %r, want %r" % (k, r.get(k), v))
if list(r)[:2] != ["url", "final_url"] or list(r)[-5:] != \
        ["title", "price", "tags", "image", "links"]:
    sys.exit("keys out of order: %s" % list(r))
if "http://shop.example/about.html" not in r["links"]:
    sys.exit("links not resolved: %s" % r["links"])
PY

printf 'title   h1.title   text\nprice   span[price  text\n' >"$T/bad.rules"
rc=0
"$ZSCRAPE" try --rules "$T/bad.rules" "$page" 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "exit status for a broken rule file"
grep -q "bad.rules:2:[0-9]*: " "$T/err" ||
    fail "no FILE:LINE:COL message: $(cat "$T/err")"

# URL attributes resolved as the WHATWG URL standard does (issue #14):
# an empty query and fragment are kept, a non-ASCII userinfo is
# percent-encoded, a bare "http:" is the page itself (the links fed to
# the frontier drop both: test_url's test_fast_empty_parts)
cat >"$T/urls.html" <<'HTML'
<html><head><meta charset="utf-8"><title>u</title></head><body>
<a href="http://example.org/test?#">1</a> <a href="http:">2</a>
<a href="http://é@example.com/">3</a> <a href="next?#">4</a>
</body></html>
HTML
printf 'hrefs a @href all\n' >"$T/urls.rules"
"$ZSCRAPE" try --rules "$T/urls.rules" "$T/urls.html" \
    --url http://shop.example/dir/page.html >"$T/urls.json" ||
    fail "zscrape try on the URL page failed"
python3 - "$T/urls.json" <<'PY' || fail "URL attributes resolved wrongly"
import json, sys
r = json.load(open(sys.argv[1]))
want = ["http://example.org/test?#", "http://shop.example/dir/page.html",
        "http://%C3%A9@example.com/", "http://shop.example/dir/next?#"]
if r["hrefs"] != want:
    sys.exit("hrefs %r, want %r" % (r["hrefs"], want))
PY

if command -v script >/dev/null; then
    script -qfec "$ZSCRAPE try --rules $ROOT/demo/rules.txt $page" \
        "$T/tty" >/dev/null 2>&1 || fail "try under a terminal failed"
    grep -aq '^  "title": "The Glass Orchard"' "$T/tty" ||
        fail "not indented on a terminal"
fi
exit 0
