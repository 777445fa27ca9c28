#!/bin/bash
# t0002: one crawl meets every common failure; each URL gets its record
# with the right error code, and the crawl itself succeeds.
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start '
        location = /sleep { default_type text/html; echo_sleep 5;
                            echo "<html><title>late</title></html>"; }
        location = /loop { return 302 /loop; }
        location = /data.json { default_type application/json;
                                return 200 "{\"a\": 1}"; }
'
cat >"$T/www/ok.html" <<'HTML'
<!DOCTYPE html><html><head><title>All good</title></head>
<body><a href="/missing.html">a dead link</a></body></html>
HTML
python3 - "$T/www" <<'PY'
import sys, zlib, struct
d = sys.argv[1]
with open(d + "/big.html", "w") as f:             # 2 MB of HTML
    f.write("<!DOCTYPE html><html><head><title>big</title></head><body>\n")
    f.write(("<p>" + "x" * 92 + "</p>\n") * 20000)  # 100 bytes a line
    f.write("</body></html>\n")
def chunk(k, b):
    return (struct.pack(">I", len(b)) + k + b +
            struct.pack(">I", zlib.crc32(k + b)))
png = (b"\x89PNG\r\n\x1a\n" +
       chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
       chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) +
       chunk(b"IEND", b""))
open(d + "/pic.png", "wb").write(png)
PY
dead=$(free_port)

cat >"$T/seeds.txt" <<SEEDS
$BASE/ok.html
$BASE/missing.html
http://127.0.0.1:$dead/nothing-listens.html
$BASE/sleep
$BASE/loop
$BASE/big.html
$BASE/pic.png
$BASE/data.json
SEEDS

start=$(date +%s)
zs crawl --seeds "$T/seeds.txt" -o "$T/out.jsonl" -q --retries 0 \
    --timeout 1 --max-bytes 1000000 >"$T/stdout" 2>"$T/stderr" || {
    rc=$?
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
}
secs=$(($(date +%s) - start))
assert_no_crash "$T/stderr"
records_py "$T/out.jsonl" '
base, dead = args
want = [   # url, error, allowed statuses
    (base + "/ok.html", None, {200}),
    (base + "/missing.html", "http", {404}),
    ("http://127.0.0.1:%s/nothing-listens.html" % dead, "connect", {0}),
    (base + "/sleep", "timeout", {0}),
    (base + "/loop", "redirects", {302}),
    (base + "/big.html", "too_large", {200}),
    (base + "/pic.png", "not_html", {200}),
    (base + "/data.json", "not_html", {200}),
]
problems = []
if len(recs) != len(want):
    problems.append("%d records, want %d: %s" % (len(recs), len(want),
                    [r["url"] for r in recs]))
for url, err, statuses in want:
    r = by_url.get(url)
    if r is None:
        problems.append("no record for %s" % url)
        continue
    if r["error"] != err:
        problems.append("%s: error %r, want %r" % (url, r["error"], err))
    if r["status"] not in statuses:
        problems.append("%s: status %r, want %s" % (url, r["status"],
                        " or ".join(map(str, sorted(statuses)))))
r = by_url.get(base + "/ok.html")
if r and r["title"] != "All good":
    problems.append("ok.html: title %r" % r["title"])
if r and r["links"] != [base + "/missing.html"]:
    problems.append("ok.html: links %r" % r["links"])
r = by_url.get(base + "/pic.png")
if r and not (r["content_type"] or "").startswith("image/png"):
    problems.append("pic.png: content_type %r" % r["content_type"])
r = by_url.get(base + "/sleep")
if r and not 900 <= r["elapsed_ms"] <= 4000:
    problems.append("sleep: elapsed_ms %r, want about 1000 (--timeout 1)"
                    % r["elapsed_ms"])
if problems:
    die("\n  ".join(problems))
' "$BASE" "$dead"
[ "$secs" -le 15 ] || fail "crawl took ${secs}s, want a few seconds"
# --retries 0: the 404 was asked for once
n=$(grep -c ' /missing.html 404 ' "$T/nginx/access.log" || true)
assert_eq "$n" 1 "requests for the 404 page with --retries 0"
# the contract's record shape, last: the checks above say more
check_records "$T/out.jsonl"
