#!/usr/bin/env python3
"""gen-site.py OUT_DIR N [options]: a deterministic site of N linked pages.

Page 0 is OUT_DIR/index.html; page i > 0 is OUT_DIR/sDD/tD/pI.html (in
200 folders, so relative links need '../' forms).  Every page has
<title>Page i</title> and 5 to 30 links to other pages of the site: page i
always links to pages 2i+1 and 2i+2 when they exist (so every page is
reachable from the index: the links form a binary tree under it), plus
random extra links from a PRNG with a fixed seed (same N and --seed, same
site, byte for byte).

Link forms, all resolving to a real file of the site:
  - relative ("p7.html", "../../s03/t1/p7.html", "./p7.html"),
  - absolute-path ("/s03/t1/p7.html"), some with a "dir/../" detour,
  - absolute URL on --base when given ("http://127.0.0.1:PORT/s03/..."),
  - any of these with a fragment ("#x", "#sec-3") or a fragment-only
    link to the page itself ("#top").
No link has a query string: nginx would serve the file for "p7.html?q=1"
but a crawler rightly counts it as another URL, and this site's point is
"every page once, nothing else".  Links to the index are always spelled
with "index.html" (never "/" - another URL for the same file).

Links a crawler must ignore or keep out of scope (on every 7th page):
mailto:, javascript:, tel:, data:, another host (http://other.invalid/,
http://localhost:PORT/ with --base: same server, another host name),
plus <link href> and <img src> naming files that do not exist (only
a[href] is followed by default: fetching them would add 404 records).

Options:
  --seed S        PRNG seed (default 4)
  --base URL      the site's base URL (for absolute-URL links; without it
                  there are none)
  --list FILE     write every page's URL path, one a line, index first
  --depth1 FILE   write the URL paths at link distance <= 1 from the index
                  (the index and the pages it links to), sorted
"""
import argparse
import os
import random
import sys
from urllib.parse import urlsplit


def page_path(i):
    """URL path (without the leading '/') of page i."""
    if i == 0:
        return "index.html"
    return "s%02d/t%d/p%d.html" % (i % 50, (i // 50) % 4, i)


def relative(src, dst):
    """A relative reference from page path src to page path dst."""
    return os.path.relpath(dst, os.path.dirname(src) or ".")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--base")
    ap.add_argument("--list")
    ap.add_argument("--depth1")
    a = ap.parse_args()
    if a.n < 1:
        sys.exit("gen-site.py: N must be >= 1")
    rng = random.Random(a.seed)
    base = a.base.rstrip("/") if a.base else None
    other = None
    if base:
        u = urlsplit(base)
        other = "%s://localhost:%d" % (u.scheme, u.port or 80)

    depth1 = {"/" + page_path(0)}
    for i in range(a.n):
        src = page_path(i)
        targets = [j for j in (2 * i + 1, 2 * i + 2) if j < a.n]
        want = rng.randint(5, 30)
        while len(targets) < want and a.n > 1:
            targets.append(rng.randrange(a.n))
        hrefs = []
        for j in targets:
            dst = page_path(j)
            form = rng.randrange(8)
            if form == 0 or form == 1:
                h = relative(src, dst)
            elif form == 2:
                h = "./" + relative(src, dst)
            elif form == 3 or form == 4:
                h = "/" + dst
            elif form == 5:
                # a detour through another folder and back
                h = "/s%02d/../%s" % (rng.randrange(50), dst)
            elif form == 6 and base:
                h = base + "/" + dst
            else:
                h = relative(src, dst)
            if rng.randrange(4) == 0:
                h += rng.choice(["#x", "#sec-%d" % rng.randrange(10), "#"])
            hrefs.append(h)
            if i == 0:
                depth1.add("/" + dst)
        extra = []
        if i % 7 == 3:
            hrefs += ["#top", "mailto:someone@example.invalid",
                      "javascript:void(0)", "tel:+15550100",
                      "data:text/html,<p>x</p>",
                      "http://other.invalid/%s" % src]
            if other:
                hrefs.append("%s/%s" % (other, src))
            extra = ['<link rel="stylesheet" href="/missing-%d.css">' % i,
                     '<img src="missing-%d.png" alt="">' % i]
        os.makedirs(os.path.join(a.out, os.path.dirname(src)), exist_ok=True)
        with open(os.path.join(a.out, src), "w") as f:
            f.write("<!DOCTYPE html>\n<html><head><title>Page %d</title>\n"
                    % i)
            f.write("".join(e + "\n" for e in extra[:1]))
            f.write("</head><body id=\"top\">\n<h1>Page %d</h1>\n" % i)
            f.write("".join(e + "\n" for e in extra[1:]))
            f.write("<ul>\n")
            for h in hrefs:
                f.write('<li><a href="%s">%s</a></li>\n'
                        % (h.replace("&", "&amp;").replace('"', "&quot;")
                           .replace("<", "&lt;"), "link"))
            f.write("</ul>\n</body></html>\n")

    if a.list:
        with open(a.list, "w") as f:
            for i in range(a.n):
                f.write("/%s\n" % page_path(i))
    if a.depth1:
        with open(a.depth1, "w") as f:
            for p in sorted(depth1):
                f.write(p + "\n")


if __name__ == "__main__":
    main()
