/* test_suggest.c: edit distances and the names suggested for a mistyped
 * option (common/suggest.c). */
#include "common/compat.h"

#include "common/suggest.h"
#include "common/util.h"
#include "tests/unit/test.h"

static const char *const names[] = {
    "depth", "delay", "seeds", "scope", "state", "stats", "concurrency",
    "parsers", "parse-timeout", "max-pages", "max-bytes", "max-depth",
    "http1.1", "fail-on-errors", "force-resume",
};

/* suggest_names(word) must give exactly want ("a b": in that order). */
static void near_is(const char *word, const char *want)
{
    const char *out[SUGGEST_MAX];
    char got[256] = "";
    size_t k = suggest_names(word, names, ARRAY_SIZE(names), out), i;

    for (i = 0; i < k; i++) {
        size_t used = strlen(got);
        snprintf(got + used, sizeof(got) - used, "%s%s", i ? " " : "",
                 out[i]);
    }
    if (strcmp(got, want))
        fprintf(stderr, "  suggestions for '%s'\n", word);
    CHECK_STR(got, want);
}

int main(void)
{
    CHECK_INT(suggest_distance("depth", "depth"), 0);
    CHECK_INT(suggest_distance("dpeth", "depth"), 1);      /* a swap */
    CHECK_INT(suggest_distance("deth", "depth"), 1);       /* a deletion */
    CHECK_INT(suggest_distance("deppth", "depth"), 1);     /* an insertion */
    CHECK_INT(suggest_distance("dxpth", "depth"), 1);      /* a change */
    CHECK_INT(suggest_distance("", "abc"), 3);
    CHECK_INT(suggest_distance("abc", ""), 3);
    CHECK_INT(suggest_distance("kitten", "sitting"), 3);
    CHECK_INT(suggest_distance("ca", "abc"), 3);           /* OSA, not DL */
    near_is("dpeth", "depth");
    near_is("concurency", "concurrency");
    near_is("max-page", "max-pages");
    near_is("fail-on-error", "fail-on-errors");
    near_is("stat", "state stats");     /* a prefix of both */
    near_is("pa", "parsers parse-timeout");
    near_is("max-", "max-pages max-bytes max-depth");
    near_is("xyzzy-plugh", "");
    near_is("", "");
    near_is("sede", "seeds");
    return TEST_DONE();
}
