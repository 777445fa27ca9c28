#!/usr/bin/env python3
"""gen-demo-site.py: (re)write demo/site, the bundled sample bookshop.

    gen-demo-site.py [DIR]          (default: demo/site beside this repo)

30 linked pages (index, about, 4 categories x 2 pages, 20 books) and a few
tiny PNGs.  Every page is reachable from / by following a[href] links
within 3 levels: index (0) -> category page 1, about, featured books (1)
-> books on page 1, category page 2 (2) -> books on page 2 (3).
Deterministic: same output every run; the result is committed.
"""
import os
import struct
import sys
import zlib

CATS = [
    ("fiction", "Fiction", (200, 60, 60), [
        ("The Glass Orchard", "Mira Ellison", "12.99", ["novel", "literary"]),
        ("Salt and Lanterns", "Tomas Reyes", "9.50", ["novel", "sea"]),
        ("A Map of Quiet Rooms", "Ada Whitlock", "14.00",
         ["literary", "family"]),
        ("The Clockmaker's Daughter", "Ines Barlow", "11.25",
         ["historical", "novel"]),
        ("Nine Winters", "Oskar Lind", "8.99", ["short stories"]),
    ]),
    ("science", "Science", (60, 120, 200), [
        ("Small Worlds: A Field Guide to Microbes", "Dr. Hana Okoye", "19.99",
         ["biology", "illustrated"]),
        ("The Patient Universe", "Lewis Carrow", "16.50",
         ["astronomy", "physics"]),
        ("Rivers Under Ice", "Signe Halvorsen", "22.00",
         ["geology", "climate"]),
        ("Counting Sheep & Other Proofs", "R. Q. Patel", "13.75",
         ["mathematics", "puzzles"]),
        ("How Bridges Stand", "Marta Kowalczyk", "18.40",
         ["engineering"]),
    ]),
    ("history", "History", (120, 90, 40), [
        ("The Amber Road", "Jonas Pietrauskas", "21.00",
         ["trade", "medieval"]),
        ("Ink and Empire", "Farah Siddiqui", "17.99", ["printing", "empire"]),
        ("The Last Lighthouse Keepers", "Niamh Doyle", "15.00",
         ["maritime", "oral history"]),
        ("Stone, Bread and Salt", "Paolo Ferri", "24.50",
         ["food", "ancient"]),
        ("A Short History of Long Walks", "Ruth Ambler", "10.99",
         ["travel", "essays"]),
    ]),
    ("children", "Children", (80, 170, 90), [
        ("Pip and the Paper Moon", "Lotte Brandt", "6.99",
         ["picture book", "bedtime"]),
        ("The Owl Who Counted Stars", "Kwame Asante", "7.50",
         ["picture book", "numbers"]),
        ("Treehouse Detectives", "Bea Morales", "8.25", ["mystery", "ages 8+"]),
        ("Giants Are Terrible at Hide-and-Seek", "Finn O'Rourke", "6.50",
         ["funny", "picture book"]),
        ("Maps for Small Explorers", "Yuki Tanaka", "9.99",
         ["activity", "geography"]),
    ]),
]
FEATURED = [("fiction", 0), ("science", 1), ("children", 2)]
PER_PAGE = 3
SHOP = "Quire &amp; Quill Books"


def slug(title):
    out = []
    for ch in title.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def esc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("'", "&#39;"))


def png(rgb, w=8, h=8):
    """A tiny solid-colour RGB PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    row = b"\x00" + bytes(rgb) * w
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(row * h, 9)) +
            chunk(b"IEND", b""))


def layout(title, up, body):
    """A whole page; up is the path prefix to the site root ('' or '../')."""
    return """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%s &mdash; Quire &amp; Quill</title>
<link rel="stylesheet" href="%sstyle.css">
</head>
<body>
<header><a href="/"><img class="logo" src="%simg/logo.png" alt=""> %s</a></header>
%s
<footer><a href="%sabout.html">About us</a> &middot; &copy; 2024 %s</footer>
</body>
</html>
""" % (title, up, up, SHOP, body, up, SHOP)


def cat_pages(cat):
    key, _, _, books = cat
    n = (len(books) + PER_PAGE - 1) // PER_PAGE
    return ["%s.html" % key if p == 1 else "%s-%d.html" % (key, p)
            for p in range(1, n + 1)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.normpath(os.path.join(here, "..", "demo", "site"))
    os.makedirs(os.path.join(out, "img"), exist_ok=True)

    # index
    cats = "\n".join('<li><a href="category/%s.html">%s</a></li>'
                     % (k, name) for k, name, _, _ in CATS)
    feat = []
    for key, i in FEATURED:
        c = [c for c in CATS if c[0] == key][0]
        t, a, p, _ = c[3][i]
        feat.append('<li class="book"><a href="book/%s.html">%s</a> by %s '
                    '<span class="price">&pound;%s</span></li>'
                    % (slug(t), esc(t), esc(a), p))
    write(os.path.join(out, "index.html"), layout("Home", "", """<main>
<h1 class="title">Welcome to %s</h1>
<p>An independent bookshop since 1987. Browse by category:</p>
<ul class="categories">
%s
</ul>
<h2>Staff picks</h2>
<ul class="books featured">
%s
</ul>
</main>""" % (SHOP, cats, "\n".join(feat))))

    # about
    write(os.path.join(out, "about.html"), layout("About us", "", """<main>
<h1 class="title">About us</h1>
<p>We are a small shop with a large back room. Write to us at
<a href="mailto:books@quire-and-quill.example">books@quire-and-quill.example</a>
or come by: 12&nbsp;Lantern Lane.</p>
<p><a href="/">Back to the shop</a></p>
</main>"""))

    # categories and books
    for cat in CATS:
        key, name, rgb, books = cat
        pages = cat_pages(cat)
        for p, fname in enumerate(pages, 1):
            chunk = books[(p - 1) * PER_PAGE:p * PER_PAGE]
            items = "\n".join(
                '<li class="book"><a href="../book/%s.html">%s</a> '
                '<span class="price">&pound;%s</span></li>'
                % (slug(t), esc(t), pr) for t, _, pr, _ in chunk)
            pager = []
            if p > 1:
                pager.append('<a class="prev" href="%s">Previous page</a>'
                             % pages[p - 2])
            if p < len(pages):
                pager.append('<a class="next" href="%s">Next page</a>'
                             % pages[p])
            write(os.path.join(out, "category", fname), layout(
                "%s, page %d" % (name, p), "../", """<main>
<h1 class="title">%s</h1>
<p>Page %d of %d</p>
<ul class="books">
%s
</ul>
<nav class="pager">%s</nav>
</main>""" % (name, p, len(pages), items, " ".join(pager))))
        for i, (t, a, pr, tags) in enumerate(books):
            page1 = pages[i // PER_PAGE]
            tl = "\n".join("<li>%s</li>" % esc(x) for x in tags)
            write(os.path.join(out, "book", slug(t) + ".html"), layout(
                esc(t), "../", """<nav class="crumbs"><a href="/">Home</a> &rsaquo;
<a href="../category/%s">%s</a></nav>
<main class="product">
<h1 class="title">%s</h1>
<p class="author">by %s</p>
<img class="main" src="../img/%s.png" alt="Cover of %s">
<p>Price: <span class="price">&pound;%s</span></p>
<ul class="tags">
%s
</ul>
<p class="description">A %s title from our %s shelves, chosen by the staff.</p>
</main>""" % (page1, name, esc(t), esc(a), key, esc(t), pr, tl,
                  esc(tags[0]), name.lower())))
        with open(os.path.join(out, "img", key + ".png"), "wb") as f:
            f.write(png(rgb))
    with open(os.path.join(out, "img", "logo.png"), "wb") as f:
        f.write(png((30, 30, 30), 4, 4))
    write(os.path.join(out, "style.css"), """body { font-family: Georgia, serif; max-width: 40em; margin: 2em auto; }
header a { font-weight: bold; text-decoration: none; color: #333; }
.price { color: #a33; }
ul.tags li { display: inline; margin-right: .5em; font-size: small; }
img.main { width: 8em; height: 8em; image-rendering: pixelated; }
""")
    write(os.path.join(out, "robots.txt"), "User-agent: *\nDisallow:\n")


if __name__ == "__main__":
    main()
