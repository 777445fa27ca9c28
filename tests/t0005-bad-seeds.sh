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

# ---------------------------------------------------------------- issue 14
# one voice: what the user did wrong is "zscrape: ...", never the sink's
# log line (TIME sink[PID] WARN ...) nor another program's name (a worker
# the launcher started before a slow sink refused may log an event: it
# is one, in the log format)
expect_voice()
{
    if grep -Eq '^(sink|fetcher|parser|zscrape-[a-z]+): |^[-0-9T:.]+Z sink\[' \
            "$T/$1.err"; then
        sed 's/^/    /' "$T/$1.err" >&2
        fail "$1: a message not in the launcher's voice"
    fi
}
for n in not-a-url ftp empty missing mixed bad-arg bad-option; do
    expect_voice "$n"
done
expect_msg mixed "^zscrape: .*s6\.txt:4: .*, skipped$" "'zscrape: FILE:LINE: why'"

# a URL with more on its line is a bad line, not one URL with %20s
printf '%s trailing junk\n%s/ok.html # a comment\n%s\n' "$BASE/ok.html" \
    "$BASE" "$BASE/ok.html?x" >"$T/s10.txt"
expect_exit 0 junk --seeds "$T/s10.txt" -o "$T/o10.jsonl"
expect_msg junk "^zscrape: .*s10\.txt:1: more than a URL on the line" \
    "line 1's trailing junk"
expect_msg junk "^zscrape: .*s10\.txt:2: more than a URL on the line" \
    "line 2's trailing comment"
expect_voice junk
assert_eq "$(count_records "$T/o10.jsonl")" 1 "records from the junk file"
records_py "$T/o10.jsonl" '
if recs[0]["url"] != args[0] + "/ok.html?x" or "%20" in recs[0]["url"]:
    die("record %s" % recs[0]["url"])
' "$BASE"

# every output path is checked before the crawl starts: exit 2 naming the
# option and the path, nothing fetched (the server's log says so below)
reqs_before=$(grep -c . "$T/nginx/access.log" || true)
expect_exit 2 stats-path "$BASE/ok.html" -o "$T/o11.jsonl" \
    --stats "$T/no-dir/stats.json"
expect_msg stats-path "^zscrape: --stats: cannot write '$T/no-dir/stats.json'" \
    "the --stats path"
expect_exit 2 out-path "$BASE/ok.html" -o "$T/no-dir/out.jsonl"
expect_msg out-path "^zscrape: -o: cannot write '$T/no-dir/out.jsonl'" \
    "the -o path"
expect_exit 2 db-path "$BASE/ok.html" -o "$T/no-dir/out.db"
expect_msg db-path "^zscrape: -o: cannot write '$T/no-dir/out.db': folder '$T/no-dir'" \
    "the .db path and why"
expect_exit 2 out-dir "$BASE/ok.html" -o "$T"
expect_msg out-dir "-o: cannot write '$T': it is a folder" "a folder as -o"
: >"$T/plain-file"
expect_exit 2 state-path "$BASE/ok.html" -o "$T/o12.jsonl" \
    --state "$T/plain-file"
expect_msg state-path "^zscrape: --state: cannot use '$T/plain-file': it is not a folder" \
    "the --state path"
expect_exit 2 warc-path "$BASE/ok.html" -o "$T/o13.jsonl" \
    --warc "$T/no-dir/x.warc"
expect_msg warc-path "^zscrape: --warc: cannot open '$T/no-dir/x.warc'" \
    "the --warc path"
expect_exit 2 cookies-path "$BASE/ok.html" -o "$T/o14.jsonl" \
    --cookies "$T/no-dir/jar.txt"
expect_msg cookies-path "^zscrape: --cookies: cannot open '$T/no-dir/jar.txt'" \
    "the --cookies path"
for n in stats-path out-path db-path state-path warc-path cookies-path; do
    expect_voice "$n"
done
[ ! -e "$T/o11.jsonl" ] || fail "a refused crawl made its output"
assert_eq "$(grep -c . "$T/nginx/access.log" || true)" "$reqs_before" \
    "requests of the crawls refused for their output paths"

# -o out.json: refused with the formats (JSON Lines is .jsonl)
expect_exit 2 json "$BASE/ok.html" -o "$T/out.json"
expect_msg json "^zscrape: -o '$T/out.json': \.json is not an output format.*\.jsonl.*\.csv.*\.db" \
    "the formats"
[ ! -e "$T/out.json" ] || fail "-o out.json was written"
# ... unless the format is asked for
expect_exit 0 json-format "$BASE/ok.html" -o "$T/out.json" --format jsonl
assert_eq "$(count_records "$T/out.json")" 1 "records with --format jsonl"

# --fail-on-errors: exit 3 when a record is an error record, else 0
expect_exit 3 fail-on-errors "$BASE/ok.html" "$BASE/missing.html" \
    -o "$T/o15.jsonl" --fail-on-errors
assert_eq "$(count_records "$T/o15.jsonl")" 2 "records with --fail-on-errors"
expect_exit 0 fail-on-errors-ok "$BASE/ok.html" -o "$T/o16.jsonl" \
    --fail-on-errors
expect_exit 0 errors-no-fail "$BASE/missing.html" -o "$T/o17.jsonl"

# plurals: one page, one error, one fetcher
rc=0
zs crawl "$BASE/missing.html" --parsers 1 -o "$T/o18.jsonl" \
    2>"$T/plural.err" || rc=$?
assert_eq "$rc" 0 "exit status of the one-page crawl"
grep -q "^zscrape: 1 page in .*; 0 ok, 1 error (http 1)$" "$T/plural.err" &&
    grep -q "; 0 retries, 0 redispatched; 1 fetcher, 1 parser reported$" \
        "$T/plural.err" ||
    { cat "$T/plural.err" >&2; fail "the summary's plurals"; }
exit 0
