#!/bin/bash
# t0301: a short libFuzzer run of each harness (selector compiler and
# matcher, rule file, wire-protocol decoder); `make fuzz` runs longer.
# Fails (never skips) when clang or its libFuzzer runtime is missing:
# scripts/install-deps.sh --test installs both (libclang-rt-14-dev is only
# a Recommends of clang, and installs skip Recommends).
set -eu
cd "$(dirname "$0")/.."
command -v clang >/dev/null ||
    { echo "FAIL: no clang (sh scripts/install-deps.sh --test)"; exit 1; }
rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
[ -f "$rt" ] || rt=$(clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-x86_64.a
case $(uname -m) in
x86_64)
    [ -f "$rt" ] || { echo "FAIL: clang's libFuzzer runtime" \
        "(libclang_rt.fuzzer-x86_64.a) is missing: apt-get install" \
        "libclang-rt-14-dev, or sh scripts/install-deps.sh --test"; exit 1; } ;;
esac
make --no-print-directory fuzz-short fuzz-msg-short \
    FUZZ_SHORT="${ZSCRAPE_FUZZ_SECONDS:-10}"
