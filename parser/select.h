/* select.h: the CSS selector engine: compile a selector list once, match
 * it against gumbo trees many times.
 *
 * Supported (DESIGN.md, "Rule file"): type and `*`, #id, .class, [a],
 * [a=v], [a~=v], [a|=v], [a^=v], [a$=v], [a*=v] (quoted or bare values,
 * optional ` i` or ` s` flag), the combinators descendant, >, + and ~,
 * selector lists, :first-child, :last-child, :only-child, :nth-child(),
 * :nth-last-child(), :first-of-type, :last-of-type, :only-of-type,
 * :nth-of-type(), :nth-last-of-type() (an+b, odd, even), :not(compound
 * list), :empty, :root, :contains("text"), :has(relative selector list),
 * and parsel's pseudo-elements ::text and ::attr(name) at the end of a
 * selector.
 *
 * Matching is linear in the tree size: the page is indexed once
 * (select_doc_new), each selector list is then evaluated with one pass in
 * document order (plus one reverse pass per :has() and one text pass for
 * :contains()), carrying bitsets of matched selector prefixes from
 * parents and earlier siblings.  Nothing recurses on the tree depth. */
#ifndef ZS_SELECT_H
#define ZS_SELECT_H

#include "common/compat.h"

#include <gumbo.h>

#define SELECT_MAX_LEN 4096    /* longest selector text accepted */
#define SELECT_MAX_NEST 8      /* :not()/:has() nesting depth */
#define SELECT_MAX_BITS 1024   /* compound selectors in one list */

struct select;        /* a compiled selector list */
struct select_doc;    /* a page indexed for matching */

/* What a selector list yields. */
enum select_kind {
    SELECT_ELEMENT,   /* elements */
    SELECT_TEXT,      /* ::text: the matched elements' own text nodes */
    SELECT_ATTR       /* ::attr(name): attributes of the matched elements */
};

/* One match handed to the callback. */
struct select_match {
    GumboNode *node;            /* the element, or the text node (::text) */
    const GumboAttribute *attr; /* ::attr(): the attribute, else NULL */
};

/* Called once a match, in document order, without duplicates.  Return 0
 * to go on, nonzero to stop: select_run() then returns that value. */
typedef int (*select_fn)(const struct select_match *m, void *ctx);

/* Compile the selector list s[0..len).  Returns it (free with
 * select_free()), or NULL with a message in err and the byte offset of the
 * offending character in *errpos. */
struct select *select_compile(const char *s, size_t len, char *err,
                              size_t errlen, size_t *errpos);
void select_free(struct select *sel);

/* What the list yields; every selector of a list yields the same kind. */
enum select_kind select_kind(const struct select *sel);

/* Index the tree under root (normally doc->document) for matching.  The
 * tree must outlive the index.  Free with select_doc_free(). */
struct select_doc *select_doc_new(GumboNode *root);
void select_doc_free(struct select_doc *d);
/* Deepest element nesting the index saw (the root's children are 1). */
size_t select_doc_depth(const struct select_doc *d);

/* The href attribute of the page's first HTML <base href> element in
 * document order, or NULL.  Borrowed from the tree. */
const GumboAttribute *select_doc_base_href(const struct select_doc *d);

/* Run sel over the indexed page, calling fn for every match.  Returns 0,
 * or the first nonzero value fn returned. */
int select_run(const struct select *sel, struct select_doc *d,
               select_fn fn, void *ctx);

/* One selector list of a shared run. */
struct select_job {
    const struct select *sel;   /* the list */
    select_fn fn;               /* called for its matches */
    void *ctx;                  /* fn's context */
    int rc;                     /* out: what select_run() would return */
};

/* Run n lists over the page in one walk: each list's callback sees what
 * select_run() would give it (its matches in document order, until it
 * returns nonzero), but the callbacks of different lists interleave.
 * Returns 0. */
int select_run_many(struct select_job *jobs, int n, struct select_doc *d);

#endif
