#!/bin/bash
# t0041: the examples in examples/README.md work as documented.
#
# Runs each command block marked `<!-- test: NAME -->` in the README, as
# written, from a folder that looks like the source tree (scripts/ and
# examples/ link to the real ones), with URL set to a local nginx serving
# the example's site, and checks what it writes or prints:
#   products   demo/site: 29 records, every book page with a price (£),
#              tags, an absolute image URL; listing pages without;
#   article    Python's HOWTOs (python3.11-doc; skipped with a note when
#              absent) and What's New in 3.11: headlines, authors, a date,
#              paragraphs;
#   linkcheck  examples/brokensite: the one-liners list exactly its two
#              broken links, with error http and status 404.
. "$(dirname "$0")/lib.sh"
require_bins

README=$ROOT/examples/README.md
[ -f "$README" ] || fail "no $README"
PYDOC=/usr/share/doc/python3.11/html

# block NAME: the command block marked <!-- test: NAME --> in the README
block()
{
    local b
    b=$(awk -v name="$1" '
        $0 == "<!-- test: " name " -->" { want = 1; next }
        want && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }' "$README")
    [ -n "$b" ] || fail "README has no command block '$1'"
    printf '%s\n' "$b"
}

# a source tree look-alike to run the commands in
W=$T/work
mkdir -p "$W"
ln -s "$ROOT/scripts" "$W/scripts"
ln -s "$ROOT/examples" "$W/examples"
ln -s "$ROOT/demo" "$W/demo"

# run NAME: run block NAME in $W with URL=$BASE/; its stdout in $T/NAME.out
run()
{
    local rc=0
    note "running '$1':"
    block "$1" | sed 's/^/#   /' >&2
    (cd "$W" && URL=$BASE/ timeout -k 5 "$ZS_LIMIT" bash -eo pipefail \
        -c "$(block "$1")") >"$T/$1.out" 2>"$T/$1.err" || rc=$?
    assert_no_crash "$T/$1.err"
    if [ $rc != 0 ]; then
        tail -n 20 "$T/$1.err" >&2
        fail "example '$1' exited $rc"
    fi
}

# serve DIR...: (re)start nginx serving a copy of DIR (cp -r DIR/. www)
serve()
{
    nginx_stop
    rm -rf "$T/www"
    mkdir -p "$T/www"
    cp -r "$1"/. "$T/www/"
    nginx_start
}

# ---------------------------------------------------------------- products
serve "$ROOT/demo/site"
run products
check_records "$W/products.jsonl" title price author tags image
records_py "$W/products.jsonl" '
from urllib.parse import urlsplit
base = args[0]
paths = Counter(urlsplit(r["url"]).path for r in recs)
if any(n > 1 for n in paths.values()):
    die("a URL twice: %s" % [p for p, n in paths.items() if n > 1])
books = [r for r in recs if urlsplit(r["url"]).path.startswith("/book/")]
lists = [r for r in recs if urlsplit(r["url"]).path.startswith("/category/")]
if (len(recs), len(books), len(lists)) != (29, 20, 8):
    die("%d records, %d books, %d listing pages; want 29, 20, 8"
        % (len(recs), len(books), len(lists)))
for r in recs:
    if r["error"] is not None or r["status"] != 200:
        die("%s: error %s status %s" % (r["url"], r["error"], r["status"]))
for r in books:
    w = "%s: %s" % (r["url"], json.dumps(r, ensure_ascii=False)[:400])
    if not (r["price"] or "").startswith("\u00a3"):
        die(w + ": no price")
    if not (isinstance(r["tags"], list) and r["tags"] and all(r["tags"])):
        die(w + ": no tags")
    if not (r["image"] or "").startswith(base + "img/") or \
            not r["image"].endswith(".png"):
        die(w + ": image is not an absolute .png URL")
    if not (r["title"] and (r["author"] or "").startswith("by ")):
        die(w + ": no title or author")
for r in lists + [by_url[base]]:
    if r["price"] is not None or r["image"] is not None or r["tags"] != []:
        die("%s: a listing page with product fields" % r["url"])
# pagination: every second listing page came from a.next
if sum(1 for r in lists if r["url"].endswith("-2.html")) != 4:
    die("the second listing pages were not all reached")
g = by_url[base + "book/the-glass-orchard.html"]
if (g["title"], g["price"], g["tags"]) != ("The Glass Orchard",
                                            "\u00a312.99", ["novel", "literary"]):
    die("the-glass-orchard: %r %r %r" % (g["title"], g["price"], g["tags"]))
' "$BASE/"
run products-list
n=$(wc -l <"$T/products-list.out")
assert_eq "$n" 20 "products-list lines"
grep -qxF "$(printf 'The Glass Orchard\t\302\24312.99\tnovel, literary')" \
    "$T/products-list.out" ||
    { cat "$T/products-list.out" >&2; fail "products-list: no Glass Orchard line"; }

# ---------------------------------------------------------------- linkcheck
serve "$ROOT/examples/brokensite"
run linkcheck
check_records "$W/links.jsonl" title links
want=$(printf '%s\t%s\t%s\n' "$BASE/team.html" http 404 \
    "$BASE/docs/old-api.html" http 404 | sort)
for b in linkcheck-list linkcheck-awk; do
    run "$b"
    got=$(sort "$T/$b.out")
    if [ "$got" != "$want" ]; then
        printf 'got:\n%s\nwant:\n%s\n' "$got" "$want" >&2
        fail "$b does not list exactly the two broken links"
    fi
done
run linkcheck-from
got=$(sort "$T/linkcheck-from.out")
want=$(printf '%s\t%s\t%s\t%s\t%s\n' \
    "$BASE/team.html" http 404 "linked from" "$BASE/about.html" \
    "$BASE/docs/old-api.html" http 404 "linked from" "$BASE/docs/usage.html" |
    sort)
[ "$got" = "$want" ] ||
    { printf 'got:\n%s\nwant:\n%s\n' "$got" "$want" >&2; fail "linkcheck-from"; }
records_py "$W/links.jsonl" '
from urllib.parse import urlsplit
got = sorted(urlsplit(r["url"]).path for r in recs)
want = sorted(["/", "/about.html", "/blog/", "/blog/2024-hello.html",
               "/docs/", "/docs/install.html", "/docs/usage.html",
               "/team.html", "/docs/old-api.html"])
if got != want:
    die("pages %s, want %s" % (got, want))
'

# ---------------------------------------------------------------- article
if [ ! -f "$PYDOC/howto/index.html" ] || [ ! -f "$PYDOC/whatsnew/3.11.html" ]; then
    note "python3.11-doc is not installed: the article example is not run"
else
    nginx_stop
    rm -rf "$T/www"
    mkdir -p "$T/www/whatsnew"
    cp -r "$PYDOC/howto" "$T/www/"
    cp "$PYDOC/whatsnew/3.11.html" "$T/www/whatsnew/"
    nginx_start
    run article
    check_records "$W/articles.jsonl" title headline author date body
    records_py "$W/articles.jsonl" '
import os
base = args[0]
howtos = sorted(f for f in os.listdir(args[1]) if f.endswith(".html"))
want = sorted([base + "howto/" + f for f in howtos] +
              [base + "whatsnew/3.11.html"])
if sorted(by_url) != want or len(recs) != len(want):
    die("records for %s, want %s" % (sorted(by_url), want))
authors = 0
for r in recs:
    w = "%s: %s" % (r["url"], json.dumps(r, ensure_ascii=False)[:300])
    if r["error"] is not None or r["status"] != 200:
        die(w + ": not a page")
    h = r["headline"]
    if not isinstance(h, str) or not h.strip() or "\u00b6" in h or h[0].isdigit():
        die(w + ": headline %r" % h)
    if not r["title"].startswith(h.strip()):
        die(w + ": headline %r is not the start of the title" % h)
    if r["url"].endswith("/index.html"):
        continue
    if not (isinstance(r["body"], list) and r["body"] and all(r["body"])):
        die(w + ": no body paragraphs")
    authors += r["author"] is not None
if authors < 10:
    die("%d articles with an author, want at least 10" % authors)
s = by_url[base + "howto/sorting.html"]
if (s["headline"], s["author"]) != ("Sorting HOW TO",
                                    "Andrew Dalke and Raymond Hettinger"):
    die("sorting: %r %r" % (s["headline"], s["author"]))
n = by_url[base + "whatsnew/3.11.html"]
if not re.match(r"^[A-Z][a-z]+ \d\d?, \d{4}$", n["date"] or ""):
    die("whatsnew/3.11: date %r" % n["date"])
if not n["author"] or not n["headline"].startswith("What"):
    die("whatsnew/3.11: author %r headline %r" % (n["author"], n["headline"]))
if sum(1 for r in recs if r["date"] is not None) != 1:
    die("a date on a HOWTO page")
' "$BASE/" "$PYDOC/howto"
    run article-list
    assert_eq "$(wc -l <"$T/article-list.out")" 21 "article-list lines"
    grep -qF "$(printf 'Sorting HOW TO\tAndrew Dalke and Raymond Hettinger\tNone\t')" \
        "$T/article-list.out" ||
        { cat "$T/article-list.out" >&2; fail "article-list: no Sorting line"; }
fi

[ -z "$(runtime_dirs_left)" ] ||
    fail "runtime folder left: $(runtime_dirs_left)"
note "the README's examples give what it says"
exit 0
