#!/bin/bash
# t0022: hostile input.
# (1) Seed files with binary garbage, a 1 MB line, relative URLs ("/x",
#     "foo.html"), NUL bytes, invalid UTF-8, a broken IPv6 literal, mixed
#     with good lines (some with CR LF, leading blanks, a duplicate, no
#     final newline): one short, clear FILE:LINE warning per bad line, every
#     good URL crawled once, exit 0; a file of bad lines only, and 256 KB
#     of random bytes, exit 2 (the warnings capped, never the garbage
#     echoed).
# (2) Garbage wire frames: while a crawl (--listen tcp://127.0.0.1:PORT)
#     runs, tests/hostile-zmtp.py speaks ZMTP to the results endpoint
#     (PORT+3) and the pages-in endpoint (PORT+1) and sends garbage
#     multipart messages, other protocol versions, wrong types, too few
#     and too many parts, a 5 MB frame, forged RESULTs and PAGEs for URLs
#     never dispatched, a CONTROL "stop"; plain TCP garbage and a frame
#     claiming 4 GiB go to those ports too.  The crawl still completes
#     with exactly the right records (nothing forged), exit 0, no crash,
#     and the log has a "refused" line from the sink.  Then plain TCP
#     garbage to the PUSH/PUB ports (PORT+0, +2, +4), which libzmq takes
#     for ZMTP 1.0 peers: what they swallow comes back by the lease.
. "$(dirname "$0")/lib.sh"
require_bins

# assert_no_restart FILE: no worker died and was restarted by the launcher
# (a crash the restart would hide)
assert_no_restart()
{
    if grep -Eq "killed by signal|exited with status|restarting it" "$1"; then
        grep -E -m 5 "killed by signal|exited with status|restarting it" "$1" >&2
        fail "a worker died during the crawl (see $(basename "$1"))"
    fi
}

# shellcheck disable=SC2016
nginx_start '
        location /slow/ { default_type text/html; echo_sleep 0.2;
                          echo "<html><title>slow $uri</title></html>"; }
'
for p in a b c d e f; do
    echo "<html><head><title>page $p</title></head></html>" >"$T/www/$p.html"
done

# ---------------------------------------------------------------- seeds

# run_crawl NAME WANT_RC ARGS...: stderr in $T/NAME.err
run_crawl()
{
    local name=$1 want=$2 rc=0
    shift 2
    zs crawl -q "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    assert_no_crash "$T/$name.err"
    assert_no_restart "$T/$name.err"
    if [ "$rc" != "$want" ]; then
        tail -c 2000 "$T/$name.err" >&2
        fail "$name: exit $rc, want $want"
    fi
    [ -z "$(runtime_dirs_left)" ] ||
        fail "$name: runtime folder left: $(runtime_dirs_left)"
}

# clean_log NAME MAXBYTES: the log is short and has no binary bytes
clean_log()
{
    local size
    size=$(stat -c %s "$T/$1.err")
    [ "$size" -le "$2" ] ||
        fail "$1: stderr is $size bytes, want <= $2 (garbage echoed?)"
    python3 - "$T/$1.err" <<'PY' || fail "$1: binary bytes in the log"
import sys
data = open(sys.argv[1], "rb").read()
bad = sorted(set(b for b in data if (b < 0x20 and b not in b"\n\t")
             or b == 0x7f))
if bad:
    sys.exit("control bytes %r in %s" % (bad, sys.argv[1]))
data.decode("utf-8")
PY
}

python3 - "$T/seeds.txt" "$BASE" <<'PY'
import random, sys
path, base = sys.argv[1:]
rng = random.Random(7)
garbage = bytes(b for b in (rng.randrange(1, 256) for _ in range(3000))
                if b not in b"\n\r#")
lines = [
    b"# hostile seeds",                                  # 1
    base.encode() + b"/a.html",                          # 2 good
    garbage,                                             # 3 bad: binary
    b"http://127.0.0.1/" + b"a" * (1 << 20),             # 4 bad: 1 MB
    b"/x",                                               # 5 bad: relative
    b"foo.html",                                         # 6 bad: relative
    b"http://exa\x00mple.com/",                          # 7 bad: NUL
    base.encode() + b"/b.html\r",                        # 8 good (CR LF)
    b"\xff\xfe http://\xc3\x28/",                        # 9 bad: bad UTF-8
    b"http://[::1/",                                     # 10 bad: IPv6
    b"",                                                 # 11 blank
    b"   " + base.encode() + b"/c.html",                 # 12 good
    base.encode() + b"/a.html",                          # 13 duplicate
    b"\x00\x00\x00\x00",                                 # 14 bad: NULs
    b"../up.html",                                       # 15 bad: relative
    base.encode() + b"/d.html",                          # 16 good, last,
]
with open(path, "wb") as f:
    f.write(b"\n".join(lines))                           # no final newline
PY
run_crawl seeds 0 --seeds "$T/seeds.txt" -o "$T/seeds.jsonl"
clean_log seeds 20000
for n in 3 4 5 6 7 9 10 14 15; do
    grep -Eq "seeds\.txt:$n:" "$T/seeds.err" || {
        cat "$T/seeds.err" >&2
        fail "seeds: no warning naming seeds.txt:$n"
    }
done
for n in 1 2 8 11 12 13 16; do
    if grep -Eq "seeds\.txt:$n:" "$T/seeds.err"; then
        grep -E "seeds\.txt:$n:" "$T/seeds.err" >&2
        fail "seeds: a warning for the good line seeds.txt:$n"
    fi
done
check_records "$T/seeds.jsonl"
records_py "$T/seeds.jsonl" '
base = args[0]
want = {base + "/%s.html" % p: "page %s" % p for p in "abcd"}
got = Counter(r["url"] for r in recs)
if sorted(got) != sorted(want) or max(got.values()) != 1:
    die("records %s, want each of %s once" % (dict(got), sorted(want)))
for r in recs:
    if r["status"] != 200 or r["title"] != want[r["url"]]:
        die("bad record %s" % json.dumps(r))
' "$BASE"

# only bad lines: exit 2, each named
printf '/x\nfoo.html\n\x01\x02\x03\nhttp://exa\x00mple/\n' >"$T/bad.txt"
run_crawl bad 2 --seeds "$T/bad.txt" -o "$T/bad.jsonl"
clean_log bad 20000
for n in 1 2 3 4; do
    grep -Eq "bad\.txt:$n:" "$T/bad.err" ||
        fail "bad: no warning naming bad.txt:$n"
done
[ ! -s "$T/bad.jsonl" ] || fail "bad: records written from no valid seed"

# 256 KB of random bytes (about 1,000 lines): exit 2, warnings capped
head -c 262144 /dev/urandom >"$T/random.bin"
run_crawl random 2 --seeds "$T/random.bin" -o "$T/random.jsonl"
clean_log random 50000
n=$(grep -c "random\.bin:[0-9]*:" "$T/random.err" || true)
note "random seeds: $n line warnings, $(wc -c <"$T/random.err") bytes of log"
[ "$n" -ge 1 ] || fail "random: no FILE:LINE warning"

# the same garbage through stdin: exit 2, named (stdin)
rc=0
timeout 30 "$ZSCRAPE" crawl -q --seeds - -o "$T/stdin.jsonl" \
    <"$T/bad.txt" >/dev/null 2>"$T/stdin.err" || rc=$?
assert_eq "$rc" 2 "exit status of garbage seeds on stdin"
assert_no_crash "$T/stdin.err"
grep -q "stdin.*:1:" "$T/stdin.err" || fail "stdin: no (stdin):1: warning"

# ---------------------------------------------------------------- wire

N=300
for i in $(seq $N); do
    echo "$BASE/slow/$i"
done >"$T/wire-seeds.txt"
echo "$BASE/e.html" >>"$T/wire-seeds.txt"
echo "$BASE/f.html" >>"$T/wire-seeds.txt"

# wire_round NAME "ZMTP-KIND:PORT-OFFSET ..." CRAWL-ARGS...: a crawl of the
# 302 pages (300 of 0.2 s each, 8 at a time: about 8 s) while garbage
# peers (tests/hostile-zmtp.py KIND at PORT+OFFSET) do their worst; the
# crawl must exit 0 with exactly the right records.
wire_round()
{
    local name=$1 peers=$2 crawl_pid pids='' p k kind zrc=0 rc=0 i
    shift 2
    PORT=$(free_ports5)
    [ -n "$PORT" ] || fail "$name: no 5 free consecutive ports"
    spawn "$ZSCRAPE" crawl -q --seeds "$T/wire-seeds.txt" \
        -o "$T/$name.jsonl" --listen "tcp://127.0.0.1:$PORT" \
        --concurrency 8 --per-host 8 --parsers 2 --retries 0 \
        --stats "$T/$name-stats.json" --log-level info "$@" \
        2>"$T/$name.err"
    crawl_pid=$SPAWN_PID
    wait_until 15 port_answers $((PORT + 3)) ||
        fail "$name: the crawl does not listen on $((PORT + 3))"
    : >"$T/nginx/access.log"
    wait_until 15 grep -q "/slow/" "$T/nginx/access.log" ||
        fail "$name: no page fetched after 15 s"
    for p in $peers; do
        kind=${p%%:*} k=${p#*:}
        python3 "$ROOT/tests/hostile-zmtp.py" 127.0.0.1 $((PORT + k)) \
            "$kind" 3 >"$T/$name-z-$kind$k.out" 2>&1 &
        pids="$pids $!"
        track_pid $!
    done
    for p in $pids; do
        wait "$p" || zrc=1
    done
    for p in "$T/$name"-z-*.out; do
        note "$name: $(basename "$p" .out | sed "s/^$name-z-//"):" \
            "$(tail -n 1 "$p")"
    done
    [ $zrc = 0 ] || fail "$name: a garbage peer could not connect"
    kill -0 "$crawl_pid" 2>/dev/null ||
        note "$name: the crawl ended before the garbage peers were done"
    for i in $(seq 600); do
        kill -0 "$crawl_pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$crawl_pid" 2>/dev/null; then
        note "$name: $(grep -c . "$T/$name.jsonl" 2>/dev/null) records so far"
        fail "$name: crawl still running 60 s after the garbage"
    fi
    wait "$crawl_pid" || rc=$?
    assert_no_crash "$T/$name.err"
    assert_no_restart "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 20 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi
    check_records "$T/$name.jsonl"
    records_py "$T/$name.jsonl" '
base, n, name = args[0], int(args[1]), args[2]
want = {base + "/slow/%d" % i: "slow /slow/%d" % i for i in range(1, n + 1)}
want[base + "/e.html"] = "page e"
want[base + "/f.html"] = "page f"
got = Counter(r["url"] for r in recs)
dup = [u for u, k in got.items() if k > 1]
extra = sorted(set(got) - set(want))
miss = sorted(set(want) - set(got))
if dup or extra or miss:
    die("%s: %d records; duplicates %s; unexpected %s; missing %s"
        % (name, len(recs), dup[:5], extra[:5], miss[:5]))
for r in recs:
    if r["status"] != 200 or r["error"] is not None or \
            r["title"] != want[r["url"]]:
        die("%s: bad record %s" % (name, json.dumps(r)[:300]))
    if "forged" in json.dumps(r):
        die("%s: forged data in %s" % (name, json.dumps(r)[:300]))
' "$BASE" $N "$name"
    python3 - "$T/$name-stats.json" "$name" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
print("# %s stats: records=%s refused_frames=%s late_duplicates=%s "
      "redispatched=%s" % (sys.argv[2], s.get("records"),
                           s.get("refused_frames"), s.get("late_duplicates"),
                           s.get("redispatched")), file=sys.stderr)
PY
        fail "$name: no stats"
    # the log stays readable: no garbage bytes echoed
    clean_log "$name" 2000000
}

# (2a) garbage into the two PULL endpoints: ZMTP garbage and raw bytes.
# No URL is lost, so the crawl ends at once with the default --lease.
wire_round wire "results:3 pages:1 raw:3 raw:1"
grep -q "refused" "$T/wire.err" || {
    tail -n 20 "$T/wire.err" >&2
    fail "wire: no 'refused' line in the log"
}
grep -Eq "sink\[[0-9]+\].*refused" "$T/wire.err" ||
    fail "wire: the sink logged no 'refused' line (results endpoint)"
note "wire: 'refused' lines by role:" \
    "$(grep refused "$T/wire.err" | sed -n 's/.* \([a-z]*\)\[[0-9]*\] .*/\1/p' |
        sort | uniq -c | tr -s ' \n' ' ')"
python3 - "$T/wire-stats.json" <<'PY' || fail "wire: stats check failed"
import json, sys
s = json.load(open(sys.argv[1]))
if not s.get("refused_frames"):
    sys.exit("refused_frames is %r, want > 0" % s.get("refused_frames"))
PY

# (2b) raw bytes to the PUSH and PUB endpoints (dispatch, pages-out,
# control).  A connection whose first byte is not 0xFF is a ZMTP 1.0 peer
# to libzmq, with no socket-type check: the PUSH sockets may hand it URLs
# and pages that vanish.  The leases bring them back (--lease 5): every
# URL still gets its one record.
wire_round push "raw:0 raw:2 raw:4" --lease 5
