/* test.h: a tiny unit-test harness.  CHECK() records a failure and goes
 * on; main() ends with TEST_DONE(), which prints the totals and returns
 * the exit status. */
#ifndef ZS_TEST_H
#define ZS_TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond) do { \
    if (cond) { test_passed++; } else { test_failed++; \
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                #cond); } } while (0)

#define CHECK_STR(got, want) do { \
    const char *g_ = (got), *w_ = (want); \
    if ((g_ == NULL && w_ == NULL) || (g_ && w_ && !strcmp(g_, w_))) { \
        test_passed++; } else { test_failed++; \
        fprintf(stderr, "%s:%d: got '%s', want '%s'\n", __FILE__, \
                __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
    } while (0)

#define CHECK_INT(got, want) do { \
    long long g_ = (long long)(got), w_ = (long long)(want); \
    if (g_ == w_) { test_passed++; } else { test_failed++; \
        fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, \
                __LINE__, #got, g_, w_); } } while (0)

/* The last line is read by tests/run-unit.sh:
 * "checks: P passed, F failed" */
#define TEST_DONE() ( \
    printf("checks: %d passed, %d failed\n", test_passed, test_failed), \
    test_failed ? 1 : 0)

#endif
