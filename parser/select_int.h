/* select_int.h: the compiled form of a selector list, shared by the
 * compiler (select_parse.c) and the matcher (select_match.c).  Not an API:
 * only those two files include it.
 *
 * A list holds complex selectors; a complex selector is a chain of
 * compound selectors joined by combinators.  Every compound of the list's
 * chains owns one bit: bit (chain.bit0 + j) set on an element means
 * "compounds 0..j of the chain match, ending at this element".  The
 * arguments of :has() are chains too, with bits of their own, evaluated
 * right to left in a reverse pass (see select_match.c). */
#ifndef ZS_SELECT_INT_H
#define ZS_SELECT_INT_H

#include "parser/select.h"

enum sel_comb {
    COMB_NONE,        /* first compound of a chain */
    COMB_DESC,        /* whitespace */
    COMB_CHILD,       /* > */
    COMB_ADJ,         /* + */
    COMB_SIB          /* ~ */
};

enum sel_cond_kind {
    COND_ID,          /* #id */
    COND_CLASS,       /* .class */
    COND_ATTR,        /* [a OP v] */
    COND_NTH,         /* :nth-*() and the first/last/only shorthands */
    COND_EMPTY,       /* :empty */
    COND_ROOT,        /* :root */
    COND_NOT,         /* :not(compound, ...) */
    COND_CONTAINS,    /* :contains("text") */
    COND_HAS          /* :has(relative selectors) */
};

enum sel_attr_op {
    ATTR_EXISTS,      /* [a] */
    ATTR_EQ,          /* [a=v] */
    ATTR_INCLUDES,    /* [a~=v] */
    ATTR_DASH,        /* [a|=v] */
    ATTR_PREFIX,      /* [a^=v] */
    ATTR_SUFFIX,      /* [a$=v] */
    ATTR_SUBSTR       /* [a*=v] */
};

enum sel_nth_kind {
    NTH_CHILD,        /* position among element siblings */
    NTH_LAST_CHILD,   /* the same, counted from the end */
    NTH_OF_TYPE,      /* position among siblings of the same type */
    NTH_LAST_OF_TYPE  /* the same, counted from the end */
};

struct sel_compound;

/* One simple selector other than the type. */
struct sel_cond {
    enum sel_cond_kind kind;    /* what it tests */
    int op;                     /* enum sel_attr_op or enum sel_nth_kind */
    bool icase;                 /* [a=v i]: ASCII case-insensitive value */
    bool only;                  /* :only-*: a (first) and b (last) */
    char *name;                 /* attribute name, lower case */
    char *value;                /* id, class, attribute value, needle */
    size_t vlen;                /* bytes in value */
    long a, b;                  /* an+b */
    struct sel_compound *list;  /* :not() arguments */
    int nlist;                  /* entries in list */
    int slot;                   /* :contains()/:has() table index */
};

/* A compound selector: a type test and conditions, all on one element. */
struct sel_compound {
    enum sel_comb comb;         /* combinator to the compound on the left */
    int tag;                    /* GumboTag; GUMBO_TAG_LAST for `*`/none */
    char *tname;                /* GUMBO_TAG_UNKNOWN: the name, lower case */
    size_t tlen;                /* bytes in tname */
    struct sel_cond *conds;     /* conditions, all must hold */
    int nconds;                 /* entries in conds */
};

/* A complex selector: compounds left to right. */
struct sel_chain {
    struct sel_compound *c;     /* the compounds */
    int n;                      /* entries in c */
    int bit0;                   /* bit of compound 0 */
    enum select_kind kind;      /* its pseudo-element */
    char *attr;                 /* ::attr(name): the name, lower case */
    bool or_desc;               /* parsel's `A *::text`: the pseudo-element
                                   applies to A's matches and all their
                                   descendants (the `*` is dropped) */
};

/* The argument of one :has(): relative selectors.  Compound 0's comb is
 * the leading combinator (COMB_DESC when none was written). */
struct sel_has {
    struct sel_chain *rel;      /* the relative selectors */
    int nrel;                   /* entries in rel */
    int nbits;                  /* bits used by rel's chains */
};

struct select {
    struct sel_chain *chains;   /* the list's complex selectors */
    int nchains;                /* entries in chains */
    int nbits;                  /* bits of the chains */
    enum select_kind kind;      /* what the list yields */
    struct sel_has *has;        /* :has() arguments, by slot */
    int nhas;                   /* entries in has */
    char **needles;             /* :contains() strings, by slot */
    size_t *nlens;              /* their lengths */
    int ncontains;              /* entries in needles */
    bool of_type;               /* some :*-of-type() is used */
};

#endif
