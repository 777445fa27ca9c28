# shellcheck shell=bash
# shellcheck disable=SC2034 # NGINX_PID, NGINX_PORT, BASE are for the caller
# scripts/bench/lib.sh: helpers for scripts/bench/run.sh (sourced).
#
# Self-contained on purpose (tests/lib.sh may change under the tests'
# needs); the nginx set-up follows the same approach: a private nginx with
# the echo module on a free loopback port, its files in a private folder.
#
#   bench_nginx_start ROOT_DIR   start nginx serving ROOT_DIR, plus
#                                /sleep/ANY (echo_sleep 1, a tiny HTML page);
#                                sets NGINX_PID, NGINX_PORT, BASE
#   bench_nginx_stop
#   bench_free_port
#   bench_say MSG                progress to stderr with the elapsed time

NGINX_ECHO_MODULE=${NGINX_ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}
NGINX_PID=
NGINX_PORT=
BASE=
BENCH_T0=${BENCH_T0:-$(date +%s.%N)}

bench_say()
{
    awk -v a="$(date +%s.%N)" -v b="$BENCH_T0" -v m="$*" \
        'BEGIN { printf "[bench %6.1fs] %s\n", a - b, m }' >&2
}

bench_free_port()
{
    python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

bench_port_answers()
{
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# bench_nginx_conf DIR PORT ROOT: write DIR/nginx.conf
bench_nginx_conf()
{
    local d=$1 port=$2 root=$3 user_line='' nofile conns
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    # descriptors: what this shell may have (run.sh raised it to the hard
    # limit); open files for the static site are cached below that
    nofile=$(ulimit -n)
    [ "$nofile" = unlimited ] && nofile=65536
    conns=$((nofile - 4200))
    [ $conns -lt 1024 ] && conns=1024
    mkdir -p "$d"
    cat >"$d/nginx.conf" <<CONF
$user_line
daemon off;
master_process on;
# One worker: the clients get the other core.  Enough descriptors and
# connections for the 10,000-request IO test (plus headroom).
worker_processes 1;
worker_rlimit_nofile $nofile;
pid $d/nginx.pid;
error_log $d/error.log warn;
load_module $NGINX_ECHO_MODULE;
events { worker_connections $conns; multi_accept on; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $d/client_body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=4000 inactive=300s;
    server {
        listen 127.0.0.1:$port backlog=65535;
        server_name localhost;
        root $root;
        # the IO-bound test: every /sleep/ANY answers after one second
        location /sleep/ {
            default_type text/html;
            echo_sleep 1;
            echo '<!DOCTYPE html><html><head><title>slept</title></head><body><p>one second</p></body></html>';
        }
    }
}
CONF
}

# bench_nginx_start ROOT_DIR [EDIT [SCHEME]]: nginx for ROOT_DIR on a free
# port; EDIT, a function, is called with the configuration file and the
# port to change the configuration before nginx starts; SCHEME (default
# http) is BASE's.  Sets NGINX_PID, NGINX_PORT, BASE.
bench_nginx_start()
{
    local root=$1 edit=${2:-} scheme=${3:-http} d=$BT/nginx port
    command -v nginx >/dev/null || { echo "bench: nginx not installed" >&2; return 1; }
    [ -f "$NGINX_ECHO_MODULE" ] || { echo "bench: nginx echo module not installed" >&2; return 1; }
    for _ in 1 2 3; do
        port=$(bench_free_port)
        bench_nginx_conf "$d" "$port" "$root"
        if [ -n "$edit" ]; then
            "$edit" "$d/nginx.conf" "$port" || return 1
        fi
        : >"$d/error.log"
        nginx -e "$d/error.log" -p "$d/" -c "$d/nginx.conf" \
            >"$d/stderr.log" 2>&1 &
        NGINX_PID=$!
        for _ in $(seq 100); do
            if bench_port_answers "$port"; then
                NGINX_PORT=$port
                BASE=$scheme://127.0.0.1:$port
                return 0
            fi
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$NGINX_PID" 2>/dev/null
        wait "$NGINX_PID" 2>/dev/null
        grep -q "Address already in use" "$d/error.log" "$d/stderr.log" \
            2>/dev/null || break
    done
    cat "$d/stderr.log" "$d/error.log" >&2 2>/dev/null
    echo "bench: nginx did not start" >&2
    return 1
}

bench_nginx_stop()
{
    [ -n "$NGINX_PID" ] || return 0
    kill -TERM "$NGINX_PID" 2>/dev/null
    wait "$NGINX_PID" 2>/dev/null
    NGINX_PID=
}
