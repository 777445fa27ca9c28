#!/bin/bash
# t0006: SIGINT or SIGTERM to the launcher in the middle of a crawl of slow
# pages: within 10 s the launcher has exited 0, none of the processes it
# started is left, its runtime folder is gone, and the output holds whole
# records only.  Three rounds: SIGINT to the launcher alone, SIGTERM to the
# launcher alone, and SIGINT to its whole process group (what Ctrl-C does).
. "$(dirname "$0")/lib.sh"
require_bins

nginx_start '
        location /slow/ { echo_sleep 2;
                          echo "<html><title>slow</title></html>";
                          default_type text/html; }
'
for i in $(seq 2000); do
    echo "$BASE/slow/$i"
done >"$T/seeds.txt"

# proc_id PID: "PID:STARTTIME", which stays unique when PIDs are reused
proc_id()
{
    local st
    st=$(cut -d' ' -f22 "/proc/$1/stat" 2>/dev/null) || return 0
    echo "$1:$st"
}

# still_alive ID...: print the IDs whose process still runs
still_alive()
{
    local id
    for id in "$@"; do
        [ "$(proc_id "${id%%:*}")" = "$id" ] && echo "$id"
    done
    return 0
}

has_runtime_dir()
{
    [ -n "$(runtime_dirs_left)" ]
}

# has_children PID N: PID has at least N descendants
has_children()
{
    [ "$(descendants "$1" | wc -l)" -ge "$2" ]
}

# round NAME SIGNAL TARGET: TARGET is "pid" or "group"
round()
{
    local name=$1 sig=$2 target=$3 pid ids='' p i rc left
    spawn "$ZSCRAPE" crawl --seeds "$T/seeds.txt" -o "$T/$name.jsonl" -q \
        --timeout 30 --concurrency 64 --per-host 64 \
        2>"$T/$name.err"
    pid=$SPAWN_PID
    wait_until 15 has_runtime_dir ||
        fail "$name: no runtime folder zscrape.* in TMPDIR after 15 s"
    # the three roles are up and requests reach the server
    wait_until 15 has_children "$pid" 3 ||
        fail "$name: fewer than 3 child processes after 15 s"
    wait_until 15 grep -q "/slow/" "$T/nginx/access.log" ||
        note "$name: no request finished at the server yet"
    for p in $(descendants "$pid"); do
        ids="$ids $(proc_id "$p")"
    done
    note "$name: launcher $pid, children:" \
        "$(ps -o comm= -p "$(descendants "$pid" | paste -sd,)" | sort |
            uniq -c | tr -s ' \n' ' ')"
    if [ "$target" = group ]; then
        kill -"$sig" -- "-$pid"
    else
        kill -"$sig" "$pid"
    fi
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "$name: launcher still running 10 s after SIG$sig"
    fi
    rc=0
    wait "$pid" || rc=$?
    # its children may take a moment longer to be reaped
    for i in $(seq 20); do
        # shellcheck disable=SC2086
        [ -z "$(still_alive $ids)" ] && break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    left=$(still_alive $ids)
    if [ -n "$left" ]; then
        for p in $left; do
            ps -o pid=,ppid=,stat=,args= -p "${p%%:*}" >&2 || true
        done
        fail "$name: processes left after the launcher exited"
    fi
    [ -z "$(runtime_dirs_left)" ] ||
        fail "$name: runtime folder left: $(runtime_dirs_left)"
    assert_no_crash "$T/$name.err"
    if [ -f "$T/$name.jsonl" ]; then
        check_records "$T/$name.jsonl"
        note "$name: $(count_records "$T/$name.jsonl") records before the stop"
    fi
    # DESIGN.md: SIGINT/SIGTERM drain what is in flight and exit 0
    if [ "$rc" != 0 ]; then
        tail -n 5 "$T/$name.err" >&2
        fail "$name: launcher exited $rc after SIG$sig, want 0"
    fi
}

round int-pid INT pid
round term-pid TERM pid
round int-group INT group
