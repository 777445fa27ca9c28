#!/bin/bash
# t0023: chaos.  A generated site of 20,000 linked pages (tests/gen-site.py)
# crawled from its index (--depth 1000) with --listen, --lease 5,
# --concurrency 8 --per-host 8 (so the crawl lasts a while); every second
# (or every 1,500 records, when that comes first) a random fetcher or
# parser is killed with SIGKILL and a new one of the
# same kind joins with `zscrape fetcher|parser --coordinator`.  The output
# must hold exactly the 20,000 URLs, each once, all 200: the sink's leases
# bring back whatever the dead took with them.  Two rounds:
#   ext   only workers this test started die (the launcher's own stay):
#         the sink's leases alone
#   all   any fetcher or parser dies, the launcher's own children too
#         (DESIGN.md: the crawl goes on; a dead worker costs its leases)
# Reports kills survived and the sink's "redispatched" count.
. "$(dirname "$0")/lib.sh"
require_bins

N=20000
site_on_tmpfs
nginx_start
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt"

FETCH_OPTS="--concurrency 8 --per-host 8 --retries 0 --robots on"
EXT=        # live workers this test started: "kind:pid ..."

# join KIND: start a worker of KIND that joins the crawl on $PORT
join()
{
    local kind=$1 opts=
    [ "$kind" = fetcher ] && opts=$FETCH_OPTS
    # shellcheck disable=SC2086
    spawn "$ZSCRAPE" "$kind" --coordinator "tcp://127.0.0.1:$PORT" \
        --log-level warn $opts 2>>"$T/$ROUND-workers.err"
    # no "Killed" job notices: the kills are the point
    disown "$SPAWN_PID" 2>/dev/null || true
    EXT="$EXT $kind:$SPAWN_PID"
    echo "$SPAWN_PID $(date +%s%3N)" >>"$T/$ROUND-joined"
}

# victims MODE: live fetchers and parsers, "kind:pid" a line; MODE ext:
# ours only; all: the launcher's children too
victims()
{
    local e p c
    for e in $EXT; do
        alive "${e#*:}" && echo "$e"
    done
    [ "$1" = all ] || return 0
    for p in $(pgrep -P "$LAUNCHER" 2>/dev/null); do
        c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
        case $c in
        zscrape-fetche*) echo "fetcher:$p" ;;
        zscrape-parser) echo "parser:$p" ;;
        esac
    done
}

# round NAME MODE
round()
{
    local mode=$2 kills=0 start end v kind pid rc=0 left late p t n last_n
    local last_t
    ROUND=$1
    EXT=
    PORT=$(free_ports 6)
    [ -n "$PORT" ] || fail "$ROUND: no 5 free consecutive ports"
    : >"$T/nginx/access.log"
    start=$(date +%s%3N)
    # shellcheck disable=SC2086
    spawn "$ZSCRAPE" crawl -q --depth 1000 "$BASE/index.html" \
        -o "$T/$ROUND.jsonl" --listen "tcp://127.0.0.1:$PORT" --lease 5 \
        --fetchers 1 --parsers 2 $FETCH_OPTS --stats "$T/$ROUND-stats.json" \
        2>"$T/$ROUND.err"
    LAUNCHER=$SPAWN_PID
    wait_until 15 port_answers $((PORT + 3)) || {
        tail -n 5 "$T/$ROUND.err" >&2
        fail "$ROUND: the crawl does not listen on $((PORT + 3))"
    }
    # ext: workers of our own to kill (one fetcher, two parsers)
    if [ "$mode" = ext ]; then
        join fetcher
        join parser
        join parser
    fi
    wait_until 15 grep -q "/s" "$T/nginx/access.log" ||
        fail "$ROUND: no page fetched after 15 s"
    # a kill every second, or every 1,500 records when the crawl is faster
    # than that (a fast machine must not finish before the kills)
    last_n=0 last_t=$(date +%s%3N)
    while kill -0 "$LAUNCHER" 2>/dev/null; do
        sleep 0.05
        kill -0 "$LAUNCHER" 2>/dev/null || break
        n=$(file_lines "$T/$ROUND.jsonl") t=$(date +%s%3N)
        [ $((n - last_n)) -ge 1500 ] || [ $((t - last_t)) -ge 1000 ] ||
            continue
        last_n=$n last_t=$t
        # stop killing after 60 s: the crawl must then finish
        [ $((t - start)) -lt 60000 ] || continue
        v=$(victims "$mode" | shuf -n 1)
        [ -n "$v" ] || continue
        kind=${v%%:*} pid=${v#*:}
        kill -KILL "$pid" 2>/dev/null || continue
        kills=$((kills + 1))
        EXT=$(echo "$EXT" | tr ' ' '\n' | grep -vx "$v" | tr '\n' ' ')
        join "$kind"
        echo "$(date +%T.%3N) killed $kind $pid" >>"$T/$ROUND-kills.log"
        [ $(($(date +%s%3N) - start)) -lt 80000 ] ||
            fail "$ROUND: crawl still running after 80 s"
    done
    wait "$LAUNCHER" || rc=$?
    end=$(date +%s%3N)
    note "$ROUND: crawl took $(($(date +%s%3N) - start)) ms, $kills kills" \
        "($(cut -d' ' -f3 "$T/$ROUND-kills.log" 2>/dev/null | sort |
            uniq -c | tr -s ' \n' ' '))"
    assert_no_crash "$T/$ROUND.err" "$T/$ROUND-workers.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$ROUND.err" >&2
        fail "$ROUND: crawl exited $rc after $kills kills, want 0"
    fi
    # the workers that joined (2 s or more before the end) got the sink's
    # stop and left on their own; a worker that joined in the last moments
    # may have missed it (noted, then stopped by the test)
    for _ in $(seq 50); do
        left=$(victims ext)
        [ -z "$left" ] && break
        sleep 0.1
    done
    late=
    for v in $left; do
        p=${v#*:}
        t=$(awk -v p="$p" '$1 == p {print $2}' "$T/$ROUND-joined")
        if [ $((end - t)) -lt 2000 ]; then
            late="$late $v"
            kill -KILL "$p" 2>/dev/null || true
            continue
        fi
        # it joined in time and missed the stop: say where it is
        proc_report "$p"
        tail -n 20 "$T/$ROUND-workers.err" >&2
        fail "$ROUND: $v joined $((end - t)) ms before the end and is" \
            "still running 5 s after the crawl"
    done
    [ -z "$late" ] || note "$ROUND: workers that joined in the last 2 s" \
        "and missed the stop (killed by the test):$late"
    python3 - "$T/$ROUND-stats.json" "$ROUND" "$kills" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
print("# %s: %s kills survived; stats: records=%s redispatched=%s "
      "late_duplicates=%s dispatched=%s by_error=%s"
      % (sys.argv[2], sys.argv[3], s.get("records"), s.get("redispatched"),
         s.get("late_duplicates"), s.get("dispatched"), s.get("by_error")),
      file=sys.stderr)
PY
        fail "$ROUND: no stats"
    [ "$kills" -ge 3 ] ||
        fail "$ROUND: only $kills kills: the crawl was too short to test"
    check_site_records "$T/$ROUND.jsonl" "$BASE" "$T/pages.txt" all "$ROUND"
}

round ext ext
round all all
