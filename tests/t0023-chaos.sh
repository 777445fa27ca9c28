#!/bin/bash
# t0023: chaos, with default options.  A generated site of 20,000 linked
# pages (tests/gen-site.py, each served 5 ms late) crawled from its index
# (--depth 1000,
# --fetchers 1 --parsers 2, nothing else set: no --lease, the default
# window, concurrency and per-host limit).  First undisturbed, to time
# it; then twice with a random fetcher or parser killed with SIGKILL
# every second for the whole crawl:
#   all   the launcher's own workers die; the launcher restarts them (at
#         once: they had run a while)
#   ext   the crawl listens on tcp; the workers are ones this test joined
#         with `zscrape fetcher|parser --coordinator`, and each killed one
#         is replaced by a new one that joins
# Each disturbed crawl must write the 20,000 URLs, each once, all 200, and
# end within 3x the undisturbed time: the sink sees a worker go within a
# second and dispatches again what it held, not after a lease runs out.
. "$(dirname "$0")/lib.sh"
require_bins

N=20000
site_on_tmpfs
# every page 5 ms late, so that with the default --per-host 8 the crawl
# lasts long enough for a kill every second all along
nginx_start '
        location / { echo_sleep 0.005; echo_exec @page; }
        location @page { }
'
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt"

EXT=        # live workers this test started: "kind:pid ..."

# join KIND: start a worker of KIND that joins the crawl on $PORT
join()
{
    spawn "$ZSCRAPE" "$1" --coordinator "tcp://127.0.0.1:$PORT" \
        --log-level warn 2>>"$T/$ROUND-workers.err"
    # no "Killed" job notices: the kills are the point
    disown "$SPAWN_PID" 2>/dev/null || true
    EXT="$EXT $1:$SPAWN_PID"
}

# victims MODE: live fetchers and parsers, "kind:pid" a line; MODE ext:
# ours; all: the launcher's children
victims()
{
    local e p c
    if [ "$1" = ext ]; then
        for e in $EXT; do
            alive "${e#*:}" && echo "$e"
        done
        return 0
    fi
    for p in $(pgrep -P "$LAUNCHER" 2>/dev/null); do
        alive "$p" || continue
        c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
        case $c in
        zscrape-fetche*) echo "fetcher:$p" ;;
        zscrape-parser) echo "parser:$p" ;;
        esac
    done
}

# crawl NAME MODE: one crawl; MODE calm (no kills), all or ext.  Sets
# TOOK (ms) and KILLS.
crawl()
{
    local mode=$2 start v kind pid rc=0 listen=() workers=() limit
    ROUND=$1
    EXT=
    KILLS=0
    if [ "$mode" = ext ]; then
        PORT=$(free_ports 6)
        [ -n "$PORT" ] || fail "$ROUND: no 6 free consecutive ports"
        listen=(--listen "tcp://127.0.0.1:$PORT")
    fi
    workers=(--fetchers 1 --parsers 2)
    start=$(date +%s%3N)
    spawn "$ZSCRAPE" crawl -q --depth 1000 "$BASE/index.html" \
        -o "$T/$ROUND.jsonl" "${listen[@]}" "${workers[@]}" \
        --stats "$T/$ROUND-stats.json" 2>"$T/$ROUND.err"
    LAUNCHER=$SPAWN_PID
    if [ "$mode" = ext ]; then
        wait_until 15 port_answers $((PORT + 5)) || {
            tail -n 5 "$T/$ROUND.err" >&2
            fail "$ROUND: the crawl does not listen on $((PORT + 5))"
        }
        join fetcher
        join parser
        join parser
    fi
    limit=$(( ${CALM_MS:-60000} * 3 ))
    while kill -0 "$LAUNCHER" 2>/dev/null; do
        if [ "$mode" = calm ]; then
            sleep 0.05
            continue
        fi
        sleep 1
        kill -0 "$LAUNCHER" 2>/dev/null || break
        [ $(($(date +%s%3N) - start)) -lt $((limit + 10000)) ] ||
            fail "$ROUND: crawl still running after $((limit + 10000)) ms"
        v=$(victims "$mode" | shuf -n 1)
        [ -n "$v" ] || continue
        kind=${v%%:*} pid=${v#*:}
        kill -KILL "$pid" 2>/dev/null || continue
        KILLS=$((KILLS + 1))
        echo "$(date +%T.%3N) killed $kind $pid" >>"$T/$ROUND-kills.log"
        if [ "$mode" = ext ]; then
            EXT=$(echo "$EXT" | tr ' ' '\n' | grep -vx "$v" | tr '\n' ' ')
            join "$kind"
        fi
    done
    wait "$LAUNCHER" || rc=$?
    TOOK=$(($(date +%s%3N) - start))
    assert_no_crash "$T/$ROUND.err"
    [ ! -f "$T/$ROUND-workers.err" ] ||
        assert_no_crash "$T/$ROUND-workers.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$ROUND.err" >&2
        fail "$ROUND: crawl exited $rc after $KILLS kills, want 0"
    fi
    # the workers this test joined got the sink's stop (or its silence)
    for v in $EXT; do
        wait_until 35 eval '! alive "${v#*:}"' || {
            proc_report "${v#*:}"
            fail "$ROUND: $v still runs after the crawl"
        }
    done
    python3 - "$T/$ROUND-stats.json" "$ROUND" "$KILLS" "$TOOK" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
print("# %s: %s ms, %s kills; records=%s redispatched=%s workers_gone=%s "
      "late_duplicates=%s by_error=%s"
      % (sys.argv[2], sys.argv[4], sys.argv[3], s.get("records"),
         s.get("redispatched"), s.get("workers_gone"),
         s.get("late_duplicates"), s.get("by_error")), file=sys.stderr)
PY
        fail "$ROUND: no stats"
    check_site_records "$T/$ROUND.jsonl" "$BASE" "$T/pages.txt" all "$ROUND"
}

crawl calm calm
CALM_MS=$TOOK
for mode in all ext; do
    crawl "$mode" "$mode"
    [ "$KILLS" -ge 3 ] ||
        fail "$mode: only $KILLS kills: the crawl was too short to test"
    [ "$TOOK" -le $((3 * CALM_MS)) ] ||
        fail "$mode: $TOOK ms with a kill a second, undisturbed" \
            "$CALM_MS ms: more than 3x"
    note "$mode: $TOOK ms against $CALM_MS ms undisturbed" \
        "($(awk "BEGIN { printf \"%.2f\", $TOOK / $CALM_MS }")x)"
done
