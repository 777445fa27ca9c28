#!/bin/bash
# install-deps.sh: install the Debian packages that zscrape's build, tests
# and demo need (and, with --bench, the benchmark's competitors).
#
#   scripts/install-deps.sh              apt-get update + install, always
#   scripts/install-deps.sh --if-missing only when a package is missing;
#                                        silent when everything is there
#   scripts/install-deps.sh --bench      also the benchmark packages
#
# Idempotent; runs as root (sudo is used only when not root and present).
# Needs only Debian's package archive (and npm's registry for crawlee and
# spider-rs, best effort).
set -eu

PKGS="build-essential pkg-config clang libcurl4-openssl-dev libzmq3-dev
      libgumbo-dev libsqlite3-dev sqlite3 zlib1g-dev libssl-dev nginx
      libnginx-mod-http-echo
      valgrind python3 python3-lxml python3-cssselect python3-zmq python3.11-doc
      iproute2 procps util-linux bsdutils curl groff-base man-db openssl
      tinyproxy dante-server"
BENCH_PKGS="python3-httpx python3-aiohttp python3-scrapy python3-parsel
            gnuplot-nox wget2"

if_missing=0
bench=0
for arg in "$@"; do
    case $arg in
    --if-missing) if_missing=1 ;;
    --bench) bench=1 ;;
    -h|--help)
        sed -n '2,12s/^# \{0,1\}//p' "$0"
        exit 0 ;;
    *)
        echo "install-deps.sh: unknown option '$arg'" >&2
        exit 2 ;;
    esac
done

want=$PKGS
[ $bench = 1 ] && want="$want $BENCH_PKGS"

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
    local st
    st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [ "$st" = "install ok installed" ]
}

missing=
for p in $want; do
    is_installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ] || [ $if_missing = 0 ]; then
    if [ $if_missing = 1 ]; then
        echo "install-deps.sh: installing:$missing" >&2
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
    fi
    $SUDO apt-get update -qq ||
        echo "install-deps.sh: apt-get update failed; trying the cached lists" >&2
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef \
        -o Dpkg::Options::=--force-confold $want >/dev/null
fi

# npm_peer DIR NAME MODULE NPM_ARGS...: npm install NPM_ARGS in DIR (its
# own package.json) unless DIR/node_modules/MODULE is there; best effort,
# never fatal (the bench reports a missing peer as skipped)
npm_peer()
{
    local dir=$1 name=$2 module=$3
    shift 3
    command -v npm >/dev/null 2>&1 || return 0
    [ ! -f "$dir/node_modules/$module/package.json" ] || return 0
    echo "install-deps.sh: installing $name into $dir" >&2
    mkdir -p "$dir" &&
    ( cd "$dir" &&
      { [ -f package.json ] ||
        echo '{"name":"zscrape-bench-peers","private":true}' \
            >package.json; } &&
      npm install --no-fund --no-audit "$@" >npm-install.log 2>&1 ) ||
        echo "install-deps.sh: $name not installed (best effort;" \
             "see $dir/npm-install.log)" >&2
}

if [ $bench = 1 ]; then
    # crawlee (Node.js) for the benchmark: best effort, never fatal.  It
    # goes to a cache folder outside the repository (node_modules is never
    # committed); scripts/bench/run.sh looks there too.
    node_dir=${ZSCRAPE_BENCH_NODE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/zscrape-bench}
    if ! command -v npm >/dev/null 2>&1; then
        $SUDO apt-get install -y -qq --no-install-recommends npm \
            >/dev/null 2>&1 || echo "install-deps.sh: npm not available" >&2
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
