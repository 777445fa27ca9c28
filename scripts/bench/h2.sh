#!/bin/bash
# scripts/bench/h2.sh: `make bench-h2`.  What HTTP/2 does to the IO
# benchmark: N distinct URLs of a 1-second endpoint (nginx echo_sleep 1)
# over https on one host, nginx with `ssl http2`, crawled by zscrape with
# its default (HTTP/2 over TLS) and with --http1.1, each REPS times,
# alternating, at --concurrency N --per-host N and at the default
# --per-host 8.
#
# Per run: wall s (the launcher's, start to exit), connections nginx
# accepted for it (distinct $connection in its access log), the fetcher's
# CPU s and peak RSS (its own last counter report in --stats: cpu_ms,
# peak_rss_kb), and the records (all N must be status 200, each once).
# Prints a table of medians (and min-max) and writes it, with every run,
# to bench/results/h2.txt (H2_OUT).
#
#   H2_N=1000 H2_REPS=3 H2_PERHOST="N 8" scripts/bench/h2.sh
#   H2_KEEP=1: keep the work folder (logs, outputs) and say where
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${ZSCRAPE_BIN:-$ROOT/bin}
export ZSCRAPE_BIN=$BIN
ZSCRAPE=$ROOT/scripts/zscrape
N=${H2_N:-1000}
REPS=${H2_REPS:-3}
PERHOST=${H2_PERHOST:-N 8}
OUT=${H2_OUT:-$ROOT/bench/results/h2.txt}
PY=/usr/bin/python3

# shellcheck source=scripts/bench/lib.sh
. "$HERE/lib.sh"

for f in "$BIN/zscrape-sink" "$BIN/zscrape-fetcher" "$BIN/zscrape-parser"; do
    [ -x "$f" ] || { echo "h2: $f missing: run make first" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "h2: openssl not installed" >&2; exit 1; }
case $N in ''|*[!0-9]*) echo "h2: H2_N '$N' is not a number" >&2; exit 2 ;; esac
case $REPS in ''|*[!0-9]*|0) echo "h2: H2_REPS '$REPS' is not a count" >&2; exit 2 ;; esac

BT=$(mktemp -d "${TMPDIR:-/tmp}/zsh2.XXXXXX") || exit 1
cleanup()
{
    trap - EXIT INT TERM
    bench_nginx_stop
    if [ -n "${H2_KEEP:-}" ]; then
        echo "h2: work folder kept: $BT" >&2
    else
        rm -rf "$BT"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# a self-signed certificate for 127.0.0.1 (its own CA for --cacert)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$BT/key.pem" \
    -out "$BT/cert.pem" >"$BT/openssl.log" 2>&1 ||
    { cat "$BT/openssl.log" >&2; exit 1; }

# nginx: lib.sh's configuration, listening with TLS and HTTP/2 and
# logging each request's connection number
h2_conf()         # h2_conf FILE PORT
{
    sed -i -e "s|listen 127.0.0.1:$2 backlog=65535;|listen 127.0.0.1:$2 ssl http2 backlog=65535;\\
        ssl_certificate $BT/cert.pem;\\
        ssl_certificate_key $BT/key.pem;|" \
        -e "s|access_log off;|log_format conn '\$connection \$server_protocol \$status';\\
    access_log $BT/access.log conn;|" "$1"
    grep -q "ssl http2" "$1" ||
        { echo "h2: could not set up nginx's TLS listener" >&2; return 1; }
}
mkdir -p "$BT/www" "$BT/out"
bench_nginx_start "$BT/www" h2_conf https || exit 1
curl -sS --cacert "$BT/cert.pem" --http2 -o /dev/null \
    -w '%{http_version}\n' "$BASE/sleep/probe" >"$BT/probe.txt" ||
    { echo "h2: nginx does not answer over https" >&2; exit 1; }
[ "$(cat "$BT/probe.txt")" = 2 ] ||
    { echo "h2: nginx does not speak HTTP/2 (curl got $(cat "$BT/probe.txt"))" >&2; exit 1; }
awk -v b="$BASE" -v n="$N" \
    'BEGIN { for (i = 0; i < n; i++) printf "%s/sleep/h2-%d\n", b, i }' \
    >"$BT/seeds.txt"
bench_say "h2: nginx at $BASE; $N URLs, $REPS runs of each, per-host: $PERHOST"

: >"$BT/runs.jsonl"
# run PROTO PERHOST K: one crawl; appends its facts to runs.jsonl
run()
{
    local proto=$1 ph=$2 k=$3 name t0 t1 rc=0 extra=()
    name=$proto-$ph-$k
    [ "$proto" = http1.1 ] && extra=(--http1.1)
    sleep 2     # the last run's connections closed, nginx idle
    : >"$BT/access.log"
    t0=$(date +%s.%N)
    "$ZSCRAPE" crawl -q --seeds "$BT/seeds.txt" -o "$BT/out/$name.jsonl" \
        --stats "$BT/out/$name.stats.json" --cacert "$BT/cert.pem" \
        --concurrency "$N" --per-host "$ph" --timeout 300 "${extra[@]}" \
        2>"$BT/out/$name.err" || rc=$?
    t1=$(date +%s.%N)
    [ $rc = 0 ] || { cat "$BT/out/$name.err" >&2; echo "h2: $name: exit $rc" >&2; exit 1; }
    sleep 0.5   # nginx writes its log lines as requests end
    "$PY" - "$BT/out/$name.jsonl" "$BT/out/$name.stats.json" \
        "$BT/access.log" "$N" "$proto" "$ph" "$k" "$t0" "$t1" \
        >>"$BT/runs.jsonl" <<'PY'
import json, sys
out, stats, log, n, proto, ph, k, t0, t1 = sys.argv[1:]
n = int(n)
recs = [json.loads(l) for l in open(out)]
urls = [r["url"] for r in recs]
bad = [r for r in recs if r.get("status") != 200 or r.get("error")]
if len(recs) != n or len(set(urls)) != n or bad:
    sys.exit("h2: %s-%s-%s: %d records, %d distinct, %d not 200 (want %d)"
             % (proto, ph, k, len(recs), len(set(urls)), len(bad), n))
s = json.load(open(stats))
fetchers = [p for p in s["processes"] if p["role"] == "fetcher"]
conns, protos = set(), set()
for line in open(log):
    w = line.split()
    if len(w) >= 2:
        conns.add(w[0])
        protos.add(w[1])
want = "HTTP/2.0" if proto == "h2" else "HTTP/1.1"
if protos != {want}:
    sys.exit("h2: %s-%s-%s: nginx saw %s, want %s" % (proto, ph, k,
             sorted(protos), want))
print(json.dumps({
    "proto": proto, "per_host": ph, "run": int(k),
    "wall_s": round(float(t1) - float(t0), 2),
    "connections": len(conns),
    "fetcher_cpu_s": round(sum(p.get("cpu_ms", 0) for p in fetchers) / 1000, 2),
    "fetcher_rss_mb": round(max(p.get("peak_rss_kb", 0) for p in fetchers) / 1024, 1),
    "records": len(recs)}))
PY
    bench_say "h2: $(tail -n 1 "$BT/runs.jsonl")"
}

for ph in $PERHOST; do
    [ "$ph" = N ] && ph=$N
    for k in $(seq "$REPS"); do
        # alternate which goes first, so a drifting machine favours neither
        if [ $((k % 2)) = 1 ]; then
            run h2 "$ph" "$k"; run http1.1 "$ph" "$k"
        else
            run http1.1 "$ph" "$k"; run h2 "$ph" "$k"
        fi
    done
done

mkdir -p "$(dirname "$OUT")"
"$PY" - "$BT/runs.jsonl" "$N" "$REPS" "$(nproc)" "$(uptime)" <<'PY' | tee "$OUT"
import json, statistics, sys, datetime
runs = [json.loads(l) for l in open(sys.argv[1])]
n, reps, cores, up = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
print("# make bench-h2: %s distinct 1-second URLs over https, one nginx "
      "(ssl http2), --concurrency %s; median of %s runs each (min-max)"
      % (n, n, reps))
print("# %s, %s cores; load at the end:%s" % (
    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), cores,
    up.split("load average:")[-1]))
cols = [("wall_s", "wall s"), ("connections", "connections"),
        ("fetcher_cpu_s", "fetcher CPU s"), ("fetcher_rss_mb", "fetcher RSS MB")]
print("%-9s %-9s" % ("per-host", "protocol") +
      "".join(" %-17s" % c[1] for c in cols))
keys = []
for r in runs:
    if (r["per_host"], r["proto"]) not in keys:
        keys.append((r["per_host"], r["proto"]))
for ph, proto in keys:
    rs = [r for r in runs if r["per_host"] == ph and r["proto"] == proto]
    cells = []
    for c, _ in cols:
        v = [r[c] for r in rs]
        m = statistics.median(v)
        cells.append(("%g (%g-%g)" % (m, min(v), max(v))) if len(v) > 1
                     else "%g" % m)
    print("%-9s %-9s" % (ph, proto) + "".join(" %-17s" % c for c in cells))
print("# every run, in order:")
for r in runs:
    print("#   " + json.dumps(r))
PY
bench_say "h2: table written to $OUT"
