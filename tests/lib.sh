# tests/lib.sh: sourced by every end-to-end test tests/tNNNN-*.sh.
#
# Gives the test:
#   ROOT, BIN (exported as ZSCRAPE_BIN), ZSCRAPE (the launcher)
#   T         a private temp folder, removed on exit; TMPDIR=$T/tmp
#   track_pid PID           stop PID (and what it started) on exit
#   at_exit CMD             run CMD (eval'd) on exit, failure too, after
#                           the tracked PIDs are stopped
#   spawn CMD...            start CMD in the background with SIGINT/SIGQUIT
#                           at their defaults, in its own process group;
#                           sets SPAWN_PID (tracked)
#   nginx_start [EXTRA [ADDR [NETNS]]]  real nginx on a free loopback port
#                           serving $T/www, EXTRA = location blocks; sets
#                           NGINX_PORT, BASE=http://127.0.0.1:$NGINX_PORT
#                           (ADDR instead of 127.0.0.1; NETNS: run it in
#                           that network namespace, `ip netns exec`)
#                           NGINX_LISTEN_OPTS: words after the listen
#                           address (e.g. "ssl http2"); NGINX_HTTP_EXTRA:
#                           directives for the http block (log_format);
#                           NGINX_ROOT: the root (default $T/www);
#                           NGINX_LOG_FORMAT: the access log's format
#                           (default zs, the one page_requests reads)
#   nginx_start_hosts [ADDR [NETNS]]  nginx_start for the broad site of
#                           tests/gen-broad.py: root $T/www/$host, pages
#                           0.1 s late (tests/broad-site.conf), access log
#                           lines "$host $msec $request_time $request_uri
#                           $status $remote_addr" (tests/politeness.py)
#   nginx_stop, free_port
#                           (a crawl's --listen)
#   zs ARGS...              the launcher under a time limit (ZS_LIMIT s)
#   fail MSG, skip MSG, assert_eq GOT WANT [WHAT]
#   count_records FILE      lines of a JSON Lines file (each must parse)
#   check_records FILE      every record has the contract's shape
#   check_site_records FILE BASE LIST [all|some [NAME]]   a crawl of a
#                           tests/gen-site.py site: each page once, all 200
#   records_py FILE CODE [ARG...]   run python CODE with `recs` (the list
#                           of records, in order) and `by_url`; `die(msg)`
#   assert_no_crash FILE    no sanitizer report, core dump or abort in FILE
#   runtime_dirs_left       prints the launcher's runtime folders in TMPDIR
#   wait_until SECS CMD...  poll CMD every 0.1 s until it succeeds
#   site_on_tmpfs           $T/www on /dev/shm when there is one (big sites)
#   file_lines FILE         its number of lines (0 when missing)
#   wait_lines FILE N PID   wait until FILE has N lines; false if PID ends
#   page_requests LOG       the page paths nginx was asked for (no robots)
#   netns_lan HOST=N...     network namespaces ${NETNS_P}HOST on a bridge,
#                           $NETNS_NET.N each (skips when not possible);
#                           ns_procs NS: the PIDs in namespace NS
#   rand_int LO HI          a random integer in [LO, HI)
#   free_ports N            a base port with N free ports from it
#   gen_site N              the generated N-page site, $T/pages.txt
#   assert_pages_once FILE  the records are those pages, each once
#   every_url_once FILE [LIST [BASE]]  the records are LIST's URLs, each
#                           once, all 200
#   expect_usage_error WHAT WANT CMD...  CMD exits 2, says WANT on stderr
#                           (kept in $T/usage.err), writes no records
#
# JSON is checked with python3's standard library only (no jq).
set -eu

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${ZSCRAPE_BIN:-$ROOT/bin}
export ZSCRAPE_BIN=$BIN
ZSCRAPE=$ROOT/scripts/zscrape
TEST_NAME=$(basename "$0" .sh)
ZS_LIMIT=${ZS_LIMIT:-120}
NGINX_ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

T=$(mktemp -d "${TMPDIR:-/tmp}/zstest.XXXXXX")
mkdir -p "$T/tmp" "$T/www"
export TMPDIR=$T/tmp
cd "$T"

_TRACKED_PIDS=
_TRACKED_PGIDS=
_AT_EXIT=()
_SHM=
NGINX_PID=
NGINX_PORT=
BASE=

# ---------------------------------------------------------------- messages

fail()
{
    echo "FAIL: $TEST_NAME: $*" >&2
    exit 1
}

skip()
{
    echo "SKIP: $TEST_NAME: $*" >&2
    exit 77
}

note()
{
    echo "# $*" >&2
}

# assert_eq GOT WANT [WHAT]
assert_eq()
{
    if [ "$1" != "$2" ]; then
        fail "${3:-value}: got '$1', want '$2'"
    fi
}

# ---------------------------------------------------------------- processes

track_pid()
{
    _TRACKED_PIDS="$_TRACKED_PIDS $1"
}

at_exit()
{
    _AT_EXIT+=("$*")
}

# descendants PID: every live descendant of PID, one a line, parents first
descendants()
{
    local c
    for c in $(pgrep -P "$1" 2>/dev/null || true); do
        echo "$c"
        descendants "$c"
    done
}

# stop_pids PID...: TERM the PIDs and their descendants, wait up to 3 s,
# then KILL whatever is left
stop_pids()
{
    local all='' p i
    for p in "$@"; do
        all="$all $p $(descendants "$p" | tr '\n' ' ')"
    done
    [ -n "${all// /}" ] || return 0
    for p in $all; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for i in $(seq 30); do
        local alive=
        for p in $all; do
            kill -0 "$p" 2>/dev/null && alive="$alive $p"
        done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for p in $all; do
        kill -KILL "$p" 2>/dev/null || true
    done
    for p in "$@"; do
        wait "$p" 2>/dev/null || true
    done
}

_cleanup()
{
    local rc=$? p
    trap - EXIT INT TERM HUP
    set +e
    # shellcheck disable=SC2086
    stop_pids $_TRACKED_PIDS
    for p in $_TRACKED_PGIDS; do
        kill -KILL -- "-$p" 2>/dev/null
    done
    for p in "${_AT_EXIT[@]}"; do
        eval "$p"
    done
    # Safety net: anything still running that names our folder (a worker
    # the launcher left behind: its runtime folder is under $T/tmp).
    local stray
    stray=$(pgrep -f -- "$T/" | grep -vx "$$" || true)
    if [ -n "$stray" ]; then
        echo "FAIL: $TEST_NAME: processes left running:" >&2
        ps -o pid=,ppid=,args= -p "$(echo "$stray" | paste -sd,)" >&2
        [ $rc = 0 ] && rc=1
        # shellcheck disable=SC2086
        stop_pids $stray
    fi
    cd /
    if [ -n "${ZSCRAPE_TEST_KEEP:-}" ]; then
        echo "# kept $T${_SHM:+ and $_SHM}" >&2
    else
        rm -rf "$T" ${_SHM:+"$_SHM"}
    fi
    exit $rc
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# spawn CMD...: run CMD in the background in a process group of its own,
# with SIGINT and SIGQUIT at their defaults (a non-interactive shell starts
# background jobs with them ignored, which a bash launcher could not undo).
# Sets SPAWN_PID, the PID of CMD itself.  stdin is /dev/null.
spawn()
{
    python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.setpgid(0, 0)
os.execvp(sys.argv[1], sys.argv[1:])
' "$@" </dev/null &
    SPAWN_PID=$!
    track_pid "$SPAWN_PID"
    _TRACKED_PGIDS="$_TRACKED_PGIDS $SPAWN_PID"
}

# wait_until SECS CMD...: true once CMD succeeds, false after SECS
wait_until()
{
    local secs=$1 i
    shift
    for i in $(seq $((secs * 10))); do
        "$@" && return 0
        sleep 0.1
    done
    "$@"
}

# zs ARGS...: run the launcher with a time limit of ZS_LIMIT seconds
# (timeout signals the whole group, so a hung crawl cannot outlive the
# test).  Exit 124 means it was stopped by the limit.
zs()
{
    [ -x "$ZSCRAPE" ] || fail "launcher '$ZSCRAPE' missing or not executable"
    timeout -k 5 "$ZS_LIMIT" "$ZSCRAPE" "$@"
}

# require_bins: fail unless the launcher and the three programs are built
require_bins()
{
    local b
    [ -x "$ZSCRAPE" ] || fail "launcher '$ZSCRAPE' missing or not executable"
    for b in zscrape-fetcher zscrape-parser zscrape-sink; do
        [ -x "$BIN/$b" ] || fail "'$BIN/$b' not built"
    done
}

# ---------------------------------------------------------------- nginx

# free_port: print a loopback TCP port that nothing listens on right now
free_port()
{
    python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# port_answers PORT [ADDR [NETNS]]: true when something accepts TCP on
# ADDR:PORT (default 127.0.0.1), seen from network namespace NETNS
port_answers()
{
    if [ -n "${3:-}" ]; then
        ip netns exec "$3" bash -c '(exec 3<>"/dev/tcp/$1/$2")' x \
            "${2:-127.0.0.1}" "$1" 2>/dev/null
    else
        (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null
    fi
}

# nginx_write_conf PORT EXTRA [ADDR]: the config for our private nginx
# (with $NGINX_LISTEN_OPTS and $NGINX_HTTP_EXTRA, see nginx_start)
nginx_write_conf()
{
    local port=$1 extra=$2 addr=${3:-127.0.0.1} d=$T/nginx user_line=
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    mkdir -p "$d"
    cat >"$d/nginx.conf" <<EOF
$user_line
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 8192;
pid $d/nginx.pid;
error_log $d/error.log info;
load_module $NGINX_ECHO_MODULE;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format zs '\$remote_addr [\$time_local] "\$request" '
                  '\$request_uri \$status \$server_protocol '
                  '"\$http_user_agent" \$body_bytes_sent';
${NGINX_HTTP_EXTRA:-}
    access_log $d/access.log ${NGINX_LOG_FORMAT:-zs};
    client_body_temp_path $d/client_body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    keepalive_requests 100000;
    sendfile on;
    server {
        listen $addr:$port ${NGINX_LISTEN_OPTS:-};
        server_name localhost;
        root ${NGINX_ROOT:-$T/www};
$extra
    }
}
EOF
}

# nginx_start [EXTRA [ADDR [NETNS]]]: start nginx on a free port; EXTRA is
# inserted into the server block (location blocks).  ADDR: the address to
# listen on (default 127.0.0.1); NETNS: run nginx in that network namespace.
# Sets NGINX_PID, NGINX_PORT, BASE.
nginx_start()
{
    local extra=${1:-} addr=${2:-127.0.0.1} netns=${3:-} try port i
    local wrap=()
    [ -z "$netns" ] || wrap=(ip netns exec "$netns")
    command -v nginx >/dev/null || fail "nginx not installed"
    [ -f "$NGINX_ECHO_MODULE" ] || fail "nginx echo module not installed"
    for try in 1 2 3; do
        port=$(free_port)
        nginx_write_conf "$port" "$extra" "$addr"
        : >"$T/nginx/error.log"
        "${wrap[@]}" nginx -e "$T/nginx/error.log" -p "$T/nginx/" \
            -c "$T/nginx/nginx.conf" >"$T/nginx/stderr.log" 2>&1 &
        NGINX_PID=$!
        track_pid "$NGINX_PID"
        for i in $(seq 100); do
            if port_answers "$port" "$addr" "$netns"; then
                NGINX_PORT=$port
                BASE=http://$addr:$port
                return 0
            fi
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        # a port taken between free_port and bind: try another one
        grep -q "Address already in use" "$T/nginx/error.log" \
            "$T/nginx/stderr.log" 2>/dev/null || break
    done
    cat "$T/nginx/stderr.log" "$T/nginx/error.log" >&2 2>/dev/null || true
    fail "nginx did not start"
}

# nginx_start_hosts [ADDR [NETNS]]: nginx serving the broad site
# (tests/gen-broad.py $T/www --port $NGINX_PORT, after this) for every
# host name: one server block, root $T/www/$host, tests/broad-site.conf's
# locations (pages 0.1 s late, robots.txt at once), and an access log
# ($T/nginx/access.log) that tests/politeness.py reads: "$host $msec
# $request_time $request_uri $status $remote_addr" ($msec: when the
# request ended; $request_time: since its first byte was read)
nginx_start_hosts()
{
    NGINX_ROOT="$T/www/\$host" NGINX_LOG_FORMAT=broad \
    NGINX_HTTP_EXTRA="${NGINX_HTTP_EXTRA:-}
    log_format broad '\$host \$msec \$request_time \$request_uri '
                     '\$status \$remote_addr';" \
        nginx_start "        include $ROOT/tests/broad-site.conf;" "$@"
}

nginx_stop()
{
    [ -n "$NGINX_PID" ] || return 0
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=
}

# ---------------------------------------------------------------- netns

# ns_procs NS: the PIDs running in network namespace NS
ns_procs()
{
    ip netns pids "$1" 2>/dev/null || true
}

_NETNS=()               # the namespaces made so far

# shellcheck disable=SC2317 # at exit
# _netns_down: stop every process in our namespaces, then remove them
# (their veths go with them)
_netns_down()
{
    local ns pids
    for ns in "${_NETNS[@]}"; do
        pids=$(ns_procs "$ns")
        # shellcheck disable=SC2086
        [ -z "$pids" ] || stop_pids $pids
    done
    for ns in "${_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
}

# netns_lan HOST=N...: a private network of namespaces, for tests of
# several hosts: namespace ${NETNS_P}HOST for each HOST, its eth0 joined
# by a veth pair to a bridge in ${NETNS_P}sw, address $NETNS_NET.N/24, lo
# up.  NETNS_P (zsPID) and NETNS_NET (10.77.X, X random) are set first.
# Skips the test when it is not root or namespaces cannot be made; every
# namespace and every process in them is removed on exit.
netns_lan()
{
    local hn h n ns
    [ "$(id -u)" = 0 ] || skip "not root: cannot make network namespaces"
    command -v ip >/dev/null ||
        fail "no ip command (iproute2: sh scripts/install-deps.sh --test)"
    NETNS_P=zs$$
    NETNS_NET=10.77.$(rand_int 0 256)
    [ ${#_NETNS[@]} -gt 0 ] || at_exit _netns_down
    ip netns add "${NETNS_P}sw" 2>"$T/netns.err" ||
        skip "cannot make a network namespace: $(cat "$T/netns.err")"
    _NETNS+=("${NETNS_P}sw")
    # Entering a namespace (ip -n, ip netns exec) remounts / and /sys in it:
    # in a chroot, whose / is not a mount point, the namespace is made but
    # cannot be entered.  Skip there, with ip's reason; anywhere namespaces
    # can be entered, what follows must pass.
    ip -n "${NETNS_P}sw" link show lo >/dev/null 2>"$T/netns.err" ||
        skip "cannot enter a network namespace here (a chroot, whose / is" \
             "not a mount point?): $(head -c 200 "$T/netns.err" | tr '\n' ' ')"
    ip -n "${NETNS_P}sw" link add br0 type bridge || fail "cannot make a bridge"
    ip -n "${NETNS_P}sw" link set br0 up
    for hn in "$@"; do
        h=${hn%%=*} n=${hn#*=} ns=$NETNS_P${hn%%=*}
        ip netns add "$ns" || fail "cannot make namespace $ns"
        _NETNS+=("$ns")
        ip -n "${NETNS_P}sw" link add "$h" type veth peer name eth0 \
            netns "$ns" || fail "cannot make the veth pair of $h"
        ip -n "${NETNS_P}sw" link set "$h" master br0 up
        ip -n "$ns" addr add "$NETNS_NET.$n/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
    done
}

# ---------------------------------------------------------------- records

# The python prelude shared by the record checks: loads argv[1] as JSON
# Lines (every non-empty line must be one JSON object) into `recs`.
_PY_PRELUDE='
import json, re, sys
from collections import Counter, OrderedDict
def die(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)
path = sys.argv[1]
args = sys.argv[2:]
recs = []
with open(path, "rb") as f:
    data = f.read()
if data and not data.endswith(b"\n"):
    die("%s: last line has no newline (torn record?)" % path)
for n, line in enumerate(data.split(b"\n"), 1):
    if not line.strip():
        continue
    try:
        r = json.loads(line, object_pairs_hook=OrderedDict)
    except ValueError as e:
        die("%s:%d: not JSON (%s): %r" % (path, n, e, line[:200]))
    if not isinstance(r, dict):
        die("%s:%d: not a JSON object" % (path, n))
    recs.append(r)
by_url = {}
for r in recs:
    by_url.setdefault(r.get("url"), r)
META = ["url", "final_url", "status", "error", "depth", "elapsed_ms",
        "bytes", "content_type", "fetched_at"]
ERRORS = {"bad_url", "dns", "connect", "timeout", "tls", "reset", "http",
          "too_large", "redirects", "robots", "not_html", "parse_limit",
          "lost"}
'

# records_py FILE CODE [ARG...]: run CODE after the prelude (args in `args`)
records_py()
{
    local file=$1 code=$2
    shift 2
    [ -f "$file" ] || fail "no output file '$file'"
    python3 -c "$_PY_PRELUDE$code" "$file" "$@" ||
        fail "record check failed on '$file'"
}

# count_records FILE: print the number of records (every line must parse)
count_records()
{
    records_py "$1" 'print(len(recs))'
}

# check_records FILE [FIELD...]: every record has the metadata keys first,
# in the contract's order, with the right types; then exactly FIELDs (the
# rule fields; default: title links)
check_records()
{
    local file=$1
    shift
    [ $# -gt 0 ] || set -- title links
    records_py "$file" '
fields = args
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")
problems = []
def bad(where, msg):
    problems.append("%s: %s" % (where, msg))
for i, r in enumerate(recs, 1):
    keys = list(r.keys())
    where = "record %d (%s)" % (i, r.get("url"))
    if keys != META + fields:
        bad(where, "keys %s, want %s" % (keys, META + fields))
        continue
    if not isinstance(r["url"], str) or not r["url"]:
        bad(where, "url not a string")
    if r["final_url"] is not None and not isinstance(r["final_url"], str):
        bad(where, "final_url not a string or null")
    if not isinstance(r["status"], int) or isinstance(r["status"], bool):
        bad(where, "status not an integer")
    if r["error"] is not None and r["error"] not in ERRORS:
        bad(where, "unknown error code %r" % r["error"])
    for k in ("depth", "elapsed_ms", "bytes"):
        if not isinstance(r[k], int) or isinstance(r[k], bool) or r[k] < 0:
            bad(where, "%s = %r, want an integer >= 0" % (k, r[k]))
    if r["content_type"] is not None and not isinstance(r["content_type"], str):
        bad(where, "content_type not a string or null")
    if not isinstance(r["fetched_at"], str) or not rfc3339.match(r["fetched_at"]):
        bad(where, "fetched_at %r is not RFC 3339 UTC" % r["fetched_at"])
    if r["error"] is not None:
        for f in fields:
            if r[f] is not None:
                bad(where, "error record (%s) has %s = %r, want null"
                    % (r["error"], f, r[f]))
if problems:
    die("%d problems with the record shape:\n  %s" % (len(problems),
        "\n  ".join(problems[:10] + (["..."] if len(problems) > 10 else []))))
' "$@"
}

# check_site_records FILE BASE LIST [MODE [NAME]]: FILE's records are of
# the tests/gen-site.py site at BASE whose page paths LIST holds (its
# --list): none twice, none unexpected, every one 200 without error and
# titled "Page I"; MODE all (the default): every page has its record;
# some: a crawl cut short.  NAME prefixes the messages.
check_site_records()
{
    records_py "$1" '
base, pages_file, mode, name = args
pages = [base + l.strip() for l in open(pages_file) if l.strip()]
index = {u: i for i, u in enumerate(pages)}
c = Counter(r["url"] for r in recs)
dup = sorted(u for u, n in c.items() if n > 1)
miss = sorted(set(pages) - set(c)) if mode == "all" else []
extra = sorted(set(c) - set(pages))
if dup or miss or extra:
    die("%s: %d records, want %d; %d URLs more than once %s; %d missing %s;"
        " %d unexpected %s" % (name, len(recs), len(pages), len(dup),
        dup[:5], len(miss), miss[:5], len(extra), extra[:5]))
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None]
if bad:
    die("%s: %d records not 200 without error: %s" % (name, len(bad),
        [json.dumps(r)[:200] for r in bad[:3]]))
for r in recs:
    if r["title"] != "Page %d" % index[r["url"]]:
        die("%s: %s: title %r" % (name, r["url"], r["title"]))
' "$2" "$3" "${4:-all}" "${5:-$(basename "$1")}"
}

# every_url_once FILE [LIST [BASE]]: FILE's records are the URLs of LIST
# (default $T/pages.txt), each line prefixed with BASE (default $BASE),
# each exactly once, none missing, none else, all 200 without error
every_url_once()
{
    records_py "$1" '
base, pages_file = args
pages = [base + l.strip() for l in open(pages_file) if l.strip()]
c = Counter(r["url"] for r in recs)
dup = sorted(u for u, n in c.items() if n > 1)
miss = sorted(set(pages) - set(c))
extra = sorted(set(c) - set(pages))
if dup or miss or extra:
    die("%d records, want %d; %d more than once %s; %d missing %s; "
        "%d unexpected %s" % (len(recs), len(pages), len(dup), dup[:3],
        len(miss), miss[:3], len(extra), extra[:3]))
bad = [r for r in recs if r["status"] != 200 or r["error"] is not None]
if bad:
    die("%d records not 200: %s" % (len(bad), bad[:2]))
' "${3-$BASE}" "${2:-$T/pages.txt}"
}

# assert_no_crash FILE...: fail if a log shows a crash or sanitizer report
assert_no_crash()
{
    local pat='Segmentation fault|core dumped|Aborted|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Assertion .* failed|stack smashing|double free|free\(\): invalid'
    local f
    for f in "$@"; do
        [ -f "$f" ] || continue
        if grep -Eq "$pat" "$f"; then
            grep -E -m 5 "$pat" "$f" >&2
            fail "crash or sanitizer report in '$(basename "$f")'"
        fi
    done
    if ls "$T"/core* >/dev/null 2>&1; then
        fail "core dump left in the test folder"
    fi
}

# runtime_dirs_left: print the launcher's runtime folders still in TMPDIR
# alive PID: true while PID runs (a zombie, dead but not yet reaped by
# its parent, does not count)
alive()
{
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# proc_report PID: what a process that should have ended is doing, to
# stderr: its state and kernel wait channel, each thread's backtrace when
# gdb is installed (a stuck worker's failure then says where it is stuck)
proc_report()
{
    local p=$1
    [ -d "/proc/$p" ] || return 0
    echo "# pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
    echo "# state: $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)," \
        "wchan: $(cat "/proc/$p/wchan" 2>/dev/null)" >&2
    command -v ss >/dev/null &&
        ss -tanp 2>/dev/null | grep "pid=$p," | sed 's/^/# /' >&2
    command -v gdb >/dev/null || return 0
    timeout 30 gdb -p "$p" -batch -nx -ex "thread apply all bt 12" \
        2>/dev/null | grep -E '^(Thread|#)' | head -n 60 >&2 || true
}

runtime_dirs_left()
{
    ls -d "$TMPDIR"/zscrape.* 2>/dev/null || true
}

# site_on_tmpfs: serve $T/www from a tmpfs when there is one: writing and
# removing a 20,000-file site on a slow disk can take longer than a crawl
site_on_tmpfs()
{
    [ -d /dev/shm ] && [ -w /dev/shm ] || return 0
    _SHM=$(mktemp -d /dev/shm/zstest.XXXXXX) || return 0
    rmdir "$T/www" && ln -s "$_SHM" "$T/www"
}

# file_lines FILE: its number of lines (0 when missing)
file_lines()
{
    if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# wait_lines FILE N PID: poll every 20 ms until FILE has N lines or more;
# false when PID exits first.  Tests that interrupt a crawl wait on its
# output rather than on the clock, so a faster machine cannot finish the
# crawl before the interruption.
wait_lines()
{
    while [ "$(file_lines "$1")" -lt "$2" ]; do
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.02
    done
}

# page_requests LOG: the page paths nginx was asked for (robots.txt not)
page_requests()
{
    awk -F'"' '{split($3, a, " "); print a[1]}' "$1" | grep -v '^/robots.txt$'
}

# rand_int LO HI: a random integer in [LO, HI)
rand_int()
{
    echo $(($1 + (RANDOM * 32768 + RANDOM) % ($2 - $1)))
}

# free_ports N: a base port with base..base+N-1 free on 127.0.0.1 (a
# coordinator address tcp://127.0.0.1:BASE uses six)
free_ports()
{
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(("127.0.0.1", p))
            socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(base)
    break
PY
}

# gen_site N: the generated site of N pages (tests/gen-site.py) in $T/www,
# its page paths in $T/pages.txt; needs BASE (nginx_start first)
gen_site()
{
    python3 "$ROOT/tests/gen-site.py" "$T/www" "$1" --base "$BASE" \
        --list "$T/pages.txt"
}

# assert_pages_once FILE: FILE's records are the pages of $T/pages.txt,
# each exactly once
assert_pages_once()
{
    records_py "$1" '
pages = set(args[0] + l.strip() for l in open(args[1]) if l.strip())
urls = [r["url"] for r in recs]
if len(urls) != len(set(urls)) or set(urls) != pages:
    die("%d records, %d distinct, want the %d pages once"
        % (len(urls), len(set(urls)), len(pages)))
' "$BASE" "$T/pages.txt"
}

# expect_usage_error WHAT WANT CMD...: CMD (under a 20 s limit) exits 2,
# its stderr ($T/usage.err) says WANT, its stdout is empty; WHAT names
# the case in the failure message
expect_usage_error()
{
    local what=$1 want=$2 rc=0
    shift 2
    timeout 20 "$@" >"$T/usage.out" 2>"$T/usage.err" || rc=$?
    [ $rc = 2 ] || { cat "$T/usage.err" >&2; fail "$what: exit $rc, want 2"; }
    grep -qF -- "$want" "$T/usage.err" ||
        fail "$what: '$(cat "$T/usage.err")' does not say '$want'"
    [ ! -s "$T/usage.out" ] || fail "$what: wrote records"
}
