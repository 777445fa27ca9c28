#!/usr/bin/env bash
# scripts/bench/run.sh: `make bench`.  zscrape against its peers, on
# loopback, against a private nginx, with data the bench makes itself, in
# one run; zscrape runs alternate with the peers' runs so that machine
# drift cancels out (each peer is compared with the zscrape runs just
# before and after it).
#
#   io-N      N distinct URLs of a 1-second endpoint (nginx echo_sleep 1),
#             N = 50, 1,000, 10,000: zscrape, a bare libcurl multi client
#             (the floor) and the same client on zscrape's transfer engine
#             (floor-engine: fetcher/events.c, no ZeroMQ), curl --parallel,
#             the seed article's httpx +
#             asyncio.gather (as written, and with the pool raised to N),
#             aiohttp, Scrapy
#   crawl     a generated shop of 20,000 pages of 20-40 KB crawled from its
#             index with bench/rules-shop.txt to JSON Lines: zscrape,
#             Scrapy, Crawlee (CheerioCrawler), the seed's httpx +
#             ProcessPoolExecutor + parsel pattern, spider-rs and wget2
#             (fetch and follow links only); record counts checked,
#             zscrape's fields compared with Scrapy's on a sample
#   broad     issue #12's broad polite crawl: tests/gen-broad.py's 500
#             hosts hN.localhost x 20 pages (5,265 reachable), pages 0.1 s
#             late, crawled --depth 50 --scope any, polite (--per-host 1
#             --delay 1000) and fast (--per-host 2 --delay 0): zscrape
#             against the schedule bound of the site's link graph
#             (broad_bound.py, the floor row), Scrapy with its broad-crawl
#             queue and the same per-host settings, spider-rs and wget2;
#             every run's politeness judged from nginx's log
#             (tests/politeness.py)
#   scaling   the crawl with --parsers 1 and 2, CPU time of each process
#   ceiling   gumbo alone over the same pages from memory, one process a
#             core; zscrape's CPU per page by process kind against it
#   memory    peak RSS of every process above; the sink's ledger bytes per
#             URL at 1,000,000 URLs (build/tests/test_ledger)
#
# Prints one table; writes bench/results/bench.{txt,csv,json,png} and the
# raw runs (runs.jsonl).  Knobs (environment):
#   BENCH_BUDGET=S   seconds this script may take (default 540, leaving
#                    `make bench` a minute to build and check deps): the
#                    slow peers get what is left, and are cut (timeout,
#                    reported as such, with their rate so far) or skipped
#   BENCH_FULL=1     every peer at every N and no cut (about 15 minutes)
#   BENCH_PAGES=N    site size (default 20000)
#   BENCH_IO_NS="50 1000 10000"
#   BENCH_ONLY=LIST  run only these workloads (space or comma separated:
#                    ceiling io crawl broad memory; default all).  BENCH_ONLY=io
#                    skips the site (nginx serves an empty folder), the
#                    ceiling, the crawls and the ledger; the table then
#                    holds the io-N rows only
#   BENCH_IO_PEERS="floor floor-engine curl httpx-seed httpx-raised aiohttp scrapy"
#                    the IO peers to run (default all of them), each
#                    between two zscrape runs as always
#   BENCH_BROAD_HOSTS=500 BENCH_BROAD_PAGES=20   the broad site's size
#   BENCH_KEEP=1     keep the work folder (printed at the end)
#   BENCH_PYTHON     the python with Debian's peer packages (/usr/bin/python3)
#   ZSCRAPE_BENCH_NODE_DIR  where install-deps.sh --bench put crawlee (and
#                    spider-rs, in its spider-rs/ folder)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/scripts/bench
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=${ZSCRAPE_BIN:-$ROOT/bin}
export ZSCRAPE_BIN=$BIN
ZSCRAPE=$ROOT/scripts/zscrape
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=python3
NODE_DIR=${ZSCRAPE_BENCH_NODE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/zscrape-bench}
OUT=$ROOT/bench/results
BUDGET=${BENCH_BUDGET:-540}
FULL=${BENCH_FULL:-0}
PAGES=${BENCH_PAGES:-20000}
BROAD_HOSTS=${BENCH_BROAD_HOSTS:-500}
BROAD_PAGES=${BENCH_BROAD_PAGES:-20}
SPIDER_DIR=$NODE_DIR/spider-rs/node_modules
IO_NS=${BENCH_IO_NS:-50 1000 10000}
ONLY=${BENCH_ONLY:-ceiling io crawl broad memory}
ONLY=" ${ONLY//,/ } "
IO_PEERS=${BENCH_IO_PEERS:-floor floor-engine curl httpx-seed httpx-raised aiohttp scrapy}
RULES=$ROOT/bench/rules-shop.txt
BENCH_T0=$(date +%s.%N)
export BENCH_T0
SECONDS=0

BT=$(mktemp -d "${TMPDIR:-/tmp}/zsbench.XXXXXX") || exit 1
RESULTS=$BT/runs.jsonl
FACTS=$BT/facts.txt
: >"$RESULTS"
: >"$FACTS"

# shellcheck source=scripts/bench/lib.sh
. "$HERE/lib.sh"

cleanup()
{
    trap - EXIT INT TERM
    bench_nginx_stop
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $BT" >&2
    else
        rm -rf "$BT"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fact() { printf '%s\n' "$*" >>"$FACTS"; }

# want WORKLOAD: is it among BENCH_ONLY's?
want() { case $ONLY in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- checks
for f in "$BIN/zscrape-sink" "$BIN/zscrape-fetcher" "$BIN/zscrape-parser" \
         "$BUILD/bench/floor" "$BUILD/bench/floor-engine" \
         "$BUILD/bench/ceiling" \
         "$BUILD/tests/bench_parse" "$BUILD/tests/test_ledger"; do
    [ -x "$f" ] || { echo "bench: '$f' not built (run make bench)" >&2; exit 1; }
done

# descriptors for 10,000 connections (client and nginx each)
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=65536
ulimit -n "$hard" 2>/dev/null
fact "nofile=$(ulimit -n)"
fact "budget_s=$BUDGET"
fact "full=$FULL"
fact "cores=$(getconf _NPROCESSORS_ONLN)"
fact "kernel=$(uname -r)"
fact "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"

# Which peers can run: a missing one is reported as skipped, never dropped.
have_py() { "$PY" -c "import $1" >/dev/null 2>&1; }
declare -A MISSING=()
have_py httpx || MISSING[httpx]="python3-httpx not installed"
have_py aiohttp || MISSING[aiohttp]="python3-aiohttp not installed"
have_py scrapy || MISSING[scrapy]="python3-scrapy not installed"
have_py parsel || MISSING[parsel]="python3-parsel not installed"
command -v curl >/dev/null || MISSING[curl]="curl not installed"
if ! command -v node >/dev/null; then
    MISSING[crawlee]="node not installed"
elif [ ! -d "$NODE_DIR/node_modules/crawlee" ]; then
    MISSING[crawlee]="crawlee not installed in $NODE_DIR (scripts/install-deps.sh --bench)"
fi
if ! command -v node >/dev/null; then
    MISSING[spider-rs]="node not installed"
elif [ ! -f "$SPIDER_DIR/@spider-rs/spider-rs/package.json" ]; then
    MISSING[spider-rs]="@spider-rs/spider-rs not installed in $SPIDER_DIR (scripts/install-deps.sh --bench)"
elif ! NODE_PATH=$SPIDER_DIR node -e "require('@spider-rs/spider-rs')" \
        >/dev/null 2>&1; then
    MISSING[spider-rs]="@spider-rs/spider-rs does not load (no binary for this platform?)"
fi
command -v wget2 >/dev/null || MISSING[wget2]="wget2 not installed"
fact "python=$("$PY" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)"
for m in httpx aiohttp scrapy parsel; do
    [ -z "${MISSING[$m]:-}" ] &&
        fact "version_$m=$("$PY" -c "import $m; print($m.__version__)" 2>/dev/null)"
done
[ -z "${MISSING[crawlee]:-}" ] &&
    fact "version_crawlee=$(node -p "require('$NODE_DIR/node_modules/crawlee/package.json').version" 2>/dev/null)"
[ -z "${MISSING[spider-rs]:-}" ] &&
    fact "version_spider_rs=$(node -p "require('$SPIDER_DIR/@spider-rs/spider-rs/package.json').version" 2>/dev/null)"
[ -z "${MISSING[wget2]:-}" ] &&
    fact "version_wget2=$(wget2 --version 2>/dev/null | head -n1 | cut -d' ' -f3)"
fact "version_curl=$(curl --version 2>/dev/null | head -n1 | cut -d' ' -f2)"
fact "version_nginx=$(nginx -v 2>&1 | sed 's|.*/||')"

# skip_row WORKLOAD TOOL WHY: a row that says why a peer did not run
skip_row()
{
    "$PY" - "$RESULTS" "$1" "$2" "$3" <<'PY'
import json, sys
path, w, t, why = sys.argv[1:]
with open(path) as f:
    seq = sum(1 for _ in f)
with open(path, "a") as f:
    f.write(json.dumps({"workload": w, "tool": t, "seq": seq, "ref": False,
                        "status": "skipped", "why": why}) + "\n")
PY
    bench_say "$1 $2: skipped ($3)"
}

# measure WORKLOAD TOOL LIMIT LOGNAME [measure.py options] -- CMD...
measure()
{
    local w=$1 t=$2 lim=$3 log=$4
    shift 4
    "$PY" "$HERE/measure.py" --results "$RESULTS" --workload "$w" \
        --tool "$t" --limit "$lim" --log "$BT/logs/$log" "$@"
}

# last_wall: wall time of the last run recorded (integer seconds, >= 1)
last_wall()
{
    tail -n1 "$RESULTS" | "$PY" -c '
import json, sys
print(max(1, int(json.loads(sys.stdin.read()).get("wall_s", 1) + 0.999)))'
}

# peer_limit CAP REST: the time limit for a peer that must leave REST
# seconds for what comes after it: min(CAP, budget left - REST); empty
# (and false) when that is under 20 s
peer_limit()
{
    local cap=$1 rest=$2 left
    if [ "$FULL" = 1 ]; then
        echo "$cap"
        return 0
    fi
    left=$((BUDGET - SECONDS - rest))
    [ $left -lt "$cap" ] || left=$cap
    [ "$left" -ge 20 ] || return 1
    echo "$left"
}

mkdir -p "$BT/logs" "$BT/out"

# ---------------------------------------------------------------- data
if want ceiling || want crawl; then
    bench_say "generating the site: $PAGES pages (scripts/bench/gen-shop.py)"
    gen=$("$PY" "$HERE/gen-shop.py" "$BT/www" "$PAGES") || {
        echo "bench: gen-shop.py failed" >&2; exit 1; }
    fact "site_$gen"
    fact "gen_s=$SECONDS"
else
    mkdir -p "$BT/www"      # the IO workloads need /sleep/ only
fi
# the broad site: a second server block on the same port for every
# *.localhost name (after the first, which answers any other name) (tests/broad-site.conf: pages 0.1 s late), logging
# each request for tests/politeness.py
BROAD_LOG=$BT/nginx/broad.log
broad_conf()            # broad_conf FILE PORT
{
    cat >"$BT/broad-server.conf" <<CONF
    log_format broad '\$host \$msec \$request_time \$request_uri '
                     '\$status \$remote_addr';
    server {
        listen 127.0.0.1:$2;
        server_name *.localhost;
        root $BT/broad/\$host;
        access_log $BROAD_LOG broad;
        include $ROOT/tests/broad-site.conf;
    }
CONF
    # at the end of the http block (the file's last line): the first
    # server block of the port stays the default one, for 127.0.0.1
    [ "$(tail -n1 "$1")" = "}" ] &&
        { head -n -1 "$1"; cat "$BT/broad-server.conf"; echo "}"; } \
            >"$1.new" && mv "$1.new" "$1" &&
        grep -q "server_name \*.localhost;" "$1" ||
        { echo "bench: could not add the broad site to nginx" >&2; return 1; }
}
if want broad; then
    bench_nginx_start "$BT/www" broad_conf || exit 1
else
    bench_nginx_start "$BT/www" || exit 1
fi
bench_say "nginx on $BASE"

# ---------------------------------------------------------------- ceiling
# gumbo alone, one process a core, from memory (loading is not timed)
if want ceiling; then
    bench_say "ceiling: gumbo over the $PAGES pages, one process a core"
    measure ceiling "gumbo parse x$(getconf _NPROCESSORS_ONLN) procs" 300 ceiling \
        --post "sed -n 's/^pages=/bench: pages=/; s/ wall_s=/ parse_wall_s=/; s/ cpu_s=/ parse_cpu_s=/p' '$BT/logs/ceiling.out'" \
        -- "$BUILD/bench/ceiling" "$BT/www"
    # zscrape's parse + extraction in one process, no IPC, on a 1,000-page
    # part of the site (tests/tools/bench_parse: decode + gumbo, + rules)
    mkdir -p "$BT/part"
    for k in 00 01 02 03 04; do ln -s "$BT/www/c$k" "$BT/part/c$k"; done
    "$BUILD/tests/bench_parse" "$BT/part" "$RULES" 1 >"$BT/logs/bench_parse.out" \
        2>&1 && sed 's/^/bench_parse: /' "$BT/logs/bench_parse.out" >>"$FACTS"
fi

# ---------------------------------------------------------------- IO
# zs_io N K: zscrape over the N URLs (a reference run)
zs_io()
{
    local n=$1 k=$2 o=$BT/out/io-$1-zs-$2.jsonl
    measure "io-$n" zscrape $((60 + n / 100)) "io-$n-zs-$k" --ref --pages "$n" \
        --post "'$PY' '$HERE/check.py' count '$o' $n '$BT/out/io-$n-zs-$k.stats.json'" \
        -- "$ZSCRAPE" crawl --seeds "$BT/io-$n.txt" -o "$o" \
        --concurrency "$n" --per-host "$n" --log-level info \
        --stats "$BT/out/io-$n-zs-$k.stats.json"
}

# io_peer N TOOL: run one peer over the N URLs
io_peer()
{
    local n=$1 tool=$2 lim need='' cmd=()
    lim=$((60 + n / 40))
    case $tool in
        floor) cmd=("$BUILD/bench/floor" "$BT/io-$n.txt" "$n") ;;
        floor-engine)
            cmd=("$BUILD/bench/floor-engine" "$BT/io-$n.txt" "$n") ;;
        curl)
            need=curl
            cmd=(curl -s --no-progress-meter --parallel --parallel-max "$n"
                 -w 'bench-code %{http_code}\n' -K "$BT/io-$n.curl") ;;
        httpx-seed)
            need=httpx
            cmd=("$PY" "$HERE/peers/io_httpx_seed.py" "$BT/io-$n.txt") ;;
        httpx-raised)
            need=httpx
            cmd=("$PY" "$HERE/peers/io_httpx_seed.py" "$BT/io-$n.txt" raised) ;;
        aiohttp)
            need=aiohttp
            cmd=("$PY" "$HERE/peers/io_aiohttp.py" "$BT/io-$n.txt") ;;
        scrapy)
            need=scrapy
            cmd=("$PY" "$HERE/peers/io_scrapy.py" "$BT/io-$n.txt") ;;
    esac
    local label
    case $tool in
        floor) label="floor (bare libcurl multi)" ;;
        floor-engine) label="floor (libcurl, zscrape's engine)" ;;
        curl) label="curl --parallel" ;;
        httpx-seed) label="httpx+gather (seed as written)" ;;
        httpx-raised) label="httpx+gather (pool=N)" ;;
        aiohttp) label="aiohttp+gather (limit=N)" ;;
        scrapy) label="scrapy (CONCURRENT_REQUESTS=N)" ;;
    esac
    if [ -n "$need" ] && [ -n "${MISSING[$need]:-}" ]; then
        skip_row "io-$n" "$label" "${MISSING[$need]}"
        return 1
    fi
    # the slowest peers at N = 10,000 would take the budget on their own
    if [ "$n" -ge 10000 ] && [ "$FULL" != 1 ]; then
        case $tool in
            curl|httpx-seed|httpx-raised|scrapy)
                skip_row "io-$n" "$label" "run at N <= 1,000 only, for the 10-minute budget (BENCH_FULL=1 runs it)"
                return 1 ;;
        esac
    fi
    local post
    if [ "$tool" = curl ]; then
        # curl prints one code a transfer
        post="printf 'bench: ok=%s\n' \$(grep -c '^bench-code 200' '$BT/logs/io-$n-$tool.out')"
    else
        post=true
    fi
    measure "io-$n" "$label" "$lim" "io-$n-$tool" --pages "$n" \
        --post "$post" -- "${cmd[@]}"
}

want io || IO_NS=
for n in $IO_NS; do
    bench_say "io-$n: $n distinct URLs, 1 s each"
    awk -v b="$BASE" -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
        printf "%s/sleep/%d-%d\n", b, n, i }' >"$BT/io-$n.txt"
    awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' \
        "$BT/io-$n.txt" >"$BT/io-$n.curl"
    k=1
    zs_io "$n" $k
    for tool in $IO_PEERS; do
        if io_peer "$n" "$tool"; then
            k=$((k + 1))
            zs_io "$n" $k
        fi
    done
done

# What the crawl's peers leave for the broad workload: its zscrape runs
# (polite about 35 s, fast 3 x 4 s) and Scrapy polite and fast (about 45
# and 30 s: issue #12's targets are against Scrapy), with 30 s to spare
# (at 120, a make bench here left Scrapy polite 32 s, and cut it);
# spider-rs and wget2 get what is left then.  The whole workload takes
# about 140 s here.
BROAD_REST=0
want broad && BROAD_REST=150

# ---------------------------------------------------------------- crawl
# zs_crawl PARSERS K: the crawl with zscrape
ZS_CRAWL_S=60
zs_crawl()
{
    local p=$1 k=$2 w=crawl tool=zscrape ref=--ref
    local o=$BT/out/crawl-zs-p$p-$k.jsonl
    if [ "$p" != 2 ]; then
        w=scaling
        tool="zscrape --parsers $p"
        ref=
    fi
    measure "$w" "$tool" 300 "crawl-zs-p$p-$k" $ref --pages "$PAGES" \
        --note "parsers=$p" \
        --post "'$PY' '$HERE/check.py' count '$o' $PAGES '$BT/out/crawl-zs-p$p-$k.stats.json'" \
        -- "$ZSCRAPE" crawl "$BASE/index.html" -o "$o" --rules "$RULES" \
        --depth 20 --robots off --concurrency 64 --per-host 64 \
        --fetchers 1 --parsers "$p" --log-level info \
        --stats "$BT/out/crawl-zs-p$p-$k.stats.json"
    [ "$p" = 2 ] && ZS_CRAWL_S=$(last_wall)
    cp "$o" "$BT/out/crawl-zs-last.jsonl" 2>/dev/null
}

# crawl_peer TOOL REST: one peer; REST = seconds to keep for what follows
crawl_peer()
{
    local tool=$1 rest=$2 cap=300 need label lim o cmd=() check=count cmp=1
    [ "$FULL" = 1 ] && cap=900
    o=$BT/out/crawl-$tool.jsonl
    case $tool in
        scrapy)
            need=scrapy; label="scrapy (64 requests, jsonlines feed)"
            cmd=("$PY" "$HERE/peers/crawl_scrapy.py" "$BASE/index.html" "$o") ;;
        seed)
            need=parsel; label="httpx+ProcessPool+parsel (seed)"
            [ -n "${MISSING[httpx]:-}" ] && need=httpx
            cmd=("$PY" "$HERE/peers/crawl_seed.py" "$BASE/index.html" "$o") ;;
        crawlee)
            need=crawlee; label="crawlee CheerioCrawler"
            cmd=(env NODE_PATH="$NODE_DIR/node_modules" node
                 "$HERE/peers/crawl_crawlee.js" "$BASE/index.html" "$o") ;;
        spider-rs)
            # fetches and follows links; no rules (its records hold the
            # title only): fields not compared
            need=spider-rs; label="spider-rs (defaults, no rules)"; cmp=0
            cmd=(env NODE_PATH="$SPIDER_DIR" node "$HERE/peers/spider_rs.js"
                 "$BASE/index.html" "$o" 20 off) ;;
        wget2)
            # img and link tags ignored (it would fetch their URLs too:
            # 40,001 404s on this site; --follow-tags=a does not stop it),
            # bodies parsed for links and dropped; no rules
            need=wget2; label="wget2 --max-threads 64 (no rules)"; cmp=0
            o=$BT/out/crawl-wget2.csv check=wget2
            cmd=(wget2 -q -r -l 20 --robots=off --ignore-tags=img,link
                 --max-threads=64 --delete-after --stats-site="csv:$o"
                 -P "$BT/out/wget2-crawl" "$BASE/index.html") ;;
    esac
    if [ -n "${MISSING[$need]:-}" ]; then
        skip_row crawl "$label" "${MISSING[$need]}"
        return 1
    fi
    if ! lim=$(peer_limit $cap "$rest"); then
        skip_row crawl "$label" "no time left in the ${BUDGET}-s budget"
        return 1
    fi
    bench_say "crawl: $label (limit ${lim}s)"
    # after the run: its records, and its five fields against zscrape's
    # (the last zscrape crawl) on 500 pages, as cmp_sample/cmp_equal
    local post="'$PY' '$HERE/check.py' $check '$o' $PAGES"
    [ $cmp = 1 ] && post="$post;
        '$PY' '$HERE/check.py' compare '$BT/out/crawl-zs-last.jsonl' '$o' 500 2>'$BT/logs/compare-$tool.err'"
    measure crawl "$label" "$lim" "crawl-$tool" --pages "$PAGES" \
        --post "$post" -- "${cmd[@]}"
}

if want crawl; then
    bench_say "crawl: $PAGES pages from the index, bench/rules-shop.txt"
    # Order: Z scrapy Z seed Z1 wget2 crawlee spider-rs Z (Z = zscrape,
    # --parsers 2, the reference; Z1 = --parsers 1).  Each peer gets the
    # budget left minus what must follow it and matters more: the zscrape
    # crawls (ZS_CRAWL_S each, as measured), the broad workload's zscrape
    # runs and Scrapy (BROAD_REST), the report 15 s.  So with all of them
    # the bench wants more than its budget (about 600 s on this machine
    # when nothing else runs), the peers run in the order of what they
    # matter, each as long as the ones before it leave it: Scrapy, the
    # seed pattern, wget2 (about 2 s), Crawlee, spider-rs (the last to be
    # cut or skipped).
    zs_crawl 2 1
    crawl_peer scrapy $((ZS_CRAWL_S * 7 / 2 + BROAD_REST + 15)) &&
        zs_crawl 2 2
    crawl_peer seed $((ZS_CRAWL_S * 5 / 2 + BROAD_REST + 15))
    bench_say "scaling: --parsers 1"
    zs_crawl 1 1
    crawl_peer wget2 $((ZS_CRAWL_S * 4 / 3 + BROAD_REST + 15))
    crawl_peer crawlee $((ZS_CRAWL_S * 4 / 3 + BROAD_REST + 15))
    crawl_peer spider-rs $((ZS_CRAWL_S * 4 / 3 + BROAD_REST + 15))
    zs_crawl 2 3
fi

# ---------------------------------------------------------------- broad
# bound_row WORKLOAD TOOL LINE: the floor row, from broad_bound.py's line
bound_row()
{
    "$PY" - "$RESULTS" "$1" "$2" "$3" <<'PY'
import json, re, sys
path, w, t, line = sys.argv[1:]
kv = dict(re.findall(r"(\w+)=(\S+)", line))
with open(path) as f:
    seq = sum(1 for _ in f)
rec = {"workload": w, "tool": t, "seq": seq, "ref": False,
       "status": "bound", "wall_s": float(kv["bound_s"]),
       "lower_s": float(kv["lower_s"]), "pages": int(kv["pages"]),
       "records": int(kv["pages"]), "requests": int(kv["requests"]),
       "model_polite": kv.get("model_polite", "?")}
with open(path, "a") as f:
    f.write(json.dumps(rec) + "\n")
PY
}

# broad_measure W TOOL LIMIT NAME PER_HOST DELAY CHECK OUT [measure.py
# options] -- CMD...: one run over the broad site; afterwards its records
# (check.py CHECK OUT) and its politeness (tests/politeness.py over
# nginx's log of the run, which starts empty: nginx appends to it)
broad_measure()
{
    local w=$1 t=$2 lim=$3 name=$4 ph=$5 delay=$6 check=$7 o=$8
    local log=$BT/logs/$4.access.log
    shift 8
    : >"$BROAD_LOG"
    measure "$w" "$t" "$lim" "$name" --pages "$BROAD_N" \
        --note "per-host $ph, delay $delay ms" \
        --post "cp '$BROAD_LOG' '$log'; '$PY' '$HERE/check.py' $check '$o' $BROAD_N;
                '$PY' '$ROOT/tests/politeness.py' '$log' --per-host $ph --delay $delay --bench --show 3 >'$BT/logs/$name.polite' 2>&1;
                grep '^bench:' '$BT/logs/$name.polite'" "$@"
}

# broad_settings MODE: PER_HOST DELAY of the polite and the fast crawl
broad_settings()
{
    case $1 in
        polite) echo "1 1000" ;;
        fast) echo "2 0" ;;
    esac
}

# zs_broad MODE K: zscrape over the broad site (a reference run)
ZS_FAST_S=10
zs_broad()
{
    local mode=$1 k=$2 ph delay lim=60 o=$BT/out/broad-$1-zs-$2.jsonl
    read -r ph delay <<<"$(broad_settings "$mode")"
    [ "$mode" = polite ] && lim=180
    broad_measure "broad-$mode" zscrape $lim "broad-$mode-zs-$k" "$ph" \
        "$delay" count "$o" --ref -- \
        "$ZSCRAPE" crawl --depth 50 --scope any --per-host "$ph" \
        --delay "$delay" -o "$o" --log-level info "$BROAD_SEED"
    [ "$mode" = fast ] && ZS_FAST_S=$(last_wall)
}

# broad_peer MODE TOOL REST: one peer over the broad site; REST = seconds
# to keep for what follows
broad_peer()
{
    local mode=$1 tool=$2 rest=$3 ph delay cap=120 need label lim
    local o=$BT/out/broad-$1-$2.jsonl check=count cmd=() wrap=()
    read -r ph delay <<<"$(broad_settings "$mode")"
    # spider-rs and wget2 resolve names with getaddrinfo, which knows
    # localhost only: they run in a mount namespace of their own where
    # /etc/hosts is a copy that names every hN.localhost (the machine's
    # file is not touched)
    # shellcheck disable=SC2016 # sh expands them
    local resolve=(unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift &&
        exec "$@"' sh "$BT/broad-hosts")
    case $tool in
        scrapy)
            need=scrapy; label="scrapy (DownloaderAwarePriorityQueue)"
            [ "$mode" = polite ] && cap=300
            cmd=("$PY" "$HERE/peers/broad_scrapy.py" "$BROAD_SEED" "$o"
                 "$ph" "$delay") ;;
        spider-rs)
            need=spider-rs; label="spider-rs (defaults)"
            wrap=("${resolve[@]}")
            cmd=(env NODE_PATH="$SPIDER_DIR" node "$HERE/peers/spider_rs.js"
                 "$BROAD_SEED" "$o" 50 on any) ;;
        wget2)
            need=wget2; label="wget2 --max-threads 256"
            o=$BT/out/broad-$mode-wget2.csv check=wget2 wrap=("${resolve[@]}")
            cmd=(wget2 -q -r -l 50 --span-hosts --robots=on
                 --ignore-tags=img,link
                 --max-threads=256 --delete-after --stats-site="csv:$o"
                 -P "$BT/out/wget2-broad-$mode" "$BROAD_SEED") ;;
    esac
    if [ -n "${MISSING[$need]:-}" ]; then
        skip_row "broad-$mode" "$label" "${MISSING[$need]}"
        return 1
    fi
    if [ ${#wrap[@]} -gt 0 ] && [ -n "$RESOLVE_WHY" ]; then
        skip_row "broad-$mode" "$label" "$RESOLVE_WHY"
        return 1
    fi
    if [ "$mode" = polite ]; then
        case $tool in
            spider-rs)
                skip_row "broad-$mode" "$label" "no per-host politeness: its withDelay is one delay for the whole crawl (one request at a time, across all hosts), so $BROAD_N pages would take over $((BROAD_N / 60)) minutes"
                return 1 ;;
            wget2)
                skip_row "broad-$mode" "$label" "no per-host politeness: no per-host limit, and --wait is a pause of each thread between its own requests (a host still gets many at once)"
                return 1 ;;
        esac
    fi
    if ! lim=$(peer_limit $cap "$rest"); then
        skip_row "broad-$mode" "$label" "no time left in the ${BUDGET}-s budget"
        return 1
    fi
    bench_say "broad-$mode: $label (limit ${lim}s)"
    broad_measure "broad-$mode" "$label" "$lim" "broad-$mode-$tool" "$ph" \
        "$delay" $check "$o" -- "${wrap[@]}" "${cmd[@]}"
}

if want broad; then
    bench_say "broad: $BROAD_HOSTS hosts x $BROAD_PAGES pages (tests/gen-broad.py)"
    gen=$("$PY" "$ROOT/tests/gen-broad.py" "$BT/broad" --port "$NGINX_PORT" \
        --hosts "$BROAD_HOSTS" --pages "$BROAD_PAGES" \
        --list "$BT/broad-reach.txt") || {
        echo "bench: gen-broad.py failed" >&2; exit 1; }
    fact "broad_site=$gen"
    BROAD_SEED=$(head -n1 "$BT/broad-reach.txt")
    BROAD_N=$(wc -l <"$BT/broad-reach.txt")
    { cat /etc/hosts; awk -v n="$BROAD_HOSTS" 'BEGIN { for (i = 0; i < n; i++)
        printf "127.0.0.1 h%d.localhost\n", i }'; } >"$BT/broad-hosts"
    RESOLVE_WHY=
    # shellcheck disable=SC2016 # sh expands them
    unshare -m sh -c 'mount --bind "$1" /etc/hosts && getent hosts h0.localhost' \
        sh "$BT/broad-hosts" >/dev/null 2>&1 ||
        RESOLVE_WHY="cannot resolve *.localhost: getaddrinfo knows localhost only, and a private /etc/hosts (unshare -m + mount --bind) is not possible here"
    # the floors: broad_bound.py over the site's link graph; the model's
    # own schedule must pass politeness.py (no tolerance)
    for mode in polite fast; do
        read -r ph delay <<<"$(broad_settings "$mode")"
        cap=
        [ "$mode" = fast ] && cap="--cap 256"
        # shellcheck disable=SC2086
        line=$("$PY" "$HERE/broad_bound.py" "$BT/broad" "$BROAD_SEED" \
            --per-host "$ph" --delay "$delay" $cap \
            --schedule "$BT/logs/broad-$mode-model.log") || {
            echo "bench: broad_bound.py failed" >&2; exit 1; }
        mp=no
        "$PY" "$ROOT/tests/politeness.py" "$BT/logs/broad-$mode-model.log" \
            --per-host "$ph" --delay "$delay" --tolerance-ms 0 \
            >"$BT/logs/broad-$mode-model.polite" 2>&1 && mp=yes
        bound_row "broad-$mode" "floor (schedule bound${cap:+, 256 transfers})" \
            "$line model_polite=$mp"
        bench_say "broad-$mode floor: $line"
    done
    # Order: Zp scrapy [spider-rs wget2: skipped] Zf scrapy Zf wget2
    # spider-rs Zf (Zp, Zf = zscrape polite, fast: the references).  The
    # polite crawl's wall time is its schedule's, not drift's: one zscrape
    # run.  Scrapy polite (the crawl's peers left time for it) keeps the
    # fast zscrape runs, Scrapy fast (about 6 ms a page) and the report;
    # wget2 and spider-rs get what is left.
    zs_broad polite 1
    broad_peer polite scrapy $((ZS_FAST_S * 3 + BROAD_N * 6 / 1000 + 15))
    broad_peer polite spider-rs 0
    broad_peer polite wget2 0
    zs_broad fast 1
    broad_peer fast scrapy $((ZS_FAST_S * 2 + 15)) && zs_broad fast 2
    broad_peer fast wget2 $((ZS_FAST_S + 15))
    broad_peer fast spider-rs $((ZS_FAST_S + 15))
    zs_broad fast 3
fi

# ---------------------------------------------------------------- memory
if want memory; then
    "$BUILD/tests/test_ledger" >"$BT/logs/test_ledger.out" 2>&1
    grep '^ledger:' "$BT/logs/test_ledger.out" >>"$FACTS"
fi

# ---------------------------------------------------------------- report
fact "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
fact "total_s=$SECONDS"
mkdir -p "$OUT"
cp "$RESULTS" "$OUT/runs.jsonl"
cp "$FACTS" "$OUT/facts.txt"
"$PY" "$HERE/report.py" "$RESULTS" "$FACTS" "$OUT"
