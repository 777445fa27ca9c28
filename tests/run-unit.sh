#!/bin/bash
# run-unit.sh BUILD_DIR [PATTERN...]: run every BUILD_DIR/tests/test_*
# binary as one suite.  Each prints a last line "checks: P passed, F failed"
# and exits nonzero on failure.  Prints "ok|FAIL name (secs)" a suite, the
# output of failed suites, and a closing line "N passed, N failed".
#
# With ZS_COUNTS_FILE set (tests/run.sh does), the closing line is not
# printed; "PASSED FAILED SKIPPED" is appended to that file instead.
# With ZS_VALGRIND=1 each binary runs under valgrind's memcheck (suite
# names "valgrind/..."): an invalid access, an uninitialized read or a
# definite or indirect leak fails the suite (tests/valgrind.supp holds
# the suppressions for glibc's own false positives).
set -u
dir=${1:?usage: run-unit.sh BUILD_DIR [PATTERN...]}
shift
ZS_SUITE_LIMIT=${ZS_SUITE_LIMIT:-300}

case $dir in
*san*)
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
    ;;
esac

passed=0 failed=0 skipped=0
log=$(mktemp "${TMPDIR:-/tmp}/zs-unit.XXXXXX")
trap 'rm -f "$log"' EXIT

# matches NAME: true when no pattern was given or NAME contains one
matches()
{
    local p
    [ $# -gt 1 ] || return 0
    for p in "${@:2}"; do
        case $1 in *"$p"*) return 0 ;; esac
    done
    return 1
}

wrap=()
prefix=$(basename "$dir")
if [ "${ZS_VALGRIND:-0}" = 1 ]; then
    wrap=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
          --error-exitcode=99
          "--suppressions=$(dirname "$0")/valgrind.supp")
    prefix=valgrind
fi

for t in "$dir"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$prefix/$(basename "$t")
    matches "$name" "$@" || continue
    start=$(date +%s%3N)
    timeout -k 5 "$ZS_SUITE_LIMIT" "${wrap[@]}" "$t" </dev/null >"$log" 2>&1
    rc=$?
    ms=$(($(date +%s%3N) - start))
    secs=$((ms / 1000)).$((ms % 1000 / 100))
    last=$(tail -n 1 "$log")
    if [ $rc -eq 0 ] && [[ $last =~ ^checks:\ [0-9]+\ passed,\ 0\ failed$ ]]
    then
        echo "ok $name (${secs}s)"
        passed=$((passed + 1))
    else
        echo "FAIL $name (${secs}s)"
        [ $rc -eq 124 ] && echo "  (stopped after ${ZS_SUITE_LIMIT}s)"
        [ $rc -eq 0 ] && echo "  (exit 0 but no clean 'checks:' line)"
        sed 's/^/  | /' "$log" | tail -n 60
        failed=$((failed + 1))
    fi
done

if [ -n "${ZS_COUNTS_FILE:-}" ]; then
    echo "$passed $failed $skipped" >>"$ZS_COUNTS_FILE"
else
    echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
