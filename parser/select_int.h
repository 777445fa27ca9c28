/* select_int.h: the compiled form of a selector list, the compiler's
 * state and the page index, shared by the compiler (select_lex.c,
 * select_parse.c), the index (select_index.c) and the matcher
 * (select_match.c).  Not an API: only those files include it.
 *
 * A list holds complex selectors; a complex selector is a chain of
 * compound selectors joined by combinators.  Every compound of the list's
 * chains owns one bit: bit (chain.bit0 + j) set on an element means
 * "compounds 0..j of the chain match, ending at this element".  The
 * arguments of :has() are chains too, with bits of their own, evaluated
 * right to left in a reverse pass (see select_match.c). */
#ifndef ZS_SELECT_INT_H
#define ZS_SELECT_INT_H

#include "common/buf.h"
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

/* ------------------------------------------------- the compiler */

/* State of one select_compile(). */
struct sel_parser {
    const char *s;          /* the selector text */
    size_t len;             /* bytes in s */
    size_t pos;             /* current offset */
    char *err;              /* message out */
    size_t errlen;          /* bytes in err */
    size_t errpos;          /* offset of the first error */
    bool failed;            /* an error was reported */
    int depth;              /* :not()/:has() nesting */
    bool in_has;            /* inside a :has() argument */
    struct select *sel;     /* what is being built */
};

#define SEL_MAX_NUM 1000000000L  /* largest a or b of an+b */

/* Record the first error (message, offset pos).  Returns -1. */
int lex_fail(struct sel_parser *p, size_t pos, const char *fmt, ...)
    ZS_PRINTF(3, 4);
/* The byte off bytes ahead, or -1 at the end. */
int lex_peek_at(const struct sel_parser *p, size_t off);
int lex_peek(const struct sel_parser *p);
bool lex_is_ws(int c);
/* Skip whitespace; true if there was some. */
bool lex_skip_ws(struct sel_parser *p);
bool lex_is_name_char(int c);
/* A valid escape off bytes ahead: a backslash not before a newline. */
bool lex_is_escape_at(const struct sel_parser *p, size_t off);
/* Decode the escape at p->pos (a backslash) into b. */
void lex_escape(struct sel_parser *p, struct buf *b);
/* True when an identifier starts at p->pos. */
bool lex_ident_starts(const struct sel_parser *p);
/* Read name characters and escapes into b (emptied first); returns the
 * source bytes read. */
size_t lex_name(struct sel_parser *p, struct buf *b);
/* Read an identifier into b; -1 (reported, naming what) if none. */
int lex_ident(struct sel_parser *p, struct buf *b, const char *what);
/* Read the quoted string at p->pos into b; -1 if it does not end. */
int lex_string(struct sel_parser *p, struct buf *b);
/* ASCII lower case in place. */
void lex_lower(char *s, size_t n);
/* b's bytes as a new NUL-terminated string; caller frees. */
char *lex_copy(const struct buf *b);

/* ------------------------------------------------- the page index */

#define SEL_NONE (-1)

/* One element of the page. */
struct sel_el {
    GumboNode *node;        /* the element */
    int32_t parent;         /* parent element, SEL_NONE under the document */
    int32_t prev;           /* previous element sibling or SEL_NONE */
    int32_t next;           /* next element sibling or SEL_NONE */
    int32_t first;          /* first element child or SEL_NONE */
    uint32_t pos;           /* 1-based position among element siblings */
    uint32_t count;         /* element siblings, itself included */
    uint32_t tpos;          /* position among siblings of its type */
    uint32_t tcount;        /* siblings of its type, itself included */
    uint16_t tag;           /* node's GumboTag, kept here so that type
                               tests need not touch the tree */
    uint16_t ns;            /* node's GumboNamespaceEnum */
};

struct select_doc {
    GumboNode *root;        /* what was indexed */
    struct sel_el *el;      /* elements in document order */
    size_t n;               /* entries in el */
    int32_t top_first;      /* first element under the root */
    bool have_types;        /* tpos/tcount are set */
    bool have_text;         /* text, ts, te are set */
    size_t max_depth;       /* deepest element nesting */
    char *text;             /* every text layer, collapsed, concatenated */
    size_t tlen;            /* bytes in text */
    uint32_t *ts;           /* element i's text is text[ts[i]..te[i]) */
    uint32_t *te;           /* end of element i's text */
};

/* A walk frame: a node whose children are being visited. */
struct sel_frame {
    GumboNode *node;        /* the node */
    int32_t el;             /* its element index, SEL_NONE for the document */
    size_t child;           /* next child to visit */
    int32_t last;           /* last element child seen, or SEL_NONE */
    uint32_t count;         /* element children seen */
};

/* True for elements, <template> included. */
bool sel_is_element(const GumboNode *n);

/* The children of a document or element; NULL for other nodes. */
const GumboVector *sel_kids(const GumboNode *n);

/* Push a frame on a growable stack (*st, *depth used, *cap room). */
struct sel_frame *sel_frame_push(struct sel_frame **st, size_t *depth,
                                 size_t *cap, GumboNode *node, int32_t el);

/* Fill tpos and tcount of every element. */
void sel_index_types(struct select_doc *d);

/* Build the text index: text, tlen, ts and te. */
void sel_index_text(struct select_doc *d);

#endif
