#!/bin/bash
# t0300-css-differential: our selector engine against lxml + cssselect.
#
# For every selector below and every page (a sample of the Python 3.11
# HTML documentation, python3.11-doc, plus tests/fixtures/select/*.html),
# the matches must agree line by line: each element by tag, attributes
# (in source order) and normalized text; ::text by the raw text node;
# ::attr() by the attribute's name and value.
#
# The C side is $BUILD/tests/select_dump (gumbo).  The Python side parses
# with html5lib into an lxml tree (the same HTML5 tree construction as
# gumbo; lxml's own libxml2 parser builds different trees) and runs
# cssselect's HTMLTranslator extended the way parsel extends it.
#
# Where our semantics and cssselect's differ on purpose, the Python side
# is adjusted, never the expectation silently:
#   :contains("x")  cssselect tests XPath string(.) (script and style text
#                   included, whitespace as is); ours tests the `text`
#                   value (script, style and template skipped, ASCII
#                   whitespace collapsed, trimmed).  The Python side gets
#                   an XPath extension function zs:contains() with ours.
#   ::text, ::attr  not in cssselect; parsel's translator is reproduced
#                   below (including `A *::text` meaning every text node
#                   under A, A's own included).
#   [a=v i]         cssselect has no attribute flags: such selectors carry
#                   an equivalent written for cssselect/XPath (column 2).
#   :not(a, b)      cssselect takes one simple selector: rewritten as
#                   :not(a):not(b) in column 2.
#   *:nth-of-type   not implemented by cssselect (we support it): only
#                   typed of-type selectors are compared.
#   :only-child on the root element: ours matches (Selectors 4: the root
#                   is its own only sibling), cssselect's count(parent::*/
#                   child::*) = 1 does not; the selectors avoid the root.
#   namespaces      html5lib puts SVG and MathML elements in their
#                   namespaces; the Python side strips them so type
#                   selectors compare as they do in HTML documents.
#
# Environment: ZS_DIFF_PAGES=all compares every page of the corpus (the
# default is a fixed sample of about 50); ZS_BUILD names the build folder
# (default build, relative to the source tree).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
CORPUS=/usr/share/doc/python3.11/html
BUILD_DIR=${ZS_BUILD:-build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
DUMP=$BUILD_DIR/tests/select_dump

# never a skip: make test builds the tool, install-deps.sh --test installs
# the rest
[ -x "$DUMP" ] || fail "$DUMP not built (make all)"
[ -d "$CORPUS" ] ||
    fail "python3.11-doc not installed (sh scripts/install-deps.sh --test)"
$PY -c 'import lxml.etree, cssselect, html5lib' 2>/dev/null ||
    fail "python3-lxml, python3-cssselect or python3-html5lib missing" \
         "(sh scripts/install-deps.sh --test)"

# One selector a line; after a tab, what cssselect gets instead
# ("css:SELECTOR" or "xpath:EXPRESSION").
cat >selectors.tsv <<'EOF'
title
P
h1
dl dt
tbody
svg
path
head *
nav *
#menuToggler
input#menuToggler
#documentation_options
[id="weird:id"]
#weird\:id
#\31 23
.pre
span.pre
.xref.py
a.reference.internal
.headerlink
.a\.b
[href]
a[href="#"]
a[href="\23"]
[class=simple]
[class~=py]
[lang|=en]
a[href^="http"]
a[href$=".html"]
a[href*="library"]
link[rel='stylesheet']
[role="navigation"]
[class~=""]
[href^=""]
[href$=""]
[href*=""]
input[type=text i]	xpath:descendant-or-self::input[translate(@type,'TEXT','text')='text']
[rel="NEXT" i]	xpath:descendant-or-self::*[translate(@rel,'NEXT','next')='next']
[data-kind="top-level" i]	xpath:descendant-or-self::*[translate(@data-kind,'TOPLEV','toplev')='top-level']
input[type=text]
a[title]
div > p
ul > li > a
h1 + p
dt ~ dd
section > h1 + p
li a code span
body > div
table tr > td:first-child
section > h2 ~ p
h1, h2
h2, h1
a, a.reference
dt, dd, dl
li:first-child
li:last-child
li:only-child
li:nth-child(odd)
li:nth-child(even)
li:nth-child(2n+1)
li:nth-child(-n+3)
li:nth-child( 3n - 1 )
li:nth-child(n+4)
li:nth-child(0n+2)
tr:nth-child(3)
li:nth-last-child(2)
li:nth-last-child(odd)
li:nth-last-child(-n+2)
p:first-of-type
p:last-of-type
span:only-of-type
p:nth-of-type(2)
dd:nth-last-of-type(1)
div:nth-of-type(2n)
x-item:nth-of-type(2)
x-item:last-of-type
my-widget
MY-WIDGET x-item
p:not(.admonition-title)
a:not([href])
li:not(:first-child)
span:not(.pre, .n)	css:span:not(.pre):not(.n)
div:empty
td:empty
p:empty
:root
p:contains("Python")
code:contains('re.')
li:contains(five)
*:contains("needle-in")
p:contains("a b c d e")
p:contains("b c d e")
li:has(> ul)
div:has(h2)
dl:has(dt.sig)
p:has(+ ul)
h2:has(~ div)
h1::text
p *::text
a::attr(href)
div ::attr(class)
title::text, h1::text
a[href]::attr(href)
li > a::attr(href), link::attr(href)
span.pre::text
dl > dt:nth-child(1)
h2 ~ p:nth-of-type(odd)
EOF

cat >differ.py <<'PYEOF'
import re
import sys

import html5lib
from cssselect import HTMLTranslator
from cssselect.parser import FunctionalPseudoElement
from cssselect.xpath import XPathExpr as OrigXPathExpr
from lxml import etree

SKIP = {"script", "style", "template"}
WS = re.compile(r"[ \t\n\r\f]+")


def collapse(s):
    return WS.sub(" ", s).strip(" ")


def element_text(top):
    parts = []
    todo = [(top, 0)]
    while todo:
        el, phase = todo.pop()
        if phase == 1:
            parts.append(el.tail or "")
            continue
        skip = el is not top and (not isinstance(el.tag, str)
                                  or el.tag in SKIP)
        if el is not top:
            todo.append((el, 1))
        if skip:
            continue
        parts.append(el.text or "")
        for c in reversed(list(el)):
            todo.append((c, 0))
    return collapse("".join(parts))


def zs_contains(context, nodes, needle):
    return any(needle in element_text(n) for n in nodes
               if isinstance(n, etree._Element))


fns = etree.FunctionNamespace("urn:zscrape")
fns.prefix = "zs"
fns["contains"] = zs_contains


class XPathExpr(OrigXPathExpr):
    """parsel's XPathExpr: text nodes and attributes at the end."""
    textnode = False
    attribute = None

    @classmethod
    def from_xpath(cls, xpath, textnode=False, attribute=None):
        x = cls(path=xpath.path, element=xpath.element,
                condition=xpath.condition)
        x.textnode = textnode
        x.attribute = attribute
        return x

    def __str__(self):
        path = super().__str__()
        if self.textnode:
            if path == "*":
                path = "text()"
            elif path.endswith("::*/*"):
                path = path[:-3] + "text()"
            else:
                path += "/text()"
        if self.attribute is not None:
            if path.endswith("::*/*"):
                path = path[:-2]
            path += "/@%s" % self.attribute
        return path

    def join(self, combiner, other, *args, **kwargs):
        super().join(combiner, other, *args, **kwargs)
        self.textnode = other.textnode
        self.attribute = other.attribute
        return self


class Translator(HTMLTranslator):
    def xpath_element(self, selector):
        return XPathExpr.from_xpath(super().xpath_element(selector))

    def xpath_pseudo_element(self, xpath, pseudo):
        if isinstance(pseudo, FunctionalPseudoElement):
            assert pseudo.name == "attr"
            return XPathExpr.from_xpath(
                xpath, attribute=pseudo.arguments[0].value)
        assert pseudo == "text"
        return XPathExpr.from_xpath(xpath, textnode=True)

    def xpath_contains_function(self, xpath, function):
        value = function.arguments[0].value
        return xpath.add_condition(
            "zs:contains(., %s)" % self.xpath_literal(value))


def esc(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r")
            .replace('"', '\\"'))


def local(name):
    return name.split("}", 1)[1] if name.startswith("{") else name


def dump(page, idx, xp, root, out):
    out.append("== %s\t%d" % (page, idx))
    for r in root.xpath(xp):
        if isinstance(r, etree._Element):
            attrs = " ".join('%s="%s"' % (local(k), esc(v))
                             for k, v in r.attrib.items())
            out.append("%s\t%s\t%s" % (r.tag.lower(), attrs,
                                       esc(element_text(r))))
        elif r.is_attribute:
            out.append("@%s\t\t%s" % (local(r.attrname), esc(str(r))))
        else:
            out.append("#text\t\t%s" % esc(str(r)))


def main():
    sels = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line:
                continue
            css, _, alt = line.partition("\t")
            t = Translator()
            if alt.startswith("xpath:"):
                sels.append(alt[6:])
            else:
                sels.append(t.css_to_xpath(alt[4:] if alt else css))
    out = []
    for page in sys.argv[2:]:
        with open(page, "rb") as f:
            doc = html5lib.parse(f.read(), treebuilder="lxml",
                                 namespaceHTMLElements=False)
        root = doc.getroot()
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag.startswith("{"):
                el.tag = local(el.tag)
        for i, xp in enumerate(sels):
            dump(page, i, xp, root, out)
    sys.stdout.write("\n".join(out) + "\n")


main()
PYEOF

# the fixed sample: every 10th page of the sorted corpus
find "$CORPUS" -name '*.html' | LC_ALL=C sort >all-pages
if [ "${ZS_DIFF_PAGES:-}" = all ]; then
    cp all-pages pages
else
    awk 'NR % 10 == 1' all-pages >pages
fi
ls "$ROOT"/tests/fixtures/select/*.html >>pages
npages=$(wc -l <pages)
nsel=$(grep -c . selectors.tsv)
[ "$nsel" -ge 60 ] || fail "only $nsel selectors"

cut -f1 selectors.tsv >selectors.css
xargs -d '\n' "$DUMP" -s selectors.css <pages >ours.txt ||
    fail "select_dump failed"
xargs -d '\n' $PY differ.py selectors.tsv <pages >theirs.txt ||
    fail "the Python side failed"
grep '^!!' ours.txt && fail "a selector did not compile"

if ! diff -u theirs.txt ours.txt >diff.txt; then
    note "lines starting '-' are lxml+cssselect, '+' are ours:"
    head -n 80 diff.txt >&2
    fail "$(grep -c '^[-+][^-+]' diff.txt) lines differ"
fi
matches=$(grep -vc '^== ' ours.txt || true)
empty=0
for i in $(seq 0 $((nsel - 1))); do
    n=$(awk -F'\t' -v i="$i" '/^== /{on = ($2 == i); next} on' ours.txt |
        wc -l)
    [ "$n" -gt 0 ] || { note "no page matches selector $((i + 1))"; \
        empty=$((empty + 1)); }
done
note "$nsel selectors x $npages pages: $matches matches agree" \
     "($empty selectors match nothing anywhere)"
exit 0
