#!/bin/bash
# t0012: a real site: the Python 3.11 documentation (Debian python3.11-doc)
# served by nginx, crawled from index.html with a large --depth and the
# default --scope host.  The crawl must reach exactly the URLs that
# tests/reach.py, an independent model (html.parser + urljoin + BFS over
# the files), says are reachable through a[href] links, each URL once:
# HTML pages 200, other files (a .py download) 200 with error not_html,
# links to missing files (whatsnew/changelog.html: Debian gzips it) 404
# with error http.  Then the same comparison on a small site made here
# for what the documentation does not have: percent-encoding to normalize,
# non-ASCII and padded hrefs, a folder redirect, <base href>, a query
# string, a 403, links inside a comment, a script and a text file.
. "$(dirname "$0")/lib.sh"
require_bins

DOC=/usr/share/doc/python3.11/html
[ -f "$DOC/index.html" ] ||
    fail "$DOC not installed (sh scripts/install-deps.sh --test)"

nginx_start "
        location / { root $DOC; }
        location /edge/ { root $T/www; }"

# compare NAME DOCROOT START_PATH: crawl $BASE/START_PATH into $T/NAME.jsonl
# and compare it with `reach.py DOCROOT $BASE START_PATH`: the same URLs, each
# once, each with the status, error and final_url the model expects; and
# nginx was asked for each of them once (a redirect: its target too) and
# for /robots.txt once (404 here: everything allowed).
compare()
{
    local name=$1 docroot=$2 start_path=$3 rc=0 start logstart
    python3 "$ROOT/tests/reach.py" "$docroot" "$BASE" "$start_path" \
        >"$T/$name.tsv" || fail "$name: tests/reach.py failed"
    note "$name: reach.py: $(wc -l <"$T/$name.tsv") reachable URLs"
    logstart=$(wc -l <"$T/nginx/access.log")
    start=$(date +%s%3N)
    zs crawl -q --retries 0 --depth 100000 -o "$T/$name.jsonl" \
        "$BASE/$start_path" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    note "$name: crawl took $(($(date +%s%3N) - start)) ms"
    assert_no_crash "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi

    records_py "$T/$name.jsonl" '
name = args[1]
want = {}
for line in open(args[0]):
    url, kind, final = line.rstrip("\n").split("\t")
    want[url] = (kind, final)
c = Counter(r["url"] for r in recs)
dup = sorted(u for u, n in c.items() if n > 1)
if dup:
    die("%s: %d URLs have more than one record: %s"
        % (name, len(dup), dup[:20]))
got = set(c)
if got != set(want):
    miss = sorted(set(want) - got)
    extra = sorted(got - set(want))
    die("%s: %d records, %d reachable URLs\n"
        "  reachable but no record (%d):%s\n"
        "  record but not reachable (%d):%s"
        % (name, len(recs), len(want), len(miss),
           "\n    ".join([""] + miss[:20]), len(extra),
           "\n    ".join([""] + extra[:20])))
expect = {"html": (200, None), "other": (200, "not_html"),
          "missing": (404, "http"), "forbidden": (403, "http")}
bad = []
for r in recs:
    kind, final = want[r["url"]]
    if (r["status"], r["error"]) != expect[kind]:
        bad.append("%s (%s): status %r error %r, want %r"
                   % (r["url"], kind, r["status"], r["error"], expect[kind]))
    elif kind in ("html", "other") and r["final_url"] != final:
        bad.append("%s: final_url %r, want %r" % (r["url"], r["final_url"],
                                                   final))
    elif kind == "html" and not (r["content_type"] or "").startswith(
            "text/html"):
        bad.append("%s: content_type %r" % (r["url"], r["content_type"]))
if bad:
    die("%s: %d records differ from the model:\n  %s"
        % (name, len(bad), "\n  ".join(bad[:20])))
' "$T/$name.tsv" "$name"

    python3 - "$T/nginx/access.log" "$T/$name.tsv" "$logstart" <<'EOF' ||
import sys
from collections import Counter
from urllib.parse import urlsplit
log, reach, skip = sys.argv[1:]
def pq(url):
    u = urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")
want = Counter({"/robots.txt": 1})
for line in open(reach):
    url, kind, final = line.rstrip("\n").split("\t")
    want[pq(url)] += 1
    if final != url:
        want[pq(final)] += 1
got = Counter()
for line in open(log).readlines()[int(skip):]:
    try:
        got[line.split('"')[2].split()[0]] += 1
    except IndexError:
        sys.exit("unparsable log line: %r" % line)
if got != want:
    more = sorted((p, n) for p, n in got.items() if n > want.get(p, 0))
    less = sorted(p for p in want if got[p] < want[p])
    sys.exit("FAIL: requests more than once or unexpected: %s; missing: %s"
             % (more[:20], less[:20]))
EOF
        fail "$name: requests in the nginx log differ from the model"
    check_records "$T/$name.jsonl"
}

compare pydoc "$DOC" index.html
python3 - "$T/pydoc.tsv" <<'EOF' ||
import sys
kinds = [l.split("\t")[1] for l in open(sys.argv[1])]
# a sanity check of the model itself: most of the 530 pages are linked
if kinds.count("html") < 500:
    sys.exit("FAIL: reach.py found only %d HTML pages" % kinds.count("html"))
EOF
    fail "reach.py's model of the docs looks wrong"

# The small site under /edge/ (every link stays under /edge/, which nginx
# serves from $T/www/edge; reach.py models it with ROOT $T/www).
E=$T/www/edge
mkdir -p "$E/dir" "$E/nodir" "$E/b" "$E/deep" "$E/dots"
hp=${BASE#http://}
cat >"$E/index.html" <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>Edge</title></head>
<body>
<a href="a%2Dfile.html">unreserved %2D: a-file.html</a>
<a href="a-file.html#frag">the same page, with a fragment</a>
<a href="sp%61ce%20name.html">%61 decoded, %20 kept</a>
<a href="caf%c3%a9.html">lower-case hex: upper-cased</a>
<a href="café.html">raw non-ASCII: the same URL, encoded</a>
<a href="  padded.html
 ">leading and trailing whitespace</a>
<a href="q.html?b=1&amp;a=2">a query: another URL</a>
<a href="q.html">the same file without it</a>
<a href="dir">a folder: 301 to dir/</a>
<a href="nodir/">a folder without index.html: 403</a>
<a href="notes.txt">text/plain: not_html, not followed</a>
<a href="gone.html">404</a>
<a href="HTTP://$hp/edge/upper.html">upper-case scheme</a>
<a href="//$hp/edge/proto.html">scheme-relative</a>
<a href="b/base.html">a page with a base element</a>
<a href="./dots/../dotted.html">dot segments</a>
<a name="nohref">no href</a>
<a href="http://localhost:$NGINX_PORT/edge/otherhost.html">another host</a>
<a href="mailto:x@example.invalid">mail</a>
<!-- <a href="commented.html">in a comment</a> -->
<script>document.write('<a href="inscript.html">x</a>');</script>
</body></html>
EOF
for f in a-file "space name" café padded q upper proto dotted deep/y \
    commented inscript otherhost hidden; do
    printf '<!DOCTYPE html><title>%s</title><p>%s\n' "$f" "$f" >"$E/$f.html"
done
printf '<!DOCTYPE html><title>Dir</title><a href="x.html">x</a>\n' \
    >"$E/dir/index.html"
printf '<!DOCTYPE html><title>X</title>\n' >"$E/dir/x.html"
printf '%s\n' '<!DOCTYPE html><title>Base</title><base href="../deep/">' \
    '<a href="y.html">y</a>' >"$E/b/base.html"
printf 'not HTML: <a href="hidden.html">hidden</a>\n' >"$E/notes.txt"
# first the model's view of the edge site, spelled out: a check of reach.py
python3 "$ROOT/tests/reach.py" "$T/www" "$BASE" edge/index.html \
    >"$T/edge-model.tsv" || fail "tests/reach.py failed on the edge site"
python3 - "$T/edge-model.tsv" "$BASE" <<'EOF' ||
import sys
base = sys.argv[2]
got = {}
for l in open(sys.argv[1]):
    url, kind, final = l.rstrip("\n").split("\t")
    if final != url:
        kind += " " + final[len(base):]
    got[url[len(base):]] = kind
want = {"/edge/index.html": "html", "/edge/a-file.html": "html",
        "/edge/space%20name.html": "html", "/edge/caf%C3%A9.html": "html",
        "/edge/padded.html": "html", "/edge/q.html?b=1&a=2": "html",
        "/edge/q.html": "html", "/edge/dir": "html /edge/dir/",
        "/edge/dir/x.html": "html", "/edge/nodir/": "forbidden",
        "/edge/notes.txt": "other", "/edge/gone.html": "missing",
        "/edge/upper.html": "html", "/edge/proto.html": "html",
        "/edge/b/base.html": "html", "/edge/deep/y.html": "html",
        "/edge/dotted.html": "html"}
if got != want:
    sys.exit("FAIL: reach.py on the edge site:\n  got  %s\n  want %s"
             % (sorted(got.items()), sorted(want.items())))
EOF
    fail "reach.py's model of the edge site is wrong"
compare edge "$T/www" edge/index.html
