#!/bin/bash
# t0009: following links: --depth limits the levels, --scope host|prefix|any
# limits where, links are normalized (fragment dropped, each URL once),
# non-http links are ignored, and robots.txt (on by default with --depth)
# keeps the crawler out of a disallowed path without a request to it.
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start
mkdir -p "$T/www/d/private" "$T/www/d/sub"
printf 'User-agent: *\nDisallow: /d/private/\n' >"$T/www/robots.txt"
page()
{
    local f=$1 title=$2
    shift 2
    {
        echo "<!DOCTYPE html><html><head><title>$title</title></head><body>"
        for h in "$@"; do
            echo "<a href=\"$h\">$h</a>"
        done
        echo "</body></html>"
    } >"$T/www/$f"
}
port=$NGINX_PORT
page d/a.html A b.html b.html#top /d/b.html#x mailto:x@example.invalid \
    "javascript:void(0)" private/x.html "http://localhost:$port/other.html"
page d/any.html Any b.html "http://localhost:$port/other.html"
page d/b.html B c.html a.html
page d/c.html C d.html
page d/d.html D
page d/private/x.html X
page other.html Other
page d/sub/s.html S t.html ../a.html
page d/sub/t.html T

# crawl NAME ARGS...: a crawl into $T/NAME.jsonl that must exit 0
crawl()
{
    local name=$1 rc=0
    shift
    zs crawl -q --retries 0 -o "$T/$name.jsonl" "$@" \
        >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    assert_no_crash "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi
}

# expect NAME 'PATH:DEPTH[:ERROR] ...': exactly these records (paths on
# 127.0.0.1, or //localhost/PATH for the other host)
expect()
{
    records_py "$T/$1.jsonl" '
from urllib.parse import urlsplit
name, spec = args
want = {}
for item in spec.split():
    parts = item.split(":")
    want[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else None)
got = {}
for r in recs:
    u = urlsplit(r["url"])
    key = u.path + ("?" + u.query if u.query else "")
    if u.hostname != "127.0.0.1":
        key = "//" + u.hostname + key
    if key in got:
        die("%s: %s has two records" % (name, r["url"]))
    got[key] = (r["depth"], r["error"])
if got != want:
    die("%s: records (path: depth, error)\n  got  %s\n  want %s" % (name,
        sorted(got.items()), sorted(want.items())))
' "$1" "$2"
}

# depth 2, scope host (the default), robots on (the default with --depth)
crawl host --depth 2 "$BASE/d/a.html"
expect host "/d/a.html:0 /d/b.html:1 /d/private/x.html:1:robots /d/c.html:2"
if grep -q ' /d/private/' "$T/nginx/access.log"; then
    fail "the crawler asked for a path robots.txt disallows"
fi
n=$(grep -c ' /robots.txt ' "$T/nginx/access.log" || true)
assert_eq "$n" 1 "robots.txt requests in one crawl"
grep -q ' /d/d.html ' "$T/nginx/access.log" &&
    fail "depth 3 page fetched with --depth 2"
grep -q ' /other.html ' "$T/nginx/access.log" &&
    fail "another host's page fetched with --scope host"

# depth 0 (the default): only the seed, and no robots.txt
before=$(wc -l <"$T/nginx/access.log")
crawl zero "$BASE/d/a.html"
expect zero "/d/a.html:0"
tail -n +"$((before + 1))" "$T/nginx/access.log" | grep -q ' /robots.txt ' &&
    fail "robots.txt fetched with --depth 0"

# --robots off: the private page is fetched
crawl norobots --depth 1 --robots off "$BASE/d/a.html"
expect norobots "/d/a.html:0 /d/b.html:1 /d/private/x.html:1"

# --scope any follows the link to the other host name
crawl any --depth 1 --scope any "$BASE/d/any.html"
expect any "/d/any.html:0 /d/b.html:1 //localhost/other.html:1"

# --scope prefix: the seed's path up to its last '/'
crawl prefix --depth 1 --scope prefix "$BASE/d/sub/s.html"
expect prefix "/d/sub/s.html:0 /d/sub/t.html:1"

check_records "$T/host.jsonl"
check_records "$T/any.jsonl"
