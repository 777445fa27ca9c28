/* rules.h: the rule file (--rules FILE), parsed once at start-up.
 *
 * One rule a line: FIELD SELECTOR [VALUE] [all]; a line whose first
 * non-blank character is '#' is a comment.  VALUE is `text` (default),
 * `@NAME` or `html`.  The field `follow` is the follow directive.  The
 * format, with every detail, is in DESIGN.md ("Rule file").
 *
 * Details DESIGN.md leaves open, as implemented:
 * - The line is read from both ends (the selector may hold blanks): the
 *   first word is the field, a last word `all` the flag, a word before it
 *   that is `text`, `html` or `@NAME` the value (any case), the rest the
 *   selector.  A last word that is a plain name (letters, digits, '_')
 *   but no known HTML element is an "unknown value kind"; to select such
 *   an element (`<foo>`), write the value: `f  div foo  text`.
 * - Field names: letters, digits and '_', not starting with a digit, at
 *   most 64; reserved and duplicate names compare case-insensitively
 *   (SQLite column names do).  At most EXTRACT_MAX_FIELDS fields.
 * - `@NAME` without `all` gives the first match that has the attribute
 *   (the first element of what `all` would give), or null.
 * - A selector ending in ::text or ::attr(name) selects strings, given
 *   as parsel gives them: raw text nodes, raw attribute values (not
 *   resolved); its value must be `text` (or left out).
 * - `follow` lines may repeat (their URLs add up); without a value they
 *   take @href; `all` is implied; ::attr() values are resolved too. */
#ifndef ZS_RULES_H
#define ZS_RULES_H

#include "common/compat.h"

struct rules;

/* Parse a rule file held in text[0..len) (need not be NUL-terminated);
 * fname names it in messages.  Returns the rules (free with
 * rules_free()), or NULL with "FNAME:LINE:COL: message" in err. */
struct rules *rules_parse(const char *text, size_t len, const char *fname,
                          char *err, size_t errlen);

/* Read the file at path (at most the rule file cap): its bytes,
 * NUL-terminated (caller frees), or NULL with "PATH: reason" in err. */
char *rules_read(const char *path, size_t *len, char *err, size_t errlen);

/* Read and parse the file at path.  NULL on error, with err set to
 * "PATH: reason" when it cannot be read, else as rules_parse(). */
struct rules *rules_load(const char *path, char *err, size_t errlen);

void rules_free(struct rules *r);

/* Number of fields, the follow directive excluded; r NULL means the
 * default rules ("title" and "links"), which have 2. */
int rules_nfields(const struct rules *r);

/* Name of field i (0-based, in file order); borrowed until rules_free().
 * NULL when i is out of range. */
const char *rules_field_name(const struct rules *r, int i);

/* ---- for extract.c: the compiled rules ---- */

/* What a rule's matches give. */
enum rule_value {
    RULE_TEXT,      /* the text value (or the string ::text/::attr gave) */
    RULE_ATTR,      /* an attribute; matches without it are skipped */
    RULE_HTML       /* inner HTML, serialized from the tree */
};

struct select;

/* One line of the rule file. */
struct rule {
    const char *name;           /* field name, or "follow" */
    const struct select *sel;   /* the compiled selector list */
    enum rule_value value;      /* what to take from a match */
    const char *attr;           /* RULE_ATTR: the name, lower case */
    bool url;                   /* RULE_ATTR: a URL attribute, resolved */
    bool all;                   /* every match (a JSON array) */
    int line;                   /* line in the rule file */
};

/* Field i (as rules_field_name); NULL out of range.  Borrowed. */
const struct rule *rules_field(const struct rules *r, int i);

/* The follow rules: rules_nfollow() of them (0: none was written, and
 * crawling follows every a[href]; rules_follow_default() is that rule). */
int rules_nfollow(const struct rules *r);
const struct rule *rules_follow(const struct rules *r, int i);
const struct rule *rules_follow_default(void);

/* True for the attributes whose value is a URL (href, src, action,
 * formaction, poster, cite, background, data, longdesc); name is lower
 * case. */
bool rules_url_attr(const char *name);

#endif
