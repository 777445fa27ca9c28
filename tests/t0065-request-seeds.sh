#!/bin/bash
# t0065: request seeds (README "Request seeds"): JSON lines in a seeds
# file send POST, PUT, DELETE with headers and bodies, as nginx sees them
# (an echo location answers each request with its method, X-Token,
# Content-Type and body in the page's <title>):
#   - form, json and body give the body and Content-Type; a seed's
#     X-Token replaces --header's, the others keep --header's;
#   - two POSTs to one URL are two records, keyed url#METHOD-HASH or by
#     the seed's own fragment (its label); a repeated seed is dropped;
#   - a POST answered by 303 goes on as a GET (final_url the target);
#   - bad lines are FILE:LINE: column N: why, and skipped;
#   - --warc: the request records hold the bodies;
#   - --state keeps the requests: a crawl stopped by --max-pages resumes
#     from its journal alone and still sends the right requests.
. "$(dirname "$0")/lib.sh"
require_bins

NGINX_HTTP_EXTRA="    client_body_buffer_size 1m;
    log_format req '\$request_method \$request_uri \"\$http_x_token\" \$content_length';"
nginx_start "
        access_log $T/nginx/req.log req;
        location /api/ {
            default_type text/html;
            charset utf-8;
            echo_read_request_body;
            echo '<title>\$request_method|\$http_x_token|\$content_type|\$request_body</title>';
        }
        location = /see-other {
            return 303 /api/after;
        }"
LOG=$T/nginx/req.log
A=$BASE/api/search

cat >"$T/seeds.txt" <<EOF
$BASE/api/plain
{"url": "$A", "form": {"q": "red shoes", "page": "2"}}
{"url": "$A", "json": {"q": "boots", "n": [1, 2]}, "headers": {"X-Token": "seed-token"}}
{"url": "$A#mine", "method": "PUT", "body": "raw \\u00e9 text"}
{"url": "$A", "method": "DELETE"}
  {"url": "$A", "form": {"q": "red shoes", "page": "2"}}
{"url": "$BASE/see-other", "body": "x=1"}
{"url": "$A", "bogus": 1}
{"url": "$A", "method": "GET", "body": "x"}
{"url": "$A", "headers": {"X-Token": "a\\nb"}}
{"url": "$A"
EOF

rc=0
zs crawl -q --seeds "$T/seeds.txt" --header 'X-Token: global' \
    --warc "$T/out.warc.gz" -o "$T/out.jsonl" 2>"$T/crawl.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl.err" >&2; fail "crawl exit $rc"; }
assert_no_crash "$T/crawl.err"
for want in "seeds.txt:8: column [0-9]*: unknown key 'bogus'" \
    "seeds.txt:9: column [0-9]*: a GET request has no body" \
    "seeds.txt:10: column [0-9]*: header 'X-Token' holds a line break" \
    "seeds.txt:11: column [0-9]*: bad JSON"; do
    grep -q "$want" "$T/crawl.err" || {
        cat "$T/crawl.err" >&2
        fail "no warning '$want'"
    }
done

records_py "$T/out.jsonl" '
base, = args
a = base + "/api/search"
titles = {}
for r in recs:
    if r["status"] != 200 or r["error"] is not None:
        die("%s: status %r error %r" % (r["url"], r["status"], r["error"]))
    titles.setdefault(r["url"].split("#")[0] + ("#" if "#" in r["url"] else ""), []).append(r["title"])
if len(recs) != 6:
    die("%d records, want 6 (a repeated seed is dropped)" % len(recs))
want = {
    "POST|global|application/x-www-form-urlencoded|q=red%20shoes&page=2",
    "POST|seed-token|application/json|{\"q\": \"boots\", \"n\": [1, 2]}",
    "PUT|global||raw \u00e9 text",
    "DELETE|global||",
}
got = set(t for r in recs if r["url"].startswith(a) for t in [r["title"]])
if got != want:
    die("api titles %r, want %r" % (sorted(got), sorted(want)))
keys = sorted(r["url"] for r in recs if r["url"].startswith(a))
if a + "#mine" not in keys:
    die("no record keyed by the label: %r" % keys)
import re
hashed = [k for k in keys if re.fullmatch(re.escape(a) + "#(POST|DELETE)-[0-9a-f]{16}", k)]
if len(hashed) != 3:
    die("keys %r: want 3 url#METHOD-HASH" % keys)
for r in recs:
    if "#" in r["final_url"]:
        die("final_url %r has a fragment" % r["final_url"])
p = by_url[base + "/api/plain"]
if p["title"] != "GET|global||":
    die("plain seed: %r" % p["title"])
so = [r for r in recs if r["url"].startswith(base + "/see-other#POST-")]
if len(so) != 1 or so[0]["final_url"] != base + "/api/after" or not so[0]["title"].startswith("GET|"):
    die("303 after a POST: %r" % so)
' "$BASE"

# --warc: a request record holds the request's body after its head, and
# names the URL without the label
python3 - "$T/out.warc.gz" "$A" <<'PY' || fail "POST bodies in the WARC file"
import sys, zlib
data, a = open(sys.argv[1], "rb").read(), sys.argv[2]
reqs = []
while data:
    d = zlib.decompressobj(31)
    rec = d.decompress(data)
    data = d.unused_data
    head, _, block = rec.partition(b"\r\n\r\n")
    if b"WARC-Type: request" in head:
        uri = [l for l in head.split(b"\r\n") if l.startswith(b"WARC-Target-URI:")]
        reqs.append((uri[0].split(b" ", 1)[1].decode(), block.rstrip(b"\r\n")))
want = b"\r\n\r\nq=red%20shoes&page=2"
hit = [u for u, b in reqs if b.startswith(b"POST /api/search ") and b.endswith(want)]
if hit != [a]:
    sys.exit("request records %r: want one POST of the form to %s" % (reqs, a))
if any("#" in u for u, _ in reqs):
    sys.exit("a WARC-Target-URI with a fragment: %r" % [u for u, _ in reqs])
PY

# nginx: one request a record (the repeated seed was not sent), the seed's
# X-Token alone where it set one
n=$(grep -c . "$LOG")
[ "$n" = 7 ] || { cat "$LOG" >&2; fail "nginx saw $n requests, want 7"; }
grep -q '^POST /api/search "seed-token" ' "$LOG" ||
    { cat "$LOG" >&2; fail "the seed's X-Token did not replace --header's"; }
grep -q '^POST /see-other "global" 3$' "$LOG" ||
    { cat "$LOG" >&2; fail "the POST to /see-other is not in the log"; }

# --state: stop after 2, resume from the journal alone (another seed on
# the command line, the request seeds only in DIR/requests): other seeds
# than the folder was made with need --force-resume, which says so
: >"$LOG"
grep '^{' "$T/seeds.txt" | head -n 4 >"$T/req4.txt"
rc=0
zs crawl -q --seeds "$T/req4.txt" --state "$T/st" --max-pages 2 \
    -o "$T/st.jsonl" 2>"$T/st1.err" || rc=$?
[ $rc = 0 ] || { cat "$T/st1.err" >&2; fail "state crawl exit $rc"; }
[ "$(file_lines "$T/st.jsonl")" = 2 ] || fail "--max-pages 2 wrote $(file_lines "$T/st.jsonl")"
[ "$(grep -c . "$T/st/requests")" = 4 ] ||
    fail "DIR/requests holds $(grep -c . "$T/st/requests") lines, want 4"
rc=0
zs crawl -q --state "$T/st" "$BASE/api/plain" -o "$T/st.jsonl" \
    --force-resume 2>"$T/st2.err" || rc=$?
[ $rc = 0 ] || { cat "$T/st2.err" >&2; fail "resume exit $rc"; }
grep -q "^zscrape: --force-resume: .*other options" "$T/st2.err" &&
    grep -q "^  --seeds and URLs: other seeds" "$T/st2.err" ||
    { cat "$T/st2.err" >&2; fail "--force-resume does not say the seeds differ"; }
assert_no_crash "$T/st1.err" "$T/st2.err"
records_py "$T/st.jsonl" '
if len(recs) != 5 or len(by_url) != 5:
    die("%d records (%d URLs), want 5" % (len(recs), len(by_url)))
methods = sorted(r["title"].split("|")[0] for r in recs)
if methods != ["DELETE", "GET", "POST", "POST", "PUT"]:
    die("methods %r" % methods)
'
n=$(grep -c . "$LOG")
[ "$n" = 5 ] || { cat "$LOG" >&2; fail "nginx saw $n requests, want 5"; }
echo "ok"
