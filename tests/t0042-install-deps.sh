#!/bin/bash
# t0042: scripts/install-deps.sh and the fresh-machine set-up (issue #14).
#
# - the script is POSIX sh (it must run on a bare Debian 12 before make,
#   git or anything else is installed): dash runs it, `sh -n` parses it;
# - its levels nest (demo within test within bench), the demo level holds
#   the build and run packages only (no test tool), the test level holds
#   what the tests use, clang's libFuzzer runtime and html5lib included,
#   and every package named is one Debian knows (apt-cache, no network);
# - on this machine, after make test's own install, `--if-missing --test`
#   finds nothing missing and says nothing;
# - README's set-up starts with it, `make demo` installs the demo level
#   and `make test` the test level;
# - no test skips for want of a package (only t0050 may skip: not root,
#   or namespaces that cannot be made or entered).
# The real thing, a debootstrap root with nothing added, is in the
# commit log of issue #14 (its README lines, make demo, make test).
. "$(dirname "$0")/lib.sh"

DEPS=$ROOT/scripts/install-deps.sh
command -v dash >/dev/null || fail "no dash (Debian's /bin/sh)"
dash -n "$DEPS" || fail "install-deps.sh does not parse as POSIX sh"
head -n 1 "$DEPS" | grep -qx '#!/bin/sh' || fail "install-deps.sh is not #!/bin/sh"
for l in demo test bench; do
    dash "$DEPS" --list --$l >"$T/$l.list" || fail "--list --$l exited $?"
    [ -s "$T/$l.list" ] || fail "--list --$l is empty"
    sort -u "$T/$l.list" >"$T/$l.sorted"
done
[ -z "$(comm -23 "$T/demo.sorted" "$T/test.sorted")" ] ||
    fail "the demo level is not within the test level"
[ -z "$(comm -23 "$T/test.sorted" "$T/bench.sorted")" ] ||
    fail "the test level is not within the bench level"
for p in make gcc libc6-dev pkg-config libcurl4-openssl-dev libzmq3-dev \
         libgumbo-dev libsqlite3-dev zlib1g-dev libssl-dev nginx python3 \
         ca-certificates; do
    grep -qx "$p" "$T/demo.list" || fail "the demo level lacks $p"
done
for p in valgrind clang libclang-rt-14-dev tinyproxy dante-server \
         python3-html5lib python3.11-doc build-essential; do
    grep -qx "$p" "$T/demo.list" && fail "the demo level holds $p, a test tool"
    grep -qx "$p" "$T/test.list" || fail "the test level lacks $p"
done
note "levels: demo $(wc -l <"$T/demo.list"), test $(wc -l <"$T/test.list")," \
    "bench $(wc -l <"$T/bench.list") packages"
# every name is a package Debian's lists know
# shellcheck disable=SC2046 # one word a package
apt-cache show $(cat "$T/bench.list") >/dev/null 2>"$T/apt.err" ||
    fail "packages Debian does not know: $(cat "$T/apt.err")"
# nothing missing here (make test installed the test level first)
out=$(dash "$DEPS" --if-missing --test 2>&1) || fail "--if-missing exited $?"
[ -z "$out" ] || fail "--if-missing --test says something: $out"
rc=0
dash "$DEPS" --bogus 2>"$T/bad.err" || rc=$?
assert_eq "$rc" 2 "exit status of an unknown option"
grep -q "unknown option '--bogus'" "$T/bad.err" || fail "unknown option not said"

# README's set-up and the Makefile's levels
grep -A3 '^```sh$' "$ROOT/README.md" | grep -m1 -v '^```' |
    grep -q '^sh scripts/install-deps.sh --demo' ||
    fail "README's first command is not 'sh scripts/install-deps.sh --demo'"
make -C "$ROOT" -n demo | grep -q 'install-deps.sh --if-missing --demo' ||
    fail "make demo does not install the demo level"
make -C "$ROOT" -n deps | grep -q 'install-deps.sh --if-missing --test' ||
    fail "make test does not install the test level"

# no test skips but t0050, and it only for root or namespaces
for t in "$ROOT"/tests/t[0-9]*.sh; do
    case $t in */t0050-*|*/t0042-*) continue ;; esac
    if grep -nE '(^|[^_a-z])skip "|exit 77' "$t" >"$T/skips"; then
        fail "$(basename "$t") may skip: $(cat "$T/skips")"
    fi
done
grep -nE '(^|[^_a-z])skip ' "$ROOT/tests/t0050-cluster-netns.sh" |
    grep -v -e 'not root' -e 'namespace' >"$T/skips" || true
[ ! -s "$T/skips" ] || fail "t0050 skips for another reason: $(cat "$T/skips")"
exit 0
