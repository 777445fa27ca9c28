#!/bin/sh
# install-deps.sh: install the Debian 12 packages zscrape needs, by level.
#
#   sh scripts/install-deps.sh --demo   build and run: the compiler, make,
#                                       the libraries, nginx (make demo)
#   sh scripts/install-deps.sh --test   also every tool the tests use
#                                       (make test; the default level)
#   sh scripts/install-deps.sh --bench  also the benchmark's peers
#                                       (make bench; crawlee from npm)
#   --if-missing   run apt-get only when a package of the level is
#                  missing; silent when everything is there
#   --list         print the level's packages, one a line, and exit
#
# POSIX sh, so that it runs on a bare Debian 12 (debootstrap: no make, no
# git, no sudo) before anything else is there.  Says what it installs and
# shows apt's progress on one line.  Idempotent; runs as root (sudo is used
# only when not root and present).  Needs only Debian's package archive
# (and npm's registry for crawlee and spider-rs, best effort).
set -eu

# build and run (make demo, make install, any crawl); ca-certificates: https
DEMO_PKGS="make gcc libc6-dev pkg-config libcurl4-openssl-dev libzmq3-dev
      libgumbo-dev libsqlite3-dev zlib1g-dev libssl-dev ca-certificates
      nginx python3"
# what the tests use: clang's libFuzzer runtime (libclang-rt-14-dev is
# only a Recommends of clang), html5lib for the CSS differential test
TEST_PKGS="build-essential clang libclang-rt-14-dev valgrind
      libnginx-mod-http-echo python3-lxml python3-cssselect python3-html5lib
      python3-zmq python3.11-doc sqlite3 iproute2 procps util-linux bsdutils
      curl groff-base man-db openssl tinyproxy dante-server"
BENCH_PKGS="python3-httpx python3-aiohttp python3-scrapy python3-parsel
      gnuplot-nox wget2"

prog=install-deps.sh
if_missing=0
level=test
list=0
for arg in "$@"; do
    case $arg in
    --if-missing) if_missing=1 ;;
    --demo) level=demo ;;
    --test) level=test ;;
    --bench) level=bench ;;
    --list) list=1 ;;
    -h|--help)
        sed -n '2,19s/^# \{0,1\}//p' "$0"
        exit 0 ;;
    *)
        echo "$prog: unknown option '$arg' (--demo, --test, --bench," \
             "--if-missing, --list)" >&2
        exit 2 ;;
    esac
done

case $level in
demo) want=$DEMO_PKGS ;;
test) want="$DEMO_PKGS $TEST_PKGS" ;;
bench) want="$DEMO_PKGS $TEST_PKGS $BENCH_PKGS" ;;
esac
# shellcheck disable=SC2086 # one word a package
want=$(printf '%s\n' $want)
if [ $list = 1 ]; then
    printf '%s\n' "$want"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    SUDO=
fi

# is_installed PKG: true when dpkg says the package is fully installed
is_installed()
{
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = \
      "install ok installed" ]
}

missing=
for p in $want; do
    is_installed "$p" || missing="$missing $p"
done

# show_progress TOTAL: apt-get's output on stdin, shown as one line
# rewritten in place on a terminal ("[ 12/85] unpacking libfoo"), else a
# line every 20th download and every tenth package set up, and the last;
# apt's errors pass through
show_progress()
{
    if [ -t 2 ]; then tty=1; else tty=0; fi
    awk -v total="$1" -v tty=$tty -v prog="$prog" '
    function show(what) {
        if (tty)
            printf "\r\033[K%s: [%3d/%d] %s", prog, done, total, what \
                > "/dev/stderr"
        else if (done % 10 == 0 || done == total)
            printf "%s: [%3d/%d] %s\n", prog, done, total, what \
                > "/dev/stderr"
    }
    /^[0-9]+ upgraded, [0-9]+ newly installed/ {
        total = $3 + $1
        printf "%s: %d packages to install\n", prog, total > "/dev/stderr"
        next
    }
    /^Need to get/ {
        printf "%s: downloading %s %s\n", prog, $4, $5 > "/dev/stderr"
        next
    }
    /^Get:[0-9]+/ {
        got++
        if (tty)
            printf "\r\033[K%s: downloading %d/%d  %s", prog, got, total,
                $5 > "/dev/stderr"
        else if (got % 20 == 0)
            printf "%s: downloaded %d/%d\n", prog, got, total > "/dev/stderr"
        next
    }
    /^Setting up / {
        done++
        show("set up " $3)
        next
    }
    /^Unpacking / { if (tty) show("unpacking " $2); next }
    /^(E|W): / { if (tty) printf "\n" > "/dev/stderr"; print > "/dev/stderr" }
    END { if (tty && (done || got)) printf "\n" > "/dev/stderr" }'
}

if [ -n "$missing" ] || [ $if_missing = 0 ]; then
    # shellcheck disable=SC2086 # one word a package
    n=$(printf '%s\n' $missing | grep -c . || true)
    if [ $if_missing = 1 ]; then
        echo "$prog: $n packages missing for the $level level:$missing" >&2
    else
        echo "$prog: the $level level:" $want >&2
    fi
    # A package's postinst would start its service (nginx on port 80);
    # the tests run their own nginx, so service starts are denied while
    # we install, with a temporary policy-rc.d (exit 101 = "not allowed"),
    # unless the machine already has a policy of its own.
    policy=/usr/sbin/policy-rc.d
    if [ ! -e $policy ] && [ -w /usr/sbin ]; then
        printf '#!/bin/sh\n# zscrape install-deps.sh: no service starts\nexit 101\n' \
            >$policy && chmod 755 $policy
        trap 'rm -f $policy' EXIT
        trap 'rm -f $policy; exit 130' INT TERM
    fi
    log=$(mktemp "${TMPDIR:-/tmp}/zscrape-deps.XXXXXX")
    echo "$prog: apt-get update" >&2
    $SUDO apt-get update -qq >"$log" 2>&1 || {
        cat "$log" >&2
        echo "$prog: apt-get update failed; trying the cached lists" >&2
    }
    # shellcheck disable=SC2086 # one word a package
    { $SUDO apt-get install -y --no-install-recommends \
          -o Dpkg::Options::=--force-confdef \
          -o Dpkg::Options::=--force-confold \
          -o Dpkg::Use-Pty=0 -o APT::Color=0 $want 2>&1
      echo "rc=$?"; } | tee "$log" | show_progress "${n:-0}"
    rc=$(sed -n 's/^rc=//p' "$log" | tail -n 1)
    if [ "${rc:-1}" != 0 ]; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        echo "$prog: apt-get install failed (status $rc)" >&2
        exit 1
    fi
    rm -f "$log"
    still=
    for p in $want; do
        is_installed "$p" || still="$still $p"
    done
    if [ -n "$still" ]; then
        echo "$prog: still not installed:$still" >&2
        exit 1
    fi
    echo "$prog: done: the $level level is installed" >&2
fi

# npm_peer DIR NAME MODULE NPM_ARGS...: npm install NPM_ARGS in DIR (its
# own package.json) unless DIR/node_modules/MODULE is there; best effort,
# never fatal (the bench reports a missing peer as skipped)
npm_peer()
{
    np_dir=$1 np_name=$2 np_module=$3
    shift 3
    command -v npm >/dev/null 2>&1 || return 0
    [ ! -f "$np_dir/node_modules/$np_module/package.json" ] || return 0
    echo "$prog: installing $np_name into $np_dir" >&2
    mkdir -p "$np_dir" &&
    ( cd "$np_dir" &&
      { [ -f package.json ] ||
        echo '{"name":"zscrape-bench-peers","private":true}' \
            >package.json; } &&
      npm install --no-fund --no-audit "$@" >npm-install.log 2>&1 ) ||
        echo "$prog: $np_name not installed (best effort;" \
             "see $np_dir/npm-install.log)" >&2
}

if [ $level = bench ]; then
    # the Node.js peers of the benchmark: best effort, never fatal.  They
    # go to a cache folder outside the repository (node_modules is never
    # committed); scripts/bench/run.sh looks there too.
    node_dir=${ZSCRAPE_BENCH_NODE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/zscrape-bench}
    if ! command -v npm >/dev/null 2>&1; then
        echo "$prog: installing npm (for crawlee and spider-rs)" >&2
        $SUDO apt-get install -y -qq --no-install-recommends npm \
            >/dev/null 2>&1 || echo "$prog: npm not available" >&2
    fi
    npm_peer "$node_dir" crawlee crawlee --omit=optional 'crawlee@^3'
    # spider-rs (a Rust crawler for Node.js; its Linux binary is an
    # optional dependency, which crawlee's install omits: so it has a
    # folder of its own).  Pinned: 0.0.163, the registry's latest, has no
    # Linux binary.
    npm_peer "$node_dir/spider-rs" @spider-rs/spider-rs @spider-rs/spider-rs \
        --save-exact '@spider-rs/spider-rs@0.0.157'
fi
exit 0
