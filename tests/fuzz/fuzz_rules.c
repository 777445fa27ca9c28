/* fuzz_rules.c: libFuzzer harness for the rule file parser and the
 * extraction it drives.
 *
 * Input: a rule file.  When it parses, the rules are applied to a fixed
 * page with extract_page(), and error records with extract_nulls().
 * A rejected file must come with a "FILE:LINE:COL: message".  `make
 * fuzz`. */
#include "common/compat.h"

#include <gumbo.h>

#include "parser/extract.h"
#include "parser/rules.h"

static const char page[] =
    "<!DOCTYPE html><html><head><title> T  t </title><base href='/b/'>"
    "</head><body><h1 class=title>Big <em>Sale</em></h1>"
    "<span class=price>$1</span><ul class=tags><li>a</li><li>b</li></ul>"
    "<img class=main src='x.png' alt='&amp;'><a class=next href='n.html'>"
    "n</a><nav class=pager><a href='p#2'>2</a><a href='mailto:x'>m</a>"
    "</nav><div id=box><p>a<br>b</p><script>1<2</script></div>"
    "</body></html>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static GumboOutput *doc;
    GumboOptions opts = kGumboDefaultOptions;
    struct extract_out o;
    struct rules *r;
    char err[512];

    if (!doc) {
        opts.max_errors = 0;
        doc = gumbo_parse_with_options(&opts, page, sizeof(page) - 1);
    }
    err[0] = '\0';
    r = rules_parse((const char *)data, size, "fuzz.rules", err,
                    sizeof(err));
    if (!r) {
        if (strncmp(err, "fuzz.rules:", 11) != 0)
            abort();    /* every error names the file and line */
        return 0;
    }
    if (rules_nfields(r) > EXTRACT_MAX_FIELDS)
        abort();
    extract_out_init(&o);
    extract_page(r, doc, "http://ex.com/dir/page.html", &o);
    extract_nulls(r, &o);
    extract_out_release(&o);
    rules_free(r);
    return 0;
}
