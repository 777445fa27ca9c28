#!/bin/bash
# t0021: hostile HTML.  100,000 nested unclosed <div>s, 100,000 nested
# closed ones, a 50 MB attribute (parsed: --max-bytes 60000000), 200,000
# attributes on one tag, NUL bytes, invalid UTF-8, a page that is only a
# BOM, 30,000 nested tables, an adoption-agency bomb (20,000 distinct
# open <b>s reconstructed by 20,000 <p>s), 100,000 links, an unclosed
# 5 MB comment.  Each page gives exactly one record: 200 with its fields,
# or the error parse_limit (pages the standard defines exactly - NULs, bad
# UTF-8, the BOM - must parse, with the standard's text).  Each page takes
# at most the parse timeout plus a margin (measured one by one with
# `zscrape try`, default --parse-timeout 5), the crawl of them all exits 0
# (with --parse-timeout 3 passed through the launcher), nothing crashes,
# and the parsers' peak RSS stays under 1.5 GB (the 50 MB attribute).
. "$(dirname "$0")/lib.sh"
require_bins

# assert_no_restart FILE: no worker died and was restarted by the launcher
# (a crash the restart would hide)
assert_no_restart()
{
    if grep -Eq "killed by signal|exited with status|restarting it" "$1"; then
        grep -E -m 5 "killed by signal|exited with status|restarting it" "$1" >&2
        fail "a worker died during the crawl (see $(basename "$1"))"
    fi
}

W=$T/www
python3 - "$W" <<'PY'
import os, sys
d = sys.argv[1]
def w(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
def head(title):
    return ("<!DOCTYPE html><html><head><title>%s</title></head><body>"
            % title)
N = 100000
w("unclosed-divs.html", head("unclosed") + "<div>" * N + "x")
w("closed-divs.html", head("closed") + "<div>" * N + "x" + "</div>" * N +
  "</body></html>")
w("attr50m.html", head("attr") + '<a href="/x" data-big="' +
  "a" * (50 << 20) + '">x</a></body></html>')
w("attrs.html", head("attrs") + "<a href=/y " +
  " ".join("a%d=v" % i for i in range(200000)) + ">x</a>")
w("nul.html", b"<!DOCTYPE html><html><head><title>nul\x00title</title>"
  b"</head><body>\x00\x00<a href=\"/n\x00ul\">x</a>" + b"\x00" * 100000 +
  b"</body></html>")
w("badutf8.html", b'<!DOCTYPE html><html><head><meta charset="utf-8">'
  b"<title>bad \xff\xfe \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80 end"
  b"</title></head><body><a href=\"/u\xff\">x</a></body></html>")
w("bom.html", b"\xef\xbb\xbf")
w("tables.html", head("tables") + "<table><tr><td>" * 30000 + "x")
w("fmt-bomb.html", head("fmt") +
  "".join("<b class=c%d>" % i for i in range(20000)) + "<p>x" * 20000)
w("links.html", head("links") +
  "".join('<a href="/l%d">l</a>' % i for i in range(100000)))
w("comment.html", head("comment") + "<!--" + "c" * (5 << 20))
PY
PAGES="unclosed-divs closed-divs attr50m attrs nul badutf8 bom tables
fmt-bomb links comment"

# The record check, for the crawl and for `zscrape try`.
# args: BASE [PAGE]: with PAGE, the file holds that page's record only.
CHECK='
base = args[0]
only = args[1] if len(args) > 1 else None
# page: (title when parsed, may it be parse_limit?)
want = {
    "unclosed-divs": ("unclosed", True),
    "closed-divs": ("closed", True),
    "attr50m": ("attr", True),
    "attrs": ("attrs", True),
    "nul": ("nul\ufffdtitle", False),
    "badutf8": ("bad \ufffd\ufffd \ufffd( \ufffd\ufffd\ufffd "
                "\ufffd\ufffd\ufffd\ufffd\ufffd end", False),
    "bom": (None, False),
    "tables": ("tables", True),
    "fmt-bomb": ("fmt", True),
    "links": ("links", True),
    "comment": ("comment", True),
}
if only:
    want = {only: want[only]}
problems = []
c = Counter(r["url"] for r in recs)
urls = {base + "/" + p + ".html": p for p in want}
for u, n in c.items():
    if n > 1:
        problems.append("%s: %d records" % (u, n))
    if u not in urls:
        problems.append("unexpected record for %s" % u)
for u, p in sorted(urls.items()):
    r = by_url.get(u)
    if r is None:
        problems.append("%s: no record" % p)
        continue
    title, may_fail = want[p]
    if r["status"] != 200:
        problems.append("%s: status %r, want 200" % (p, r["status"]))
    if r["error"] == "parse_limit" and may_fail:
        continue
    if r["error"] is not None:
        problems.append("%s: error %r, want null%s" % (p, r["error"],
                        " or parse_limit" if may_fail else ""))
        continue
    if r["title"] != title:
        problems.append("%s: title %r, want %r" % (p, r["title"], title))
    links = r["links"]
    if not isinstance(links, list) or not all(
            isinstance(l, str) and l.startswith(base + "/") for l in links):
        problems.append("%s: links %r" % (p, str(links)[:200]))
        continue
    n = {"links": 100000, "bom": 0}.get(p, 1)
    if p in ("unclosed-divs", "closed-divs", "tables", "fmt-bomb",
             "comment"):
        n = 0
    if len(links) != n:
        problems.append("%s: %d links, want %d" % (p, len(links), n))
    if p == "attr50m" and links != [base + "/x"]:
        problems.append("attr50m: links %r" % links)
    if p == "links" and links[:2] != [base + "/l0", base + "/l1"]:
        problems.append("links: links start %r" % links[:2])
if problems:
    die("%d problems:\n  %s" % (len(problems), "\n  ".join(problems)))
'

# strict_utf8 FILE: the output is valid UTF-8 with no raw control bytes
strict_utf8()
{
    python3 - "$1" <<'PY' || fail "'$1' is not clean UTF-8 JSON Lines"
import sys
data = open(sys.argv[1], "rb").read()
try:
    data.decode("utf-8", "strict")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at byte %d: %r" % (e.start,
             data[max(0, e.start - 40):e.start + 10]))
bad = [b for b in set(data) if b < 0x20 and b != 0x0a]
if bad:
    sys.exit("raw control bytes in the output: %r" % sorted(bad))
PY
}

# (1) each page alone, under `zscrape try` (default --parse-timeout 5):
# one record within 5 s + 2 s, whatever the page does
BASE0=http://127.0.0.1:1
for p in $PAGES; do
    start=$(date +%s%3N)
    rc=0
    timeout -k 2 30 "$ZSCRAPE" try "$W/$p.html" --url "$BASE0/$p.html" \
        --max-bytes 60000000 >"$T/try-$p.jsonl" 2>"$T/try-$p.err" || rc=$?
    ms=$(($(date +%s%3N) - start))
    assert_no_crash "$T/try-$p.err"
    [ $rc = 0 ] || [ $rc = 1 ] ||
        fail "try $p: exit $rc ($(tail -n 1 "$T/try-$p.err"))"
    [ -s "$T/try-$p.jsonl" ] || fail "try $p: no record (exit $rc)"
    records_py "$T/try-$p.jsonl" "$CHECK" "$BASE0" "$p"
    strict_utf8 "$T/try-$p.jsonl"
    note "try $p: $ms ms, $(records_py "$T/try-$p.jsonl" \
        'print(recs[0]["error"] or "ok")')"
    [ "$ms" -le 7000 ] ||
        fail "try $p: $ms ms, want <= 7000 (--parse-timeout 5 + 2 s)"
done

# (2) all of them in one crawl, two parsers, --parse-timeout 3
nginx_start
for p in $PAGES; do
    echo "${BASE:?}/$p.html"
done >"$T/seeds.txt"
start=$(date +%s%3N)
rc=0
zs crawl --seeds "$T/seeds.txt" -o "$T/out.jsonl" -q --retries 0 \
    --max-bytes 60000000 --parse-timeout 3 --parsers 2 --log-level info \
    --stats "$T/stats.json" >"$T/stdout" 2>"$T/stderr" || rc=$?
ms=$(($(date +%s%3N) - start))
note "crawl took $ms ms"
assert_no_crash "$T/stderr"
assert_no_restart "$T/stderr"
if [ $rc != 0 ]; then
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
fi
records_py "$T/out.jsonl" "$CHECK" "$BASE"
strict_utf8 "$T/out.jsonl"
check_records "$T/out.jsonl"
note "crawl: $(records_py "$T/out.jsonl" '
print(", ".join("%s %s" % (r["url"].rsplit("/", 1)[1],
                           r["error"] or "ok") for r in recs))')"
# 11 pages on 2 parsers, at most 3 s each: 6 rounds of 3 s, plus margin
[ "$ms" -le 30000 ] || fail "crawl took $ms ms, want <= 30 s"

peaks()
{
    sed -n "s/.* $1\[[0-9]*\] INFO .*peak_rss_kb=\([0-9]*\).*/\1/p" \
        "$T/stderr"
}
ppeak=$(peaks parser | sort -n | tail -n 1)
fpeak=$(peaks fetcher | sort -n | tail -n 1)
speak=$(peaks sink | sort -n | tail -n 1)
[ -n "$ppeak" ] || fail "no parser exit line with peak_rss_kb in the log"
note "peak RSS: parser ${ppeak} kB, fetcher ${fpeak:-?} kB, sink ${speak:-?} kB"
[ "$ppeak" -lt 1572864 ] ||
    fail "parser peak RSS ${ppeak} kB, want < 1.5 GB"
