#!/bin/bash
# t0030: the progress line.  Under script(1) (a pseudo-terminal) the sink
# draws a self-updating line on stderr ("N/M pages ... /s ... in flight");
# with stderr to a file there is none, and -q hides it on a terminal.
. "$(dirname "$0")/lib.sh"
require_bins
command -v script >/dev/null ||
    fail "script(1) is not installed (bsdutils: sh scripts/install-deps.sh)"

python3 "$ROOT/tests/gen-pages.py" "$T/www/p" 300 --links 1
nginx_start "location /slow/ { echo_sleep 0.3; echo '<title>s</title>';
              default_type text/html; }"
for i in $(seq 300); do printf '%s/p/%04d.html\n' "$BASE" "$i"; done \
    >"$T/seeds.txt"
# slow pages keep the crawl going long enough for several ticks
for i in $(seq 40); do printf '%s/slow/%d\n' "$BASE" "$i"; done \
    >>"$T/seeds.txt"

# 1. a terminal: the progress line is there
cmd="$ZSCRAPE crawl --seeds $T/seeds.txt -o $T/tty.jsonl --per-host 4"
timeout -k 5 60 script -qfec "$cmd" "$T/typescript" >/dev/null 2>&1 ||
    fail "crawl under script(1) failed"
assert_eq "$(count_records "$T/tty.jsonl")" 340 "records under a terminal"
grep -aq 'pages' "$T/typescript" || fail "no progress line on the terminal"
grep -aq 'in flight' "$T/typescript" || fail "progress line lacks 'in flight'"
grep -aq '/s' "$T/typescript" || fail "progress line lacks a rate"
grep -aq "$(printf '\r')" "$T/typescript" ||
    fail "progress line does not redraw itself (no CR)"
note "tty: $(tr '\r' '\n' <"$T/typescript" | grep -a 'pages' | tail -n 1)"

# 2. -q on a terminal: none
cmd="$ZSCRAPE crawl -q --seeds $T/seeds.txt -o $T/quiet.jsonl --per-host 4"
timeout -k 5 60 script -qfec "$cmd" "$T/typescript-q" >/dev/null 2>&1 ||
    fail "quiet crawl under script(1) failed"
if grep -aq 'in flight' "$T/typescript-q"; then
    fail "-q still drew the progress line"
fi

# 3. stderr to a file: none, and no control characters in the log
timeout -k 5 60 "$ZSCRAPE" crawl --seeds "$T/seeds.txt" -o "$T/file.jsonl" \
    --per-host 4 2>"$T/stderr" || fail "crawl with stderr to a file failed"
assert_no_crash "$T/stderr"
if grep -aq 'in flight' "$T/stderr" || grep -aq "$(printf '\r')" "$T/stderr"
then
    fail "progress line written to a file"
fi
exit 0
