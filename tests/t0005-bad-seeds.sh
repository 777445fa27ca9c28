#!/bin/bash
# t0005: bad seeds and bad usage: exit 2 with a message naming the file and
# line; a bad line among good ones is a warning; never a crash, never a
# runtime folder left behind.
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start
echo '<html><head><title>fine</title></head></html>' >"$T/www/ok.html"

# expect_exit WANT NAME ARGS...: run a crawl, check its exit status, keep
# its stderr in $T/NAME.err and stdout in $T/NAME.out
expect_exit()
{
    local want=$1 name=$2 rc=0
    shift 2
    zs crawl -q "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    assert_no_crash "$T/$name.err"
    if [ "$rc" != "$want" ]; then
        sed 's/^/    /' "$T/$name.err" | tail -n 10 >&2
        fail "$name: exit $rc, want $want"
    fi
    [ -z "$(runtime_dirs_left)" ] ||
        fail "$name: runtime folder left: $(runtime_dirs_left)"
}

# expect_msg NAME REGEX WHAT: stderr of NAME matches the extended REGEX
expect_msg()
{
    if ! grep -Eq -- "$2" "$T/$1.err"; then
        sed 's/^/    /' "$T/$1.err" | tail -n 10 >&2
        fail "$1: stderr does not name $3 (want /$2/)"
    fi
}

# only a line that is not a URL
echo "not a url" >"$T/s1.txt"
expect_exit 2 not-a-url --seeds "$T/s1.txt" -o "$T/o1.jsonl"
expect_msg not-a-url "s1\.txt:1" "the file and line (s1.txt:1)"

# an unsupported scheme
echo "ftp://x/" >"$T/s2.txt"
expect_exit 2 ftp --seeds "$T/s2.txt" -o "$T/o2.jsonl"
expect_msg ftp "unsupported scheme" "'unsupported scheme'"
expect_msg ftp "s2\.txt:1" "the file and line (s2.txt:1)"

# an empty file, and one with only comments and blank lines
: >"$T/s3.txt"
expect_exit 2 empty --seeds "$T/s3.txt" -o "$T/o3.jsonl"
expect_msg empty "s3\.txt|seed" "the file or 'seed'"
printf '# nothing here\n\n   \n' >"$T/s4.txt"
expect_exit 2 comments --seeds "$T/s4.txt" -o "$T/o4.jsonl"

# a missing seeds file
expect_exit 2 missing --seeds "$T/no-such-file.txt" -o "$T/o5.jsonl"
expect_msg missing "no-such-file\.txt" "the missing file"

# one good line and one bad, after a comment and a blank line: the bad
# one is line 4
printf '# seeds\n\n%s\nnot a url\n' "$BASE/ok.html" >"$T/s6.txt"
expect_exit 0 mixed --seeds "$T/s6.txt" -o "$T/o6.jsonl"
expect_msg mixed "s6\.txt:4" "the bad line (s6.txt:4)"
check_records "$T/o6.jsonl"
n=$(count_records "$T/o6.jsonl")
assert_eq "$n" 1 "records from a file with one good seed"
records_py "$T/o6.jsonl" '
r = recs[0]
if r["url"] != args[0] + "/ok.html" or r["status"] != 200 or r["title"] != "fine":
    die("unexpected record %s" % json.dumps(r))
' "$BASE"

# a bad URL on the command line
expect_exit 2 bad-arg "not a url" -o "$T/o7.jsonl"
expect_exit 2 bad-arg-scheme "ftp://x/" -o "$T/o8.jsonl"
expect_msg bad-arg-scheme "unsupported scheme" "'unsupported scheme'"

# bad usage: no seeds at all, an unknown option, a bad number
expect_exit 2 no-seeds -o "$T/o9.jsonl"
expect_exit 2 bad-option --no-such-option "$BASE/ok.html"
expect_exit 2 bad-number --fetchers x "$BASE/ok.html"
expect_exit 2 bad-zero --concurrency 0 "$BASE/ok.html"

# the bad runs did not touch the server
n=$(grep -c . "$T/nginx/access.log" || true)
assert_eq "$n" 1 "requests the server saw (only the mixed run's page)"
