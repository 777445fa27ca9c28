#!/bin/bash
# t0013: robots.txt end to end (on by default with --depth > 0; RFC 9309):
#   - the group naming our product token ("zscrape", from the default
#     user agent "zscrape/0.1.0"; matched ignoring case) is the one obeyed,
#     not "*": /private/ is allowed for us, /secret/ is not, except
#     /secret/open.html (the longest match wins: Allow after Disallow);
#     "/*.pdf$" blocks /x.pdf but not /y.pdf?v=1 ('$' anchors the end);
#   - a disallowed URL gets a record with error "robots", status 0, and
#     no request; robots.txt is asked for once per host in a crawl, and
#     one host's rules do not apply to another (127.0.0.1 vs localhost);
#   - --robots off fetches everything and never asks for robots.txt;
#   - robots.txt 404: everything allowed; robots.txt 500: everything on
#     the host disallowed (RFC 9309 2.3.1.4), the seed included;
#   - Crawl-delay: 1 in our group spaces the requests to the host by at
#     least a second even with --per-host 8 (pages served by nginx's echo
#     module carry the server's $msec in their title).
. "$(dirname "$0")/lib.sh"
require_bins

# shellcheck disable=SC2016 # nginx variables, not the shell's
nginx_start '
        location = /robots.txt {
            if (-f $document_root/robots.500) { return 500; }
            if ($host = localhost) { return 404; }
        }
        location /slow/ {
            default_type text/html;
            echo "<!DOCTYPE html><html><head><title>$msec</title></head>";
            echo "<body><a href=\"/slow/1.html\">1</a>";
            echo "<a href=\"/slow/2.html\">2</a>";
            echo "<a href=\"/slow/3.html\">3</a></body></html>";
        }'
W=$T/www
mkdir -p "$W/secret" "$W/private"
page()
{
    local f=$1
    shift
    {
        echo "<!DOCTYPE html><html><head><title>$f</title></head><body>"
        for h in "$@"; do
            echo "<a href=\"$h\">$h</a>"
        done
        echo "</body></html>"
    } >"$W/$f"
}
page index.html /secret/a.html /secret/open.html /private/b.html /x.pdf \
    /ok.html /y.pdf?v=1
page secret/a.html /secret/deep-a.html
page secret/open.html /secret/b.html
page secret/b.html
page secret/deep-a.html
page private/b.html /private/c.html
page private/c.html
page ok.html
printf '%%PDF-1.4 not really\n' >"$W/x.pdf"
printf '%%PDF-1.4 not really\n' >"$W/y.pdf"

ROBOTS_TXT='# comment line
User-agent: *
Disallow: /private/
Disallow: /*.pdf$

User-agent: ZScrape
Disallow: /secret/
Allow: /secret/open.html
Disallow: /*.pdf$
'

LOGSTART=0
# crawl NAME ARGS...: a crawl into $T/NAME.jsonl that must exit 0; the
# access log lines it caused go to $T/NAME.log; sets WALL_MS
crawl()
{
    local name=$1 rc=0 start
    shift
    LOGSTART=$(wc -l <"$T/nginx/access.log")
    start=$(date +%s%3N)
    zs crawl -q --retries 0 -o "$T/$name.jsonl" "$@" \
        >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    WALL_MS=$(($(date +%s%3N) - start))
    tail -n +"$((LOGSTART + 1))" "$T/nginx/access.log" >"$T/$name.log"
    assert_no_crash "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi
}

# expect NAME 'PATH:DEPTH:STATUS[:ERROR] ...': exactly these records, of
# the contract's shape (PATH on 127.0.0.1, or //localhost/PATH)
expect()
{
    records_py "$T/$1.jsonl" '
from urllib.parse import urlsplit
name, spec = args
want = {}
for item in spec.split():
    parts = item.split(":")
    want[parts[0]] = (int(parts[1]), int(parts[2]),
                      parts[3] if len(parts) > 3 else None)
got = {}
for r in recs:
    u = urlsplit(r["url"])
    key = u.path + ("?" + u.query if u.query else "")
    if u.hostname != "127.0.0.1":
        key = "//" + u.hostname + key
    if key in got:
        die("%s: %s has two records" % (name, r["url"]))
    got[key] = (r["depth"], r["status"], r["error"])
if got != want:
    lines = []
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            lines.append("%s: got %s, want %s" % (k, got.get(k), want.get(k)))
    die("%s: records (path: depth, status, error) differ:\n  %s"
        % (name, "\n  ".join(lines)))
' "$1" "$2"
    check_records "$T/$1.jsonl"
}

# requests NAME PATH: how many requests for PATH the crawl NAME made
requests()
{
    awk -v p="$2" '{ split($0, a, "\""); split(a[3], b, " ");
                     if (b[1] == p) n++ } END { print n + 0 }' "$T/$1.log"
}

# --- the groups: ours, not "*"
printf '%s' "$ROBOTS_TXT" >"$W/robots.txt"
crawl groups --depth 2 "$BASE/index.html"
expect groups "/index.html:0:200 /secret/a.html:1:0:robots
    /secret/open.html:1:200 /private/b.html:1:200 /x.pdf:1:0:robots
    /ok.html:1:200 /y.pdf?v=1:1:200:not_html /secret/b.html:2:0:robots
    /private/c.html:2:200"
assert_eq "$(requests groups /robots.txt)" 1 "groups: robots.txt requests"
for p in /secret/a.html /secret/b.html /x.pdf; do
    assert_eq "$(requests groups "$p")" 0 "groups: requests for disallowed $p"
done
for p in /index.html /secret/open.html /private/b.html /private/c.html \
    /ok.html /y.pdf?v=1; do
    assert_eq "$(requests groups "$p")" 1 "groups: requests for $p"
done
n=$(grep -vc '"zscrape/0.1.0" [0-9]*$' "$T/groups.log" || true)
if [ "$n" != 0 ]; then
    grep -v '"zscrape/0.1.0" [0-9]*$' "$T/groups.log" | head -n 3 >&2
    fail "groups: $n requests without the default user agent zscrape/0.1.0"
fi

# --- robots.txt is per host: localhost (the same server; its robots.txt
# gives 404 there) is open, 127.0.0.1 keeps its rules
page two.html /secret/a.html "http://localhost:$NGINX_PORT/secret/a.html" \
    "http://localhost:$NGINX_PORT/x.pdf"
crawl twohosts --depth 1 --scope any "$BASE/two.html"
expect twohosts "/two.html:0:200 /secret/a.html:1:0:robots
    //localhost/secret/a.html:1:200 //localhost/x.pdf:1:200:not_html"
assert_eq "$(requests twohosts /robots.txt)" 2 \
    "two hosts: robots.txt requests"
assert_eq "$(requests twohosts /secret/a.html)" 1 \
    "two hosts: /secret/a.html requests"

# --- --robots off: everything fetched, robots.txt never asked for
ALL="/index.html:0:200 /secret/a.html:1:200 /secret/open.html:1:200
    /private/b.html:1:200 /x.pdf:1:200:not_html /ok.html:1:200
    /y.pdf?v=1:1:200:not_html /secret/b.html:2:200 /secret/deep-a.html:2:200
    /private/c.html:2:200"
crawl off --depth 2 --robots off "$BASE/index.html"
expect off "$ALL"
assert_eq "$(requests off /robots.txt)" 0 "--robots off: robots.txt requests"

# --- robots.txt 404: everything allowed
rm -f "$W/robots.txt"
crawl r404 --depth 2 "$BASE/index.html"
expect r404 "$ALL"
assert_eq "$(requests r404 /robots.txt)" 1 "404: robots.txt requests"

# --- robots.txt 500: the host is off limits, the seed too
printf '%s' "$ROBOTS_TXT" >"$W/robots.txt"
: >"$W/robots.500"
crawl r500 --depth 2 "$BASE/index.html"
expect r500 "/index.html:0:0:robots"
n=$(requests r500 /robots.txt)
[ "$n" -ge 1 ] || fail "500: robots.txt never requested"
others=$(awk '{ split($0, a, "\""); split(a[3], b, " ");
                if (b[1] != "/robots.txt") print b[1] }' "$T/r500.log")
[ -z "$others" ] ||
    fail "500: requests for pages when robots.txt gives 500: $others"
rm -f "$W/robots.500"

# --- Crawl-delay: 1 (in our group; the "*" group says 0)
printf '%s\n' 'User-agent: *' 'Crawl-delay: 0' '' 'User-agent: zscrape' \
    'Crawl-delay: 1' 'Disallow: /nothing-here/' >"$W/robots.txt"
crawl delay --depth 1 --per-host 8 "$BASE/slow/index.html"
expect delay "/slow/index.html:0:200 /slow/1.html:1:200 /slow/2.html:1:200
    /slow/3.html:1:200"
note "delay: crawl took $WALL_MS ms"
records_py "$T/delay.jsonl" '
times = sorted(float(r["title"]) for r in recs)
gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
if min(gaps) < 0.9:
    die("Crawl-delay: 1 but the server saw requests %s s apart" % gaps)
'
[ "$WALL_MS" -ge 3000 ] ||
    fail "Crawl-delay: 1 with 4 pages, but the crawl took $WALL_MS ms (< 3 s)"
