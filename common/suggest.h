/* suggest.h: "did you mean --depth?" for a mistyped option, as git and
 * curl do: the known names nearest by edit distance (Damerau-Levenshtein,
 * a swap of two neighbours costing one). */
#ifndef ZS_SUGGEST_H
#define ZS_SUGGEST_H

#include "common/compat.h"

#include <getopt.h>

#define SUGGEST_MAX 3           /* names offered at most */

/* The edit distance between a and b (insert, delete, substitute, swap
 * two neighbours: one each). */
size_t suggest_distance(const char *a, const char *b);

/* Up to SUGGEST_MAX of names[0..n) nearest to word, near enough to be
 * what was meant (distance at most 1 + len/4; names that start with
 * word first), into out[] (borrowed from names).  Returns how many. */
size_t suggest_names(const char *word, const char *const *names, size_t n,
                     const char **out);

/* After getopt_long() returned '?' (opterr set to 0): print "NAME:
 * unknown option '--dpeth' (did you mean --depth?)", or "--depth needs a
 * value", or the ambiguous prefix's choices, then "NAME: try --help", and
 * exit 2.  arg is argv[optind - 1], short the value of optopt. */
ZS_NORETURN void suggest_die(const char *arg, int short_opt,
                             const struct option *opts);

#endif
