#!/bin/bash
# t0061: request headers, the cookie jar and per-host credentials, as
# nginx sees them (its log has X-Test, X-Other, Cookie, the basic-auth
# user and Authorization of every request, by host name).  One crawl of a
# generated site on 127.0.0.1, plus pages on the same server under the
# host name localhost:
#   (--scope prefix: the localhost seed does not bring in the site's
#   links to localhost)
#   - --header (given twice, handed out twice by the sink): every request
#     carries both headers;
#   - --cookies JAR: the cookie the jar held at start goes with every
#     request to its host; the cookie /index.html sets comes back on every
#     page found from it; localhost gets neither; at the end the jar file
#     holds both;
#   - --auth 127.0.0.1=alice:PASS: every request to 127.0.0.1 is user
#     alice (/private/ is 200), none to localhost has credentials (its
#     /private/ is 401), not even through a redirect from 127.0.0.1;
#   - a bearer token by --header 'Authorization: Bearer ...' reaches the
#     host, and not the other host a redirect leads to;
#   - malformed values are exit 2 with a message (never the password).
. "$(dirname "$0")/lib.sh"
require_bins
command -v openssl >/dev/null || fail "openssl not installed"

N=30
PASS=s3cret-pw
printf 'alice:%s\n' "$(openssl passwd -apr1 "$PASS")" >"$T/htpasswd"
NGINX_HTTP_EXTRA="    log_format hdr '\$host \$request_uri \$status \"\$http_x_test\" \"\$http_x_other\" \"\$http_cookie\" \"\$remote_user\" \"\$http_authorization\"';"
nginx_start "
        access_log $T/nginx/hdr.log hdr;
        location = /index.html {
            add_header Set-Cookie 'zs_session=abc123; Path=/';
        }
        location /private/ {
            auth_basic zs;
            auth_basic_user_file $T/htpasswd;
        }
        location = /go-other {
            return 302 http://localhost:\$server_port/private/a.html;
        }"
LOG=$T/nginx/hdr.log
gen_site $N
mkdir -p "$T/www/private"
for p in a b; do
    echo "<title>private $p</title>" >"$T/www/private/$p.html"
done
OTHER=http://localhost:$NGINX_PORT
printf '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tzs_pre\tfromjar\n' \
    >"$T/jar.txt"

rc=0
zs crawl -q --depth 100 --scope prefix --robots off --cookies "$T/jar.txt" \
    --header 'X-Test: hello world' --header 'X-Other: 2' \
    --auth "127.0.0.1=alice:$PASS" \
    "$BASE/index.html" "$BASE/private/a.html" "$OTHER/private/b.html" \
    "$BASE/go-other" -o "$T/out.jsonl" 2>"$T/crawl.err" || rc=$?
[ $rc = 0 ] || { cat "$T/crawl.err" >&2; fail "crawl exit $rc"; }
assert_no_crash "$T/crawl.err"
# the records: the site once, the private pages by host
records_py "$T/out.jsonl" '
base, other, pages = args
site = set(base + l.strip() for l in open(pages) if l.strip())
want = {base + "/private/a.html": (200, None, "private a"),
        other + "/private/b.html": (401, "http", None),
        base + "/go-other": (401, "http", None)}
for u, w in want.items():
    r = by_url.get(u)
    got = r and (r["status"], r["error"], r["title"])
    if got != w:
        die("%s: %r, want %r" % (u, got, w))
if by_url[base + "/go-other"]["final_url"] != other + "/private/a.html":
    die("go-other: final_url %r" % by_url[base + "/go-other"]["final_url"])
rest = set(by_url) - set(want)
if rest != site or len(recs) != len(site) + len(want):
    die("%d records, want the %d pages and 3 more once" % (len(recs), len(site)))
' "$BASE" "$OTHER" "$T/pages.txt"

# nginx's view of every request
python3 - "$LOG" "$T/pages.txt" <<'PY' || fail "requests as nginx saw them"
import re, shlex, sys
log, pages = sys.argv[1:]
site = set(l.strip() for l in open(pages) if l.strip())
problems, n = [], {"127.0.0.1": 0, "localhost": 0}
for line in open(log):
    host, uri, status, xt, xo, cookie, user, authz = shlex.split(line)
    n[host] = n.get(host, 0) + 1
    where = "%s %s" % (host, uri)
    if (xt, xo) != ("hello world", "2"):
        problems.append("%s: X-Test %r X-Other %r" % (where, xt, xo))
    jar = dict(c.split("=", 1) for c in cookie.split("; ") if "=" in c)
    if host == "127.0.0.1":
        if jar.get("zs_pre") != "fromjar":
            problems.append("%s: no cookie from the jar: %r" % (where, cookie))
        if uri in site and uri != "/index.html" and \
           jar.get("zs_session") != "abc123":
            problems.append("%s: the session cookie did not come back: %r"
                            % (where, cookie))
        if user != "alice":
            problems.append("%s: user %r, want alice" % (where, user))
    else:
        if cookie != "-" or user != "-" or authz != "-":
            problems.append("%s: to another host: cookie %r user %r "
                            "authorization %r" % (where, cookie, user, authz))
if n["localhost"] != 2 or n["127.0.0.1"] < 30:
    problems.append("requests by host: %r" % n)
if problems:
    sys.stderr.write("FAIL: %d problems:\n  %s\n" % (len(problems),
                     "\n  ".join(problems[:10])))
    sys.exit(1)
print("# %d requests to 127.0.0.1, %d to localhost: headers, cookies and "
      "credentials where they belong" % (n["127.0.0.1"], n["localhost"]))
PY

# the jar file now: the cookie it had and the one the crawl got
grep -qP '^127\.0\.0\.1\t.*\tzs_pre\tfromjar$' "$T/jar.txt" ||
    fail "the jar lost its cookie: $(cat "$T/jar.txt")"
grep -qP '^127\.0\.0\.1\t.*\tzs_session\tabc123$' "$T/jar.txt" ||
    fail "the jar did not save the session cookie: $(cat "$T/jar.txt")"
! grep -q localhost "$T/jar.txt" || fail "a cookie for localhost in the jar"

# a bearer token: to the host, not across a redirect to another host
: >"$LOG"
rc=0
zs crawl -q --header 'Authorization: Bearer tok123' "$BASE/index.html" \
    "$BASE/go-other" -o "$T/bearer.jsonl" 2>"$T/bearer.err" || rc=$?
[ $rc = 0 ] || { cat "$T/bearer.err" >&2; fail "bearer crawl exit $rc"; }
got=$(awk -F'"' '{ split($1, a, " "); print a[1], a[2], $(NF - 1) }' \
    "$LOG" | sort | paste -sd,)
assert_eq "$got" "127.0.0.1 /go-other Bearer tok123,127.0.0.1 /index.html Bearer tok123,localhost /private/a.html -" \
    "bearer token by host"

# bad values: exit 2, a message, the password never shown
expect_2()
{
    expect_usage_error "$@"
    ! grep -q "$PASS" "$T/usage.err" || fail "$1: the password in a message"
}
for prog in "$ZSCRAPE crawl -q" "$BIN/zscrape-sink --bind ipc://$T/tmp/s"; do
    # shellcheck disable=SC2086 # the program and its first words
    {
    expect_2 "--header without a colon" "--header: 'X-Test' is not 'Name: value'" \
        $prog --header X-Test "$BASE/index.html"
    expect_2 "--header with a newline" "--header: a header line holds no CR or LF" \
        $prog --header "$(printf 'X-A: 1\r\nX-B: 2')" "$BASE/index.html"
    expect_2 "--auth without a host" "--auth: not HOST=user:password" \
        $prog --auth "alice:$PASS" "$BASE/index.html"
    expect_2 "--auth with a URL" "--auth: 'http://127.0.0.1' is not a host name" \
        $prog --auth "http://127.0.0.1=alice:$PASS" "$BASE/index.html"
    expect_2 "--cookies in no folder" "--cookies: cannot open '$T/no/jar.txt'" \
        $prog --cookies "$T/no/jar.txt" "$BASE/index.html"
    }
done
expect_2 "zscrape-fetcher --auth" "--auth: not HOST=user:password" \
    "$BIN/zscrape-fetcher" --coordinator "ipc://$T/tmp/f" --auth "x:$PASS"
note "headers, cookie jar, per-host credentials and bearer tokens checked"
exit 0
