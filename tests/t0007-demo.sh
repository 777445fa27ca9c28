#!/bin/bash
# t0007: `zscrape demo -o FILE` crawls the bundled site (demo/site) and
# gives a record for every page, each 200, with the demo rules' fields;
# it says where the output went and leaves no server or folder behind.
. "$(dirname "$0")/lib.sh"
require_bins
[ -x "$ROOT/scripts/zscrape-serve" ] || fail "scripts/zscrape-serve missing"

rc=0
zs demo -o "$T/demo.jsonl" >"$T/stdout" 2>"$T/stderr" || rc=$?
assert_no_crash "$T/stderr"
if [ $rc != 0 ]; then
    tail -n 20 "$T/stderr" >&2
    fail "zscrape demo exited $rc, want 0"
fi
grep -qF "$T/demo.jsonl" "$T/stdout" "$T/stderr" ||
    fail "zscrape demo did not say where the output went ($T/demo.jsonl)"
records_py "$T/demo.jsonl" '
import os
from urllib.parse import urlsplit
site = args[0]
want = {"/"}
for d, _, files in os.walk(site):
    for f in files:
        if f.endswith(".html"):
            p = "/" + os.path.relpath(os.path.join(d, f), site)
            if p != "/index.html":
                want.add(p)
got = Counter(urlsplit(r["url"]).path for r in recs)
dup = [p for p, n in got.items() if n > 1]
if dup:
    die("pages with more than one record: %s" % dup[:5])
if set(got) != want:
    die("missing pages %s, unexpected %s" % (sorted(want - set(got)),
        sorted(set(got) - want)))
hosts = {urlsplit(r["url"]).netloc for r in recs}
if len(hosts) != 1 or not hosts.pop().startswith("127.0.0.1:"):
    die("records from hosts other than one 127.0.0.1 server")
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None]
if bad:
    die("%d pages not 200/null, e.g. %s" % (len(bad), json.dumps(bad[0])))
for r in recs:
    path = urlsplit(r["url"]).path
    path += " (record %s)" % json.dumps(r, ensure_ascii=False)[:600]
    if r["depth"] > 3:
        die("%s: depth %d > 3" % (path, r["depth"]))
    if not isinstance(r["title"], str) or not r["title"]:
        die("%s: no title" % path)
    if not isinstance(r["links"], list) or not r["links"]:
        die("%s: no links" % path)
    if urlsplit(r["url"]).path.startswith("/book/"):
        if not (r["price"] or "").startswith("\u00a3"):
            die("%s: price %r" % (path, r["price"]))
        if not (isinstance(r["tags"], list) and r["tags"] and
                all(isinstance(t, str) and t for t in r["tags"])):
            die("%s: tags %r" % (path, r["tags"]))
        if not (r["image"] or "").endswith(".png") or \
                not r["image"].startswith("http://"):
            die("%s: image %r, want an absolute .png URL" % (path, r["image"]))
r = [r for r in recs if urlsplit(r["url"]).path == "/book/the-glass-orchard.html"][0]
if (r["title"], r["price"], r["tags"]) != ("The Glass Orchard", "\u00a312.99",
                                            ["novel", "literary"]):
    die("the-glass-orchard: %r %r %r" % (r["title"], r["price"], r["tags"]))
r = [r for r in recs if urlsplit(r["url"]).path == "/"][0]
if r["depth"] != 0 or r["title"] != "Welcome to Quire & Quill Books":
    die("/: depth %r, title %r; want 0, %r" % (r["depth"], r["title"],
        "Welcome to Quire & Quill Books"))
' "$ROOT/demo/site"

[ -z "$(runtime_dirs_left)" ] ||
    fail "runtime folder left: $(runtime_dirs_left)"
left=$(ls -d "$TMPDIR"/zscrape-serve.* 2>/dev/null || true)
[ -z "$left" ] || fail "zscrape-serve folder left: $left"
if pgrep -f "$TMPDIR/" >/dev/null; then
    pgrep -af "$TMPDIR/" >&2
    fail "processes left running from the demo"
fi
# the contract's record shape, last: the checks above say more
check_records "$T/demo.jsonl" title price tags image links
