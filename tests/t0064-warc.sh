#!/bin/bash
# t0064: --warc FILE, read back with python3's standard library (Debian 12
# has no python3-warcio): gzip members one by one, each exactly one WARC
# 1.1 record whose Content-Length is its block and whose
# WARC-Block-Digest is the block's SHA-1 (base32).
#   - a crawl of a generated 100-page site (nginx without gzip): one
#     warcinfo, 100 response and 100 request records, every page once;
#     each response's payload (after the HTTP head) is the file nginx
#     served, byte for byte, its WARC-Payload-Digest right, its head's
#     Content-Length that of the payload; request and response name each
#     other (WARC-Concurrent-To); each request is the GET of that page;
#   - the same pages served with nginx's gzip (chunked too), by two
#     fetchers appending to one file (a warcinfo record from each that
#     joined before the end: one or two), the payload
#     stored decoded, the head's Content-Encoding and Transfer-Encoding
#     kept as X-Crawler-*, a true Content-Length;
#   - --warc naming a file in no folder: exit 2 with a message.
. "$(dirname "$0")/lib.sh"
require_bins

N=100
nginx_start "
        location /gz/ {
            alias $T/www/;
            gzip on;
            gzip_min_length 1;
            gzip_types text/html;
        }"
gen_site $N

# check_warc FILE PREFIX MODE INFOS: the records of FILE (see the top);
# INFOS: the numbers of warcinfo records allowed ("1,2")
check_warc()
{
    python3 - "$1" "$BASE" "$2" "$3" "$4" "$T/www" "$T/pages.txt" \
        <<'PY' || fail "the WARC file $1 ($3)"
import base64, hashlib, os, sys, zlib
path, base, prefix, mode, infos, www, pages = sys.argv[1:]
site = {base + prefix + l.strip(): l.strip() for l in open(pages) if l.strip()}
data = open(path, "rb").read()
size = len(data)
problems = []

def die(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)

def b32sha1(b):
    return "sha1:" + base64.b32encode(hashlib.sha1(b).digest()).decode()

def head_fields(raw):
    """the lines after the first of a head, as (name, value) pairs"""
    out = []
    for line in raw.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            die("a head line without a colon: %r" % line)
        out.append((name.decode().lower(), value.strip().decode()))
    return out

# every record a gzip member of its own
records = []
while data:
    d = zlib.decompressobj(31)
    rec = d.decompress(data)
    if not d.eof:
        die("a gzip member ends early after %d records" % len(records))
    data = d.unused_data
    if not rec.startswith(b"WARC/1.1\r\n"):
        die("member %d is not a WARC/1.1 record: %r" % (len(records), rec[:40]))
    whead, sep, rest = rec.partition(b"\r\n\r\n")
    w = dict(head_fields(whead))
    n = int(w["content-length"])
    block = rest[:n]
    if len(block) != n or rest[n:] != b"\r\n\r\n":
        die("member %d: Content-Length %d, block and end %d bytes: one "
            "record a member" % (len(records), n, len(rest)))
    if w.get("warc-block-digest") != b32sha1(block):
        problems.append("%s: block digest" % w.get("warc-target-uri"))
    records.append((w, block))

types = {}
for w, _ in records:
    types[w["warc-type"]] = types.get(w["warc-type"], 0) + 1
want = {"response": len(site), "request": len(site)}
ninfo = types.pop("warcinfo", 0)
if types != want or str(ninfo) not in infos.split(","):
    die("records by type %r and %d warcinfo, want %r and %s warcinfo"
        % (types, ninfo, want, infos))
ids = [w["warc-record-id"] for w, _ in records]
if len(set(ids)) != len(ids) or not all(i.startswith("<urn:uuid:") for i in ids):
    die("record ids not distinct <urn:uuid:...>")

resp = {}
req_by_id = {}
for w, block in records:
    t = w["warc-type"]
    if t == "warcinfo":
        if w["content-type"] != "application/warc-fields" or \
           b"software: zscrape-fetcher/" not in block:
            problems.append("warcinfo: %r %r" % (w, block[:80]))
        continue
    if w["content-type"] != "application/http;msgtype=" + t:
        problems.append("%s: Content-Type %r" % (t, w["content-type"]))
    if w.get("warc-ip-address") != "127.0.0.1":
        problems.append("%s: WARC-IP-Address %r" % (t, w.get("warc-ip-address")))
    if t == "request":
        req_by_id[w["warc-record-id"]] = (w, block)
        continue
    uri = w["warc-target-uri"]
    if uri not in site or uri in resp:
        die("a response for %r (not a page, or twice)" % uri)
    resp[uri] = (w, block)

for uri, (w, block) in sorted(resp.items()):
    head, sep, payload = block.partition(b"\r\n\r\n")
    if not sep:
        problems.append("%s: no end of the HTTP head" % uri)
        continue
    status = head.split(b"\r\n", 1)[0]
    fields = head_fields(head)
    h = {}
    for k, v in fields:
        h.setdefault(k, []).append(v)
    served = open(os.path.join(www, site[uri].lstrip("/")), "rb").read()
    if status != b"HTTP/1.1 200 OK":
        problems.append("%s: status line %r" % (uri, status))
    if payload != served:
        problems.append("%s: payload %d bytes, nginx served %d"
                        % (uri, len(payload), len(served)))
    if w.get("warc-payload-digest") != b32sha1(payload):
        problems.append("%s: payload digest" % uri)
    if h.get("content-length") != [str(len(payload))]:
        problems.append("%s: Content-Length %r, payload %d"
                        % (uri, h.get("content-length"), len(payload)))
    if "content-encoding" in h or "transfer-encoding" in h:
        problems.append("%s: an encoding header left as it was" % uri)
    ce = h.get("x-crawler-content-encoding")
    te = h.get("x-crawler-transfer-encoding")
    if mode == "gzip" and (ce != ["gzip"] or te != ["chunked"]):
        problems.append("%s: X-Crawler-Content-Encoding %r, "
                        "X-Crawler-Transfer-Encoding %r" % (uri, ce, te))
    if mode == "plain" and (ce or "x-crawler-content-length" in h):
        problems.append("%s: masked headers without an encoding" % uri)
    req = req_by_id.get(w.get("warc-concurrent-to"))
    if not req:
        problems.append("%s: no request record by WARC-Concurrent-To" % uri)
        continue
    rw, rblock = req
    if rw.get("warc-concurrent-to") != w["warc-record-id"] or \
       rw.get("warc-target-uri") != uri:
        problems.append("%s: the request names %r" % (uri, rw))
    if not rblock.startswith(b"GET " + (prefix + site[uri]).encode() +
                             b" HTTP/1.1\r\n") or \
       not rblock.endswith(b"\r\n\r\n"):
        problems.append("%s: request %r" % (uri, rblock[:60]))
if problems:
    die("%d problems:\n  %s" % (len(problems), "\n  ".join(problems[:10])))
print("# %s: %d records (%d warcinfo) in %d gzip members, %d bytes "
      "(%.0f a page), payloads as nginx served them"
      % (mode, len(records), ninfo, len(records), size, size / len(site)))
PY
}

# nginx without gzip, one fetcher, the site by its links
rc=0
zs crawl -q --depth 100 --robots off "$BASE/index.html" \
    --warc "$T/plain.warc.gz" -o "$T/plain.jsonl" 2>"$T/plain.err" || rc=$?
[ $rc = 0 ] || { cat "$T/plain.err" >&2; fail "crawl exit $rc"; }
assert_no_crash "$T/plain.err"
assert_pages_once "$T/plain.jsonl"
check_warc "$T/plain.warc.gz" "" plain 1

# nginx's gzip, two fetchers appending to one file, the pages as seeds
# (a fetcher that joins after the crawl's end writes no warcinfo, hence
# "1,2")
sed "s|^|$BASE/gz|" "$T/pages.txt" >"$T/gz-seeds.txt"
rc=0
zs crawl -q --fetchers 2 --seeds "$T/gz-seeds.txt" --warc "$T/gz.warc.gz" \
    -o "$T/gz.jsonl" 2>"$T/gz.err" || rc=$?
[ $rc = 0 ] || { cat "$T/gz.err" >&2; fail "gzip crawl exit $rc"; }
assert_no_crash "$T/gz.err"
assert_eq "$(count_records "$T/gz.jsonl")" "$N" "records of the gzip crawl"
grep -q ' /gz/index.html 200 ' "$T/nginx/access.log" ||
    fail "nginx did not serve /gz/"
check_warc "$T/gz.warc.gz" /gz gzip 1,2

# a file in no folder: exit 2, a message
for prog in "$ZSCRAPE crawl -q" "$BIN/zscrape-sink --bind ipc://$T/tmp/s"; do
    # shellcheck disable=SC2086 # the program and its first words
    expect_usage_error "--warc in no folder" \
        "--warc: cannot open '$T/no/x.warc.gz' to append" \
        $prog --warc "$T/no/x.warc.gz" "$BASE/index.html"
done
expect_usage_error "zscrape-fetcher --warc in no folder" \
    "--warc: cannot open '$T/no/x.warc.gz' to append" \
    "$BIN/zscrape-fetcher" --coordinator "ipc://$T/tmp/f" \
    --warc "$T/no/x.warc.gz"
note "WARC records: gzip members, lengths, digests, payloads, links"
exit 0
