#!/bin/bash
# t0030: the progress line.  Under script(1) (a pseudo-terminal) the sink
# draws a self-updating line on stderr ("N/M pages ... /s ... in flight");
# with records going to a file it is never erased but to be redrawn, with
# records going to the terminal it is erased before each; with stderr to
# a file there is none, and -q hides it on a terminal.
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

# records to a file never touch the terminal: the line is never erased
# but to be redrawn at once (each ESC[K starts a new progress line), so
# it stays on the screen (issue #14: it was erased before every record)
python3 - "$T/typescript" <<'PY' || fail "the progress line is erased for records written to a file"
import re, sys
data = open(sys.argv[1], "rb").read()
erases = [m.end() for m in re.finditer(rb"\r\x1b\[K", data)]
bare = [e for e in erases if not re.match(rb"\d+/\d+ pages? ", data[e:e + 40])]
# the end: the last line is drawn once more, then a newline
if len(erases) < 3 or bare:
    sys.exit("%d erases, %d not followed by a redraw: %r" % (len(erases),
             len(bare), [data[e:e + 40] for e in bare[:3]]))
PY

# 1b. records to the same terminal (no -o): each record starts a line of
# its own, the progress line erased before it, never glued to it
cmd="$ZSCRAPE crawl --seeds $T/seeds.txt --per-host 4"
timeout -k 5 60 script -qfec "$cmd" "$T/typescript-out" >/dev/null 2>&1 ||
    fail "crawl to the terminal under script(1) failed"
python3 - "$T/typescript-out" <<'PY' || fail "records to the terminal mixed with the progress line"
import re, sys
data = open(sys.argv[1], "rb").read()
lines = data.replace(b"\r\n", b"\n").split(b"\n")
recs = [l for l in lines if b'{"url":' in l]
# what the screen shows of the line: what follows its last CR (a
# progress line before an erase and the record is gone)
glued = [l for l in recs
         if not re.match(rb'^(\x1b\[K)?\{"url":', l.split(b"\r")[-1])]
if len(recs) != 340 or glued:
    sys.exit("%d record lines, %d glued to something: %r"
             % (len(recs), len(glued), glued[:2]))
PY

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
