#!/usr/bin/env python3
"""gen-pages.py: write COUNT small distinct HTML pages for the e2e tests.

    gen-pages.py DIR COUNT [--base URL] [--seeds FILE] [--links K]

Page i is DIR/NNNN.html (NNNN = i, from 1, zero-padded to 4 digits) with
<title>Page NNNN</title>, an <h1>, a paragraph that differs per page, and
K links (default 2) to the next pages (i+1 .. i+K, wrapping), as relative
hrefs.  With --seeds, FILE gets BASE + "NNNN.html" for each page, one a
line (BASE should end with '/').  Deterministic: same arguments, same bytes.
"""
import argparse
import os


def page(i, count, links):
    hrefs = ["%04d.html" % ((i - 1 + k) % count + 1)
             for k in range(1, links + 1)]
    body = "\n".join('<li><a href="%s">to %s</a></li>' % (h, h[:4])
                     for h in hrefs)
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            "<title>Page %04d</title></head>\n<body><h1>Page %04d</h1>\n"
            "<p>Body of page %d, square %d.</p>\n<ul>\n%s\n</ul>\n"
            "</body></html>\n" % (i, i, i, i * i, body))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("count", type=int)
    ap.add_argument("--base", default="")
    ap.add_argument("--seeds")
    ap.add_argument("--links", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for i in range(1, a.count + 1):
        with open(os.path.join(a.dir, "%04d.html" % i), "w") as f:
            f.write(page(i, a.count, a.links))
    if a.seeds:
        with open(a.seeds, "w") as f:
            for i in range(1, a.count + 1):
                f.write("%s%04d.html\n" % (a.base, i))


if __name__ == "__main__":
    main()
