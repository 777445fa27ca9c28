#!/bin/bash
# t0066: SOCKS5 proxies, through a real SOCKS server (Dante's danted from
# Debian, on loopback, started and stopped by the test):
#   - --proxy socks5h://: every page of a generated site once, all 200,
#     and danted's log shows the connections it passed;
#   - --proxies with that danted and a second one whose rules refuse
#     every connection, --retries 0: every page once, all 200 (the
#     refusal is the proxy's failure, tried again through the other
#     without a retry), the refusing one benched in --stats;
#   - through the good danted to a port nothing listens on: the origin's
#     failure, not the proxy's: an error record, and the proxy is not
#     benched.
. "$(dirname "$0")/lib.sh"
require_bins
command -v danted >/dev/null || fail "danted not installed (dante-server)"

N=40
nginx_start
gen_site $N

# danted_start NAME RULE: a danted on a free port whose socks rule is
# RULE (pass or block); sets DT_PORT
danted_start()
{
    local name=$1 rule=$2 i
    DT_PORT=$(free_port)
    cat >"$T/$name.conf" <<EOF
logoutput: $T/$name.log
internal: 127.0.0.1 port = $DT_PORT
external: 127.0.0.1
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error }
socks $rule { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect error }
EOF
    danted -f "$T/$name.conf" -p "$T/$name.pid" -N 2 >"$T/$name.out" 2>&1 &
    track_pid $!
    for i in $(seq 50); do
        port_answers "$DT_PORT" && return 0
        sleep 0.1
    done
    cat "$T/$name.out" "$T/$name.log" >&2 2>/dev/null
    fail "danted $name did not start"
}
danted_start good pass
GOOD=$DT_PORT
danted_start bad block
BAD=$DT_PORT

# one SOCKS5 proxy, names resolved by the proxy
rc=0
zs crawl -q --depth 100 --robots off --proxy "socks5h://127.0.0.1:$GOOD" \
    "$BASE/index.html" -o "$T/out1.jsonl" 2>"$T/crawl1.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl1.err" >&2; fail "crawl 1 exit $rc"; }
assert_no_crash "$T/crawl1.err"
check_site_records "$T/out1.jsonl" "$BASE" "$T/pages.txt" all "socks5h"
n=$(grep -c "pass(1): tcp/connect" "$T/good.log" || true)
[ "$n" -ge 1 ] || { cat "$T/good.log" >&2; fail "danted passed nothing"; }
note "socks5h: $N pages over $n SOCKS connections"

# a rotation with a proxy that refuses everything, --retries 0
printf 'socks5://127.0.0.1:%s\nsocks5h://127.0.0.1:%s\n' "$BAD" "$GOOD" \
    >"$T/proxies.txt"
rc=0
zs crawl -q --depth 100 --robots off --proxies "$T/proxies.txt" \
    --retries 0 --stats "$T/stats2.json" "$BASE/index.html" \
    -o "$T/out2.jsonl" 2>"$T/crawl2.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl2.err" >&2; fail "crawl 2 exit $rc"; }
assert_no_crash "$T/crawl2.err"
check_site_records "$T/out2.jsonl" "$BASE" "$T/pages.txt" all "rotation"
python3 - "$T/stats2.json" "socks5://127.0.0.1:$BAD" \
    "socks5h://127.0.0.1:$GOOD" "$N" <<'PY' || fail "the refusing proxy"
import json, sys
s = json.load(open(sys.argv[1]))
px, bad, good, n = s["proxies"], sys.argv[2], sys.argv[3], int(sys.argv[4])
print("# refusing + good SOCKS proxies, --retries 0: %r; proxy_retries %d"
      % (px, s["proxy_retries"]))
b, g = px.get(bad, {}), px.get(good, {})
if b.get("ok") != 0 or b.get("failures", 0) < 3 or b.get("benched", 0) < 1:
    sys.exit("FAIL: the refusing proxy: %r, want failures, benched" % b)
if g.get("ok") != n or g.get("failures"):
    sys.exit("FAIL: the good proxy: %r, want ok == %d" % (g, n))
if s["retries"] != 0:
    sys.exit("FAIL: %d retries spent on proxy failures" % s["retries"])
PY
grep -q "block(1): tcp/connect" "$T/bad.log" ||
    { cat "$T/bad.log" >&2; fail "the refusing danted refused nothing"; }

# through the good proxy to a dead origin: the origin's failure
DEAD=$(free_port)
rc=0
printf 'socks5://127.0.0.1:%s\n' "$GOOD" >"$T/good.txt"
zs crawl -q --robots off --proxies "$T/good.txt" --retries 0 \
    --stats "$T/stats3.json" \
    "http://127.0.0.1:$DEAD/x" -o "$T/out3.jsonl" 2>"$T/crawl3.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl3.err" >&2; fail "crawl 3 exit $rc"; }
records_py "$T/out3.jsonl" '
r = recs[0]
if len(recs) != 1 or r["status"] != 0 or r["error"] != "connect":
    die("a dead origin through SOCKS: %r" % recs)
print("# dead origin through SOCKS: error %s" % r["error"])
'
python3 - "$T/stats3.json" <<'PY' || fail "the proxy was blamed for the origin"
import json, sys
px = list(json.load(open(sys.argv[1]))["proxies"].values())
if len(px) != 1 or px[0]["failures"] or px[0]["benched"]:
    sys.exit("FAIL: %r: the origin's failure counted against the proxy" % px)
PY
echo ok
