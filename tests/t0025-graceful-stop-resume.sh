#!/bin/bash
# t0025: stop and resume.  A 20,000-page site (tests/gen-site.py) crawled
# from its index with --depth 1000: once without interruption (the
# reference), then with --state DIR:
#   int    SIGINT to the launcher once 2,000-8,000 records are out (a
#          count, not a time: a fast machine must not finish first): it
#          drains what is in flight
#          and exits 0; the same command again resumes and finishes.
#          Nothing done is fetched again: the drained pages have their
#          records, so no page is requested twice over the two runs.
#   term   the same with SIGTERM.
#   int2   two SIGINTs 0.05 s apart (the second one stops at once): the
#          launcher exits at once (< 3 s, not 0), leaves nothing running; the
#          resume finishes.  Pages in flight then may be fetched twice,
#          at most the dispatch window.
# Each time the final output is the reference's set of URLs, each once,
# with the same records (status, title, links).  A drained stop says it
# was interrupted, with the records written (the output's lines), the
# URLs left and the command that resumes, even with -q; the resume is
# that very command, run as printed, and says what it resumes.
# Then the state folder remembers the crawl it belongs to: a rerun with
# another -o, --depth, --scope, rule file or seeds is exit 2 naming each
# difference and touches nothing; --force-resume goes on, saying them.
. "$(dirname "$0")/lib.sh"
require_bins

N=20000
site_on_tmpfs
nginx_start
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt"
ARGS=(crawl -q --depth 1000 "$BASE/index.html" --retries 0)

# the reference: no interruption
rc=0
zs "${ARGS[@]}" -o "$T/ref.jsonl" >"$T/ref.out" 2>"$T/ref.err" || rc=$?
assert_no_crash "$T/ref.err"
[ $rc = 0 ] || fail "reference crawl: exit $rc"
records_py "$T/ref.jsonl" '
pages = set(args[0] + l.strip() for l in open(args[1]) if l.strip())
got = set(r["url"] for r in recs)
if len(recs) != len(pages) or got != pages:
    die("reference: %d records, %d distinct, want the %d pages"
        % (len(recs), len(got), len(pages)))
' "$BASE" "$T/pages.txt"

# round NAME SIGNAL [SECOND_SIGNAL_AFTER]
round()
{
    local name=$1 sig=$2 again=${3:-} pid rc=0 delay n st
    local args=("${ARGS[@]}" -o "$T/$name.jsonl" --state "$T/$name.state"
                --stats "$T/$name-stats.json")
    : >"$T/nginx/access.log"
    spawn "$ZSCRAPE" "${args[@]}" 2>"$T/$name-1.err"
    pid=$SPAWN_PID
    delay=$(rand_int 2000 8000)
    wait_lines "$T/$name.jsonl" "$delay" "$pid" ||
        fail "$name: the crawl ended before the signal ($delay records)"
    st=$(date +%s%3N)
    kill -"$sig" "$pid"
    if [ -n "$again" ]; then
        sleep "$again"
        kill -"$sig" "$pid" 2>/dev/null || note "$name: gone before the 2nd"
    fi
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null &&
        fail "$name: launcher still running 15 s after SIG$sig"
    wait "$pid" || rc=$?
    st=$(($(date +%s%3N) - st))
    n=$(grep -c . "$T/$name.jsonl" || true)
    note "$name: SIG$sig after ${delay} records${again:+ (twice)}: exit $rc" \
        "after $st ms, $n records"
    # the second signal stops at once (a sink whose pages streamer died
    # of the first signal once hung here until the launcher's SIGKILL)
    [ -z "$again" ] || [ "$st" -lt 3000 ] ||
        fail "$name: $st ms to stop after two signals, want < 3 s"
    assert_no_crash "$T/$name-1.err"
    [ -z "$(runtime_dirs_left)" ] ||
        fail "$name: runtime folder left: $(runtime_dirs_left)"
    if [ -z "$again" ]; then
        [ $rc = 0 ] || {
            tail -n 5 "$T/$name-1.err" >&2
            fail "$name: launcher exited $rc after SIG$sig, want 0"
        }
        # what was drained is whole: the file ends with a newline
        check_records "$T/$name.jsonl"
    else
        [ $rc != 0 ] || note "$name: exit 0 after two signals"
    fi
    [ "$n" -lt "$N" ] ||
        fail "$name: the crawl finished before the signal took effect"
    cp "$T/nginx/access.log" "$T/$name-access1.log"

    # the resume: the same command, as the interrupted one printed it
    : >"$T/nginx/access.log"
    rc=0
    if [ -z "$again" ]; then
        grep -q "^zscrape: interrupted: $n records written, [1-9][0-9]* URLs not crawled yet$" \
            "$T/$name-1.err" || { cat "$T/$name-1.err" >&2
            fail "$name: no 'interrupted: $n records written, N URLs not" \
                 "crawled yet'"; }
        grep -A1 "to resume, run the same command again:$" \
            "$T/$name-1.err" | tail -n 1 | sed 's/^  //' >"$T/$name.cmd"
        grep -q -- "--state" "$T/$name.cmd" ||
            fail "$name: no resume command: $(cat "$T/$name-1.err")"
        note "$name: resume with: $(cat "$T/$name.cmd")"
        timeout -k 5 "$ZS_LIMIT" bash -c "$(cat "$T/$name.cmd")" \
            >"$T/$name-2.out" 2>"$T/$name-2.err" || rc=$?
        grep -q "^zscrape: resuming the crawl of '$T/$name.state': $n records done in '$T/$name.jsonl', [0-9]* URLs pending$" \
            "$T/$name-2.err" || { cat "$T/$name-2.err" >&2
            fail "$name: the resume does not say what it resumes"; }
    else
        zs "${args[@]}" >"$T/$name-2.out" 2>"$T/$name-2.err" || rc=$?
    fi
    assert_no_crash "$T/$name-2.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name-2.err" >&2
        fail "$name: resume exited $rc, want 0"
    fi
    cp "$T/nginx/access.log" "$T/$name-access2.log"
    check_records "$T/$name.jsonl"
    records_py "$T/$name.jsonl" '
ref_file, name = args
ref = {}
for line in open(ref_file):
    r = json.loads(line)
    ref[r["url"]] = r
c = Counter(r["url"] for r in recs)
dup = sorted(u for u, n in c.items() if n > 1)
miss = sorted(set(ref) - set(c))
extra = sorted(set(c) - set(ref))
if dup or miss or extra:
    die("%s: %d records, want %d; %d more than once %s; %d missing %s; "
        "%d unexpected %s" % (name, len(recs), len(ref), len(dup), dup[:5],
        len(miss), miss[:5], len(extra), extra[:5]))
for r in recs:
    f = ref[r["url"]]
    for k in ("status", "error", "final_url", "title", "links"):
        if r[k] != f[k]:
            die("%s: %s: %s %r, the uninterrupted crawl has %r"
                % (name, r["url"], k, str(r[k])[:100], str(f[k])[:100]))
' "$T/ref.jsonl" "$name"
    page_requests "$T/$name-access1.log" | sort >"$T/$name-req1"
    page_requests "$T/$name-access2.log" | sort >"$T/$name-req2"
    n=$(comm -12 "$T/$name-req1" "$T/$name-req2" | wc -l)
    note "$name: requests: $(wc -l <"$T/$name-req1") then" \
        "$(wc -l <"$T/$name-req2") on resume; $n pages fetched twice"
    if [ -z "$again" ]; then
        # drained: every page fetched before the stop has its record
        assert_eq "$n" 0 "$name: pages fetched again on resume"
    else
        # cut short: at most the window (256 + 128) was in flight
        [ "$n" -le 384 ] ||
            fail "$name: $n pages fetched again, want <= 384 (the window)"
    fi
}

round int INT
round term TERM
round int2 INT 0.05

# ---------------------------------------------------------------- settings
# the int round's folder belongs to its crawl: other options are refused
# before anything is read or written
printf 'title title text\n' >"$T/other.rules"
before=$(md5sum "$T/int.jsonl" "$T/int.state/journal" | md5sum)
ST=("${ARGS[@]}" -o "$T/int.jsonl" --state "$T/int.state")
# refused WANT ARGS...: exit 2 with "  WANT" among the differences
refused()
{
    local want=$1 rc=0
    shift
    zs "$@" >"$T/refused.out" 2>"$T/refused.err" || rc=$?
    [ $rc = 2 ] || { cat "$T/refused.err" >&2; fail "refused $want: exit $rc"; }
    grep -q "^zscrape: --state: '$T/int.state' holds a crawl made with other options:$" \
        "$T/refused.err" && grep -q "^  $want" "$T/refused.err" &&
        grep -q -- "--force-resume" "$T/refused.err" ||
        { cat "$T/refused.err" >&2; fail "refused $want: message"; }
}
refused "-o: '$T/other.jsonl' now, '$T/int.jsonl' when it was made" \
    "${ARGS[@]}" -o "$T/other.jsonl" --state "$T/int.state"
refused "--depth: '3' now, '1000' when it was made" "${ST[@]}" --depth 3
refused "--scope: 'domain' now, 'host' when it was made" "${ST[@]}" \
    --scope domain
refused "--rules: another rule file text" "${ST[@]}" --rules "$T/other.rules"
refused "--seeds and URLs: other seeds" "${ST[@]}" "$BASE/p/1.html"
refused "--format: 'csv' now" "${ST[@]}" --format csv
# several at once, each named
zs "${ST[@]}" --depth 2 --scope any >/dev/null 2>"$T/refused.err" || true
[ "$(grep -c "^  --" "$T/refused.err")" = 2 ] ||
    fail "two differences not both named: $(cat "$T/refused.err")"
# a folder a running crawl holds (its lock, held here by flock(1)) is
# said to be in use before the output is read: exit 1, nothing touched
rc=0
printf '{"url":"torn' >>"$T/int.jsonl"       # a resume would cut it off
before_torn=$(md5sum "$T/int.jsonl" | md5sum)
flock "$T/int.state/lock" "$ZSCRAPE" "${ST[@]}" >/dev/null \
    2>"$T/inuse.err" || rc=$?
assert_eq "$rc" 1 "exit status of a crawl on a folder in use"
grep -q "^zscrape: --state: '$T/int.state' is in use by another crawl" \
    "$T/inuse.err" || fail "in use not said: $(cat "$T/inuse.err")"
[ "$(md5sum "$T/int.jsonl" | md5sum)" = "$before_torn" ] ||
    fail "a crawl on a folder in use changed the output"
truncate -s -12 "$T/int.jsonl"
[ "$(md5sum "$T/int.jsonl" "$T/int.state/journal" | md5sum)" = "$before" ] ||
    fail "a refused resume changed the output or the journal"
[ ! -e "$T/other.jsonl" ] || fail "a refused resume made its output"
# --force-resume: goes on (everything is done: nothing to fetch), says it
rc=0
zs "${ST[@]}" --depth 999 --force-resume >/dev/null 2>"$T/force.err" || rc=$?
[ $rc = 0 ] || { cat "$T/force.err" >&2; fail "--force-resume: exit $rc"; }
grep -q "^zscrape: --force-resume: '$T/int.state' was made with other options; going on with these:" \
    "$T/force.err" && grep -q "^  --depth: '999' now, '1000'" "$T/force.err" ||
    { cat "$T/force.err" >&2; fail "--force-resume does not say what differs"; }
grep -q "^depth 999$" "$T/int.state/settings" ||
    fail "the folder does not remember the forced settings"
# and the same options as now resume without a word about them
zs "${ST[@]}" --depth 999 >/dev/null 2>"$T/same.err" ||
    { cat "$T/same.err" >&2; fail "resume with the remembered options"; }
if grep -q "other options" "$T/same.err"; then
    fail "the same options are said to differ"
fi
exit 0
