#!/bin/bash
# t0060: TLS and HTTP/2.  A CA made here with openssl signs nginx's server
# certificate (for 127.0.0.1) and a client certificate; nginx listens with
# `ssl http2` and asks for a client certificate on /client/.  A crawl of a
# generated site over https:
#   - with --cacert CA: every page once, all 200, and nginx's log shows
#     every request as HTTP/2.0, over fewer connections than HTTP/1.1
#     needs (transfers share a connection);
#   - without --cacert (the system's CAs do not know ours): every record
#     is error tls, status 0, crawling too (robots.txt on: it fails with
#     tls, and its pages say tls, not robots);
#   - with --insecure: every page once, and the warning is logged once
#     for the crawl (two fetchers);
#   - with --http1.1: every request in nginx's log is HTTP/1.1;
#   - /client/: 200 with --cert and --key, 403 (error http) without;
#   - a --cacert, --cert or --key that names no readable file is exit 2
#     with a message naming it: from the launcher, the sink and the
#     fetcher alike; --key without --cert is exit 2 too.
. "$(dirname "$0")/lib.sh"
require_bins
command -v openssl >/dev/null || fail "openssl not installed"

N=60
P=$T/pki
mkdir -p "$P"
# quiet_ssl ARGS...: openssl, its chatter shown only when it fails
quiet_ssl()
{
    openssl "$@" >"$P/openssl.log" 2>&1 ||
        { cat "$P/openssl.log" >&2; fail "openssl $1 failed"; }
}
quiet_ssl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" \
    -out "$P/ca.pem" -days 2 -subj "/CN=zscrape test CA"
# cert NAME SUBJ EXT: a key and a certificate signed by the CA
cert()
{
    quiet_ssl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" \
        -out "$P/$1.csr" -subj "$2"
    printf '%s\n' "$3" >"$P/$1.ext"
    quiet_ssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" \
        -CAcreateserial -out "$P/$1.pem" -days 2 -extfile "$P/$1.ext"
}
cert server "/CN=127.0.0.1" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
cert client "/CN=zscrape client" "extendedKeyUsage=clientAuth"

NGINX_LISTEN_OPTS="ssl http2"
NGINX_HTTP_EXTRA="    log_format tls '\$server_protocol \$connection \$request_uri \$status';"
nginx_start "
        ssl_certificate $P/server.pem;
        ssl_certificate_key $P/server.key;
        ssl_client_certificate $P/ca.pem;
        ssl_verify_client optional;
        access_log $T/nginx/tls.log tls;
        location /client/ {
            if (\$ssl_client_verify != SUCCESS) { return 403; }
            default_type text/html;
            return 200 '<title>for \$ssl_client_s_dn</title>';
        }"
BASE=https://127.0.0.1:$NGINX_PORT
gen_site $N
LOG=$T/nginx/tls.log

# crawl NAME ARGS...: a crawl of the site with every page a seed (so
# several transfers start at once: HTTP/1.1 needs a connection each,
# HTTP/2 shares one, whatever the machine's speed), nginx's log of it in
# $T/NAME.log, the launcher's stderr in $T/NAME.err
sed "s|^|$BASE|" "$T/pages.txt" >"$T/seeds.txt"
crawl()
{
    local name=$1 rc=0
    shift
    : >"$LOG"
    zs crawl -q --depth 100 --robots off "$@" --seeds "$T/seeds.txt" \
        -o "$T/$name.jsonl" 2>"$T/$name.err" || rc=$?
    [ $rc = 0 ] || { cat "$T/$name.err" >&2; fail "$name: crawl exit $rc"; }
    cp "$LOG" "$T/$name.log"
    assert_no_crash "$T/$name.err"
}

# protocols NAME: "PROTOCOL COUNT" lines of the crawl's requests
protocols()
{
    awk '{ print $1 }' "$T/$1.log" | sort | uniq -c | awk '{ print $2, $1 }'
}

# connections NAME: how many connections its requests came on
connections()
{
    awk '{ print $2 }' "$T/$1.log" | sort -u | wc -l
}

# --cacert: verified, HTTP/2
crawl h2 --cacert "$P/ca.pem"
check_records "$T/h2.jsonl"
check_site_records "$T/h2.jsonl" "$BASE" "$T/pages.txt"
assert_eq "$(protocols h2)" "HTTP/2.0 $N" "h2: protocols of the requests"
h2_conns=$(connections h2)

# --http1.1
crawl h1 --cacert "$P/ca.pem" --http1.1
check_site_records "$T/h1.jsonl" "$BASE" "$T/pages.txt"
assert_eq "$(protocols h1)" "HTTP/1.1 $N" "--http1.1: protocols"
h1_conns=$(connections h1)
note "$N pages: HTTP/2 on $h2_conns connection(s), HTTP/1.1 on $h1_conns"
[ "$h2_conns" -lt "$h1_conns" ] ||
    fail "HTTP/2 used $h2_conns connections, HTTP/1.1 $h1_conns: no sharing"

# no --cacert: the system's CAs do not know ours
rc=0
zs crawl -q $(sed -n "1,5s|^|$BASE|p" "$T/pages.txt") \
    -o "$T/untrusted.jsonl" 2>"$T/untrusted.err" || rc=$?
[ $rc = 0 ] || { cat "$T/untrusted.err" >&2; fail "untrusted: exit $rc"; }
records_py "$T/untrusted.jsonl" '
if len(recs) != 5:
    die("%d records, want 5" % len(recs))
bad = [r for r in recs if r["error"] != "tls" or r["status"] != 0]
if bad:
    die("not error tls, status 0: %s" % bad[:2])
'
# the same while crawling (--depth 2: robots.txt on): robots.txt cannot
# be fetched either, and its pages say why (tls), not "robots"; it is
# asked for once, not once a page
: >"$LOG"
rc=0
zs crawl -q --depth 2 $(sed -n "1,5s|^|$BASE|p" "$T/pages.txt") \
    -o "$T/untrusted2.jsonl" 2>"$T/untrusted2.err" || rc=$?
[ $rc = 0 ] || { cat "$T/untrusted2.err" >&2; fail "untrusted2: exit $rc"; }
records_py "$T/untrusted2.jsonl" '
if len(recs) != 5:
    die("%d records, want 5" % len(recs))
bad = [r for r in recs if r["error"] != "tls" or r["status"] != 0]
if bad:
    die("crawling, not error tls, status 0: %s" % bad[:2])
'
grep -q "robots.txt of https://127.0.0.1:$NGINX_PORT unreachable (tls)" \
    "$T/untrusted2.err" ||
    fail "untrusted2: no word of robots.txt failing with tls"

# --insecure: fetched, one warning for the crawl
crawl insecure --insecure --fetchers 2
check_site_records "$T/insecure.jsonl" "$BASE" "$T/pages.txt"
n=$(grep -c "NOT verify" "$T/insecure.err" || true)
assert_eq "$n" 1 "--insecure warnings with two fetchers"
grep "NOT verify" "$T/insecure.err" | sed 's/^/# /'

# client certificates
client()
{
    local rc=0
    zs crawl -q --cacert "$P/ca.pem" "$@" "$BASE/client/a" \
        -o "$T/client.jsonl" 2>"$T/client.err" || rc=$?
    [ $rc = 0 ] || { cat "$T/client.err" >&2; fail "client: exit $rc"; }
    records_py "$T/client.jsonl" 'r = recs[0]; print(r["status"], r["error"], r["title"])'
}
got=$(client --cert "$P/client.pem" --key "$P/client.key")
assert_eq "$got" "200 None for CN=zscrape client" "with a client certificate"
got=$(client)
assert_eq "$got" "403 http None" "without a client certificate"
cat "$P/client.pem" "$P/client.key" >"$P/both.pem"
got=$(client --cert "$P/both.pem")
assert_eq "$got" "200 None for CN=zscrape client" "certificate and key in one file"

# files that are not there: exit 2, naming them
for o in --cacert --cert --key; do
    expect_usage_error "zscrape crawl $o" "$o: cannot read '$T/nope.pem'" \
        "$ZSCRAPE" crawl -q $o "$T/nope.pem" "$BASE/index.html"
    expect_usage_error "zscrape-sink $o" "$o: cannot read '$T/nope.pem'" \
        "$BIN/zscrape-sink" --bind "ipc://$T/tmp/s" $o "$T/nope.pem" \
        "$BASE/index.html"
    expect_usage_error "zscrape-fetcher $o" "$o: cannot read '$T/nope.pem'" \
        "$BIN/zscrape-fetcher" --coordinator "ipc://$T/tmp/f" \
        $o "$T/nope.pem"
done
expect_usage_error "zscrape-sink --cacert DIR" "--cacert: '$P' is not a file" \
    "$BIN/zscrape-sink" --bind "ipc://$T/tmp/s" --cacert "$P" "$BASE/"
expect_usage_error "--key without --cert" "--key: needs --cert" \
    "$ZSCRAPE" crawl -q --key "$P/client.key" "$BASE/index.html"
note "TLS verified with --cacert, refused without, HTTP/2 and --http1.1"
exit 0
