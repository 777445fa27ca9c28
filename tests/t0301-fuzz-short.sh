#!/bin/bash
# t0301: a short libFuzzer run of each harness (selector compiler and
# matcher, rule file, wire-protocol decoder); `make fuzz` runs longer.
# Skipped when clang cannot build fuzzers here.
set -eu
cd "$(dirname "$0")/.."
command -v clang >/dev/null || { echo "SKIP: no clang"; exit 77; }
make --no-print-directory fuzz-short fuzz-msg-short \
    FUZZ_SHORT="${ZSCRAPE_FUZZ_SECONDS:-10}"
