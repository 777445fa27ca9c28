#!/bin/bash
# run.sh [--e2e-only] [PATTERN...]: zscrape's test runner (`make test`).
#
# 1. unit suites: every build/tests/test_* and build-san/tests/test_*
#    (the ASan+UBSan build) binary, one suite each (tests/run-unit.sh),
#    and build/tests/test_* again under valgrind (valgrind/test_*);
# 2. end-to-end suites: every tests/t[0-9]*.sh, each in its own process
#    with its output in a log that is shown only when it fails; exit 77
#    means skipped.
#
# One line a suite, "ok|FAIL|skip NAME (SECS)", then exactly one closing
# line "N passed, N failed" (", N skipped" when some were).  Exit status
# nonzero when a suite failed.  PATTERNs select the suites whose name
# contains one of them (tests/run.sh t0003, tests/run.sh test_url).
#
# Environment: ZSCRAPE_BIN (the programs the e2e tests use; default bin/),
# ZSCRAPE_TEST_TIMEOUT (seconds a suite may take; default 300),
# ZSCRAPE_TEST_KEEP=1 (keep each e2e test's temp folder).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

unit=1
pats=()
for a in "$@"; do
    case $a in
    --e2e-only) unit=0 ;;
    -h|--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option '$a'" >&2; exit 2 ;;
    *) pats+=("$a") ;;
    esac
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
LIMIT=${ZSCRAPE_TEST_TIMEOUT:-300}

logs=$(mktemp -d "${TMPDIR:-/tmp}/zs-tests.XXXXXX")
trap 'rm -rf "$logs"' EXIT
counts=$logs/counts
: >"$counts"

# matches NAME: true when no pattern was given or NAME contains one
matches()
{
    local p
    [ ${#pats[@]} -gt 0 ] || return 0
    for p in "${pats[@]}"; do
        case $1 in *"$p"*) return 0 ;; esac
    done
    return 1
}

# ---------------------------------------------------------------- unit

if [ $unit = 1 ]; then
    for b in build build-san; do
        if ! ls "$b"/tests/test_* >/dev/null 2>&1; then
            if matches "$b/"; then
                echo "skip $b/tests (not built)"
                echo "0 0 1" >>"$counts"
            fi
            continue
        fi
        ZS_COUNTS_FILE=$counts ZS_SUITE_LIMIT=$LIMIT \
            tests/run-unit.sh "$b" "${pats[@]}"
    done
    # the plain build's unit tests again under valgrind (leaks, invalid
    # accesses the sanitizers' build does not see the same way)
    if command -v valgrind >/dev/null 2>&1 && ls build/tests/test_* \
            >/dev/null 2>&1; then
        ZS_VALGRIND=1 ZS_COUNTS_FILE=$counts ZS_SUITE_LIMIT=$LIMIT \
            tests/run-unit.sh build "${pats[@]}"
    fi
fi

# ---------------------------------------------------------------- e2e

passed=0 failed=0 skipped=0
for t in tests/t[0-9]*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    matches "$name" || continue
    log=$logs/$name.log
    start=$(date +%s%3N)
    timeout -k 10 "$LIMIT" bash "$t" </dev/null >"$log" 2>&1
    rc=$?
    ms=$(($(date +%s%3N) - start))
    secs=$((ms / 1000)).$((ms % 1000 / 100))
    case $rc in
    0)
        echo "ok $name (${secs}s)"
        passed=$((passed + 1)) ;;
    77)
        echo "skip $name (${secs}s): $(tail -n 1 "$log")"
        skipped=$((skipped + 1)) ;;
    *)
        echo "FAIL $name (${secs}s)"
        [ $rc -eq 124 ] && echo "  (stopped after ${LIMIT}s)"
        sed 's/^/  | /' "$log" | tail -n 80
        failed=$((failed + 1)) ;;
    esac
done
echo "$passed $failed $skipped" >>"$counts"

# ---------------------------------------------------------------- total

read -r P F S < <(awk '{p += $1; f += $2; s += $3}
    END {print p + 0, f + 0, s + 0}' "$counts")
if [ "$S" -gt 0 ]; then
    echo "$P passed, $F failed, $S skipped"
else
    echo "$P passed, $F failed"
fi
[ "$F" -eq 0 ]
