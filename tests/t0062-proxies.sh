#!/bin/bash
# t0062: --proxies FILE, with two tinyproxy instances (each names itself
# in the Via header it adds, which nginx logs) and a dead proxy (a port
# nothing listens on) in the list.  A crawl of a generated site:
#   - every page once, all 200: the transfers that went to the dead proxy
#     went again through another one (proxy_retries in --stats is above
#     0, the dead proxy has failures);
#   - every request reached nginx through a proxy, and both live proxies
#     took a share (round robin).
# A rotation of tp1 and the dead proxy (listed with credentials), with
# --retries 0 and two fetchers:
#   - every page once, all 200: a proxy failure costs no retry;
#   - --stats "proxies" is keyed by the URLs without credentials: the
#     dead one benched (>= 1) with failures and no answer, tp1 with
#     ok == requests == the pages; one warning per bench names the dead
#     proxy; the credentials are in no log and not in the stats;
#   - tp1's own log and nginx's show every page through tp1.
# Keep-alive through a proxy: the site over https (a second nginx server,
# TLS, --http1.1) through tp1's CONNECT tunnels: every page once, over
# far fewer tunnels and connections than pages (tinyproxy itself closes
# a plain-http client connection after each request, so only a tunnel
# can show it).
# A proxy that wants credentials (tinyproxy BasicAuth): without them it
# answers 407, a proxy failure: with tp1 beside it and --retries 0 every
# page arrives through tp1 and the 407 proxy is benched; with them in its
# URL every page goes through it, and the password is in no log.
# And the usage errors:
#   - a proxy file with a bad line is exit 2 naming FILE:LINE without
#     echoing it (it may hold credentials); an empty one, a missing one,
#     and --proxy with --proxies are exit 2 too.
. "$(dirname "$0")/lib.sh"
require_bins
command -v tinyproxy >/dev/null || fail "tinyproxy not installed"

N=80
command -v openssl >/dev/null || fail "openssl not installed"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" \
    -out "$T/cert.pem" >"$T/openssl.log" 2>&1 ||
    { cat "$T/openssl.log" >&2; fail "openssl req failed"; }
TLS_PORT=$(free_port)
NGINX_HTTP_EXTRA="    log_format via '\$request_uri \$status \"\$http_via\"';
    log_format conn '\$connection \$server_protocol \$request_uri \$status';
    server {
        listen 127.0.0.1:$TLS_PORT ssl;
        ssl_certificate $T/cert.pem;
        ssl_certificate_key $T/key.pem;
        root $T/www;
        access_log $T/nginx/tls.log conn;
    }"
nginx_start "
        access_log $T/nginx/via.log via;"
gen_site $N

# tinyproxy_start NAME [CONF]: a tinyproxy on a free port naming itself
# NAME in Via, with the CONF lines added; sets TP_PORT
tinyproxy_start()
{
    local name=$1 extra=${2:-} i
    TP_PORT=$(free_port)
    cat >"$T/$name.conf" <<EOF
Port $TP_PORT
Listen 127.0.0.1
Timeout 30
MaxClients 200
Allow 127.0.0.1
LogFile "$T/$name.log"
LogLevel Info
ViaProxyName "$name"
$extra
EOF
    tinyproxy -d -c "$T/$name.conf" >"$T/$name.out" 2>&1 &
    track_pid $!
    for i in $(seq 50); do
        port_answers "$TP_PORT" && return 0
        sleep 0.1
    done
    cat "$T/$name.out" "$T/$name.log" >&2 2>/dev/null
    fail "tinyproxy $name did not start"
}
tinyproxy_start tp1
P1=$TP_PORT
tinyproxy_start tp2
P2=$TP_PORT
DEAD=$(free_port)
cat >"$T/proxies.txt" <<EOF
# two proxies and a dead one
http://127.0.0.1:$P1

http://127.0.0.1:$DEAD/
  http://127.0.0.1:$P2
EOF

rc=0
zs crawl -q --depth 100 --robots off --proxies "$T/proxies.txt" \
    --retries 2 --stats "$T/stats.json" "$BASE/index.html" \
    -o "$T/out.jsonl" 2>"$T/crawl.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl.err" >&2; fail "crawl exit $rc"; }
assert_no_crash "$T/crawl.err"
check_site_records "$T/out.jsonl" "$BASE" "$T/pages.txt"
python3 - "$T/nginx/via.log" "$T/stats.json" "$N" "http://127.0.0.1:$DEAD" \
    <<'PY' || fail "proxies"
import json, re, sys
log, stats, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
by = {}
for line in open(log):
    m = re.search(r'"(.*)"$', line.strip())
    via = m.group(1) if m else "-"
    name = re.search(r"\b(tp[12])\b", via)
    key = name.group(1) if name else via
    by[key] = by.get(key, 0) + 1
s = json.load(open(stats))
px = s["proxies"]
print("# requests by proxy: %s; proxy_retries: %d; proxies: %s"
      % (by, s["proxy_retries"], px))
if set(by) != {"tp1", "tp2"}:
    sys.exit("FAIL: requests not through tp1 and tp2: %r" % by)
if min(by.values()) < n // 4:
    sys.exit("FAIL: one proxy took almost nothing: %r" % by)
if s["proxy_retries"] < 1 or px.get(sys.argv[4], {}).get("failures", 0) < 1:
    sys.exit("FAIL: no proxy failure: was the dead proxy ever tried?")
PY

# tp1 and the dead proxy, --retries 0: no page lost, the dead one benched
printf 'http://zs-user:pw-secret@127.0.0.1:%s/\nhttp://127.0.0.1:%s\n' \
    "$DEAD" "$P1" >"$T/one-live.txt"
: >"$T/nginx/via.log"
: >"$T/tp1.log"
rc=0
zs crawl -q --depth 100 --robots off --proxies "$T/one-live.txt" \
    --retries 0 --fetchers 2 --stats "$T/stats2.json" "$BASE/index.html" \
    -o "$T/out2.jsonl" 2>"$T/crawl2.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl2.err" >&2; fail "crawl 2 exit $rc"; }
assert_no_crash "$T/crawl2.err"
check_site_records "$T/out2.jsonl" "$BASE" "$T/pages.txt" all "one live"
! grep -q pw-secret "$T/stats2.json" "$T/crawl2.err" ||
    fail "the dead proxy's credentials are in the stats or the log"
python3 - "$T/stats2.json" "$N" "http://127.0.0.1:$DEAD" \
    "http://127.0.0.1:$P1" "$T/crawl2.err" "$T/tp1.log" "$T/nginx/via.log" \
    <<'PY' || fail "benched proxy"
import json, re, sys
stats, n, dead, live, err, tplog, vialog = sys.argv[1:]
n = int(n)
s = json.load(open(stats))
px = s["proxies"]
print("# one live, one dead, --retries 0: %s; proxy_retries %d, retries %d"
      % (px, s["proxy_retries"], s["retries"]))
if set(px) != {dead, live}:
    sys.exit("FAIL: proxies keyed %r, want %r" % (sorted(px), [dead, live]))
d, l = px[dead], px[live]
if d["benched"] < 1 or d["failures"] < 3 or d["ok"] != 0:
    sys.exit("FAIL: the dead proxy: %r (want benched, >= 3 failures)" % d)
if d["failures"] != d["requests"]:
    sys.exit("FAIL: the dead proxy: %r: a request that did not fail?" % d)
if l["ok"] != n or l["requests"] != n or l["failures"] or l["benched"]:
    sys.exit("FAIL: tp1: %r, want ok == requests == %d" % (l, n))
if s["retries"] != 0 or s["proxy_retries"] != d["failures"]:
    sys.exit("FAIL: retries %d, proxy_retries %d: want 0 and %d"
             % (s["retries"], s["proxy_retries"], d["failures"]))
warned = [x for x in open(err) if "proxy benched" in x]
if len(warned) != d["benched"] or dead + "'" not in warned[0]:
    sys.exit("FAIL: %d bench warnings for %d benches: %r"
             % (len(warned), d["benched"], warned[:2]))
gets = [x for x in open(tplog) if re.search(r"Request .*: GET http://", x)]
if len(gets) != n:
    sys.exit("FAIL: tp1's log shows %d requests, want %d" % (len(gets), n))
via = [x for x in open(vialog) if "tp1" in x]
if len(via) != n:
    sys.exit("FAIL: nginx saw %d requests through tp1, want %d"
             % (len(via), n))
PY

# 407: a proxy that wants credentials, without and with them
tinyproxy_start tpa "BasicAuth zsuser zs-pass-407"
PA=$TP_PORT
printf 'http://127.0.0.1:%s\nhttp://127.0.0.1:%s\n' "$PA" "$P1" \
    >"$T/auth-none.txt"
rc=0
zs crawl -q --depth 100 --robots off --proxies "$T/auth-none.txt" \
    --retries 0 --stats "$T/stats4.json" "$BASE/index.html" \
    -o "$T/out4.jsonl" 2>"$T/crawl4.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl4.err" >&2; fail "crawl 4 exit $rc"; }
assert_no_crash "$T/crawl4.err"
check_site_records "$T/out4.jsonl" "$BASE" "$T/pages.txt" all "407"
python3 - "$T/stats4.json" "http://127.0.0.1:$PA" "$N" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
a = s["proxies"].get(sys.argv[2], {})
print("# 407 proxy without credentials: %r" % a)
if a.get("ok") != 0 or a.get("failures", 0) < 3 or a.get("benched", 0) < 1:
    sys.exit("FAIL: want the 407 proxy benched with failures, no answer")
PY
    fail "a proxy answering 407 is not a proxy failure"
printf 'http://zsuser:zs-pass-407@127.0.0.1:%s\n' "$PA" >"$T/auth-ok.txt"
: >"$T/nginx/via.log"
rc=0
zs crawl -q --depth 100 --robots off --proxies "$T/auth-ok.txt" \
    --retries 0 "$BASE/index.html" -o "$T/out5.jsonl" \
    2>"$T/crawl5.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl5.err" >&2; fail "crawl 5 exit $rc"; }
check_site_records "$T/out5.jsonl" "$BASE" "$T/pages.txt" all "407 creds"
n=$(grep -c ' tpa ' "$T/nginx/via.log" || true)
[ "$n" = "$N" ] ||
    fail "nginx saw $n requests through the proxy with credentials, want $N"
! grep -q zs-pass-407 "$T/crawl4.err" "$T/crawl5.err" "$T/stats4.json" ||
    fail "the proxy's password is in a log or the stats"

# keep-alive through tp1's CONNECT tunnels
printf 'http://127.0.0.1:%s\n' "$P1" >"$T/tp1-only.txt"
sed "s|^|https://127.0.0.1:$TLS_PORT|" "$T/pages.txt" >"$T/tls-seeds.txt"
: >"$T/tp1.log"
rc=0
zs crawl -q --robots off --proxies "$T/tp1-only.txt" --http1.1 \
    --per-host 4 --cacert "$T/cert.pem" --seeds "$T/tls-seeds.txt" \
    --stats "$T/stats3.json" -o "$T/out3.jsonl" 2>"$T/crawl3.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl3.err" >&2; fail "crawl 3 exit $rc"; }
assert_no_crash "$T/crawl3.err"
check_site_records "$T/out3.jsonl" "https://127.0.0.1:$TLS_PORT" \
    "$T/pages.txt" all "tunnels"
python3 - "$T/nginx/tls.log" "$T/tp1.log" "$T/stats3.json" "$N" \
    <<'PY' || fail "keep-alive through the proxy"
import json, re, sys
log, tplog, stats, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
reqs = [l.split() for l in open(log) if l.strip()]
conns = {r[0] for r in reqs}
tunnels = [l for l in open(tplog) if re.search(r"Request .*: CONNECT ", l)]
ok = [p["ok"] for p in json.load(open(stats))["proxies"].values()]
print("# https through tp1: %d requests on %d connections, %d tunnels"
      % (len(reqs), len(conns), len(tunnels)))
if len(reqs) != n or {r[1] for r in reqs} != {"HTTP/1.1"} or ok != [n]:
    sys.exit("FAIL: %d requests (%s), proxy ok %r; want %d HTTP/1.1"
             % (len(reqs), {r[1] for r in reqs}, ok, n))
if not tunnels or len(tunnels) != len(conns) or len(conns) > n // 4:
    sys.exit("FAIL: %d connections, %d tunnels for %d requests: no "
             "keep-alive through the proxy" % (len(conns), len(tunnels), n))
PY

printf 'http://127.0.0.1:%s\nhttp://alice:pw-secret@ bad line\n' "$P1" \
    >"$T/bad.txt"
: >"$T/empty.txt"
for prog in "$ZSCRAPE crawl -q" "$BIN/zscrape-sink --bind ipc://$T/tmp/s"; do
    # shellcheck disable=SC2086 # the program and its first words
    {
    expect_usage_error "a bad line" "--proxies: $T/bad.txt:2: not a proxy URL" \
        $prog --proxies "$T/bad.txt" "$BASE/index.html"
    ! grep -q pw-secret "$T/usage.err" || fail "a bad line echoed"
    expect_usage_error "an empty file" "--proxies: no proxy URL in '$T/empty.txt'" \
        $prog --proxies "$T/empty.txt" "$BASE/index.html"
    }
done
expect_usage_error "a missing file" "--proxies: cannot read '$T/nope.txt'" \
    "$BIN/zscrape-fetcher" --coordinator "ipc://$T/tmp/f" \
    --proxies "$T/nope.txt"
expect_usage_error "--proxy and --proxies" "--proxy and --proxies: one or the other" \
    "$ZSCRAPE" crawl -q --proxy "http://127.0.0.1:$P1" \
    --proxies "$T/proxies.txt" "$BASE/index.html"
note "--proxies: round robin; a dead proxy is benched, costs no record, no retry"
exit 0
