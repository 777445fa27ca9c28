#!/bin/bash
# t0004: the pipeline's width does not change the result: the same 300
# pages crawled by 1 fetcher + 1 parser and by 2 fetchers + 3 parsers give
# the same records, once the timing fields are set aside.
. "$(dirname "$0")/lib.sh"
require_bins

python3 "$ROOT/tests/gen-pages.py" "$T/www/w" 300 --links 3
nginx_start
python3 "$ROOT/tests/gen-pages.py" "$T/gen" 300 --base "$BASE/w/" \
    --seeds "$T/seeds.txt"
# a few error records belong in the comparison too
for i in 1 2 3; do
    echo "$BASE/w/missing-$i.html"
done >>"$T/seeds.txt"

zs crawl --seeds "$T/seeds.txt" -o "$T/narrow.jsonl" -q --retries 0 \
    --fetchers 1 --parsers 1 >"$T/stdout1" 2>"$T/stderr1" || {
    rc=$?
    tail -n 20 "$T/stderr1" >&2
    fail "crawl with --fetchers 1 --parsers 1 exited $rc, want 0"
}
zs crawl --seeds "$T/seeds.txt" -o "$T/wide.jsonl" -q --retries 0 \
    --fetchers 2 --parsers 3 >"$T/stdout2" 2>"$T/stderr2" || {
    rc=$?
    tail -n 20 "$T/stderr2" >&2
    fail "crawl with --fetchers 2 --parsers 3 exited $rc, want 0"
}
assert_no_crash "$T/stderr1" "$T/stderr2"

# normalize FILE OUT: records without elapsed_ms/fetched_at, sorted by url
normalize()
{
    records_py "$1" '
out = []
for r in recs:
    r.pop("elapsed_ms", None)
    r.pop("fetched_at", None)
    out.append(json.dumps(r, ensure_ascii=False))
with open(args[0], "w") as f:
    f.write("\n".join(sorted(out)) + "\n")
' "$2"
}
normalize "$T/narrow.jsonl" "$T/narrow.norm"
normalize "$T/wide.jsonl" "$T/wide.norm"
n=$(wc -l <"$T/narrow.norm")
assert_eq "$n" 303 "records from the narrow crawl"
if ! diff -u "$T/narrow.norm" "$T/wide.norm" >"$T/diff"; then
    head -n 30 "$T/diff" >&2
    fail "narrow and wide crawls differ ($(grep -c '^[-+]{' "$T/diff") lines)"
fi
# the contract's record shape, last: the checks above say more
check_records "$T/narrow.jsonl"
check_records "$T/wide.jsonl"
