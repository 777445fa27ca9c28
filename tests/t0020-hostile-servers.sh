#!/bin/bash
# t0020: servers that misbehave on purpose.  nginx serves a 10 bytes/s
# drip, a close without a reply (return 444), redirect loops, a 5 GB body
# and a gzip bomb (1 MB that decodes to 1 GB); tests/hostile-server.py
# serves raw misbehaviours (Content-Length longer than the body, a reset,
# a silent connection, headers one byte at a time, garbage instead of a
# status line, bad chunking, bad gzip, a 1 MB header, endless headers, an
# endless body) and a port that never accepts.  Every URL gets exactly one
# record with the right error code, each within --timeout (2 s) plus a
# margin, the crawl exits 0 in a few seconds, nothing crashes, and the
# fetcher's peak RSS stays under 150 MB (bodies are capped, never held
# whole).
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

nginx_start '
        location = /drip.html { limit_rate 10; }
        location = /close444 { return 444; }
        location = /loop { return 302 /loop; }
        location = /ping { return 302 /pong; }
        location = /pong { return 301 /ping; }
        location = /huge.html { types { } default_type text/html; }
        location = /bomb.html { types { } default_type text/html;
                                add_header Content-Encoding gzip; }
        location = /ok.html { }
'
cat >"$T/www/ok.html" <<'HTML'
<!DOCTYPE html><html><head><title>still fine</title></head><body></body></html>
HTML
# the drip: 100 KB at 10 bytes/s
python3 -c 'import sys; sys.stdout.write("<html><title>drip</title>" + "d" * 100000)' \
    >"$T/www/drip.html"
# 5 GB of nothing: a sparse file, served with its Content-Length
truncate -s 5G "$T/www/huge.html"
# a gzip bomb: 1 GiB of HTML-ish spaces in ~1 MB
python3 - "$T/www/bomb.html" <<'PY'
import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, 31)          # gzip wrapper
out = [c.compress(b"<html><title>bomb</title><body>")]
z = b" " * (1 << 20)
out += [c.compress(z) for _ in range(1024)]
out.append(c.flush())
open(sys.argv[1], "wb").write(b"".join(out))
PY

python3 "$ROOT/tests/hostile-server.py" "$T/hs.port" \
    >"$T/hs.out" 2>"$T/hs.err" &
track_pid $!
wait_until 10 test -s "$T/hs.port" || fail "hostile-server.py did not start"
read -r HPORT SPORT <"$T/hs.port"
H=http://127.0.0.1:$HPORT

# url TAB error TAB allowed statuses TAB max elapsed ms
cat >"$T/want.tsv" <<EOF
$BASE/ok.html		200	2000
$BASE/drip.html	timeout	0,200	5000
$BASE/close444	reset	0	2000
$BASE/loop	redirects	301,302	2000
$BASE/ping	redirects	301,302	2000
$BASE/huge.html	too_large	200	5000
$BASE/bomb.html	too_large	200	5000
$H/ok		200	2000
$H/cl-short		200	2000
$H/cl-long	reset	0,200	2000
$H/close	reset	0	2000
$H/rst	reset	0	2000
$H/rst-mid	reset	0,200	2000
$H/silent	timeout	0	5000
$H/slow-headers	timeout	0	5000
$H/garbage	reset	0	2000
$H/bad-status	reset	0	2000
$H/http09	reset	0	2000
$H/bad-chunk	reset	0,200	2000
$H/bad-gzip	reset	0,200	2000
$H/huge-header	reset	0,200	2000
$H/endless-headers	reset	0,200	5000
$H/endless-body	too_large	200	5000
http://127.0.0.1:$SPORT/never-accepted	timeout	0	5000
EOF
cut -f1 "$T/want.tsv" >"$T/seeds.txt"

start=$(date +%s%3N)
rc=0
zs crawl --seeds "$T/seeds.txt" -o "$T/out.jsonl" -q --timeout 2 \
    --retries 0 --per-host 64 --parsers 2 --log-level info \
    --stats "$T/stats.json" >"$T/stdout" 2>"$T/stderr" || rc=$?
ms=$(($(date +%s%3N) - start))
note "crawl took $ms ms"
assert_no_crash "$T/stderr"
assert_no_restart "$T/stderr"
if [ $rc != 0 ]; then
    tail -n 20 "$T/stderr" >&2
    fail "crawl exited $rc, want 0"
fi

records_py "$T/out.jsonl" '
want = {}
for line in open(args[0]):
    url, err, statuses, maxms = line.rstrip("\n").split("\t")
    want[url] = (err or None, {int(s) for s in statuses.split(",")},
                 int(maxms))
problems = []
c = Counter(r["url"] for r in recs)
for u, n in c.items():
    if n > 1:
        problems.append("%s: %d records, want 1" % (u, n))
for u in sorted(set(c) - set(want)):
    problems.append("unexpected record for %s" % u)
for url, (err, statuses, maxms) in want.items():
    r = by_url.get(url)
    if r is None:
        problems.append("no record for %s" % url)
        continue
    what = url.rsplit("/", 1)[1]
    if r["error"] != err:
        problems.append("%s: error %r, want %r (status %r)"
                        % (what, r["error"], err, r["status"]))
    if r["status"] not in statuses:
        problems.append("%s: status %r, want %s" % (what, r["status"],
                        " or ".join(map(str, sorted(statuses)))))
    if r["elapsed_ms"] > maxms:
        problems.append("%s: elapsed_ms %d, want <= %d"
                        % (what, r["elapsed_ms"], maxms))
    if err == "timeout" and r["elapsed_ms"] < 1900:
        problems.append("%s: timeout after %d ms, want about 2000 "
                        "(--timeout 2)" % (what, r["elapsed_ms"]))
    if err is None and r["title"] not in ("fine", "still fine"):
        problems.append("%s: title %r" % (what, r["title"]))
if problems:
    die("%d problems:\n  %s" % (len(problems), "\n  ".join(problems)))
' "$T/want.tsv"
check_records "$T/out.jsonl"

# the crawl ends soon after the slowest URL's 2 s timeout
[ "$ms" -le 15000 ] || fail "crawl took $ms ms, want well under 15 s"

# peak RSS from the processes' exit lines (--log-level info)
peaks()
{
    sed -n "s/.* $1\[[0-9]*\] INFO .*peak_rss_kb=\([0-9]*\).*/\1/p" \
        "$T/stderr"
}
fpeak=$(peaks fetcher | sort -n | tail -n 1)
ppeak=$(peaks parser | sort -n | tail -n 1)
speak=$(peaks sink | sort -n | tail -n 1)
[ -n "$fpeak" ] || fail "no fetcher exit line with peak_rss_kb in the log"
note "peak RSS: fetcher ${fpeak} kB, parsers ${ppeak:-?} kB, sink ${speak:-?} kB"
[ "$fpeak" -lt 153600 ] ||
    fail "fetcher peak RSS ${fpeak} kB, want < 150 MB (5 GB body, gzip bomb)"
[ -z "$ppeak" ] || [ "$ppeak" -lt 153600 ] ||
    fail "parser peak RSS ${ppeak} kB, want < 150 MB"
