#!/usr/bin/env python3
"""gen-shop.py OUT_DIR N [--seed S] [--list FILE]: the CPU-bound benchmark's
site, a deterministic shop of N product pages of 20-40 KB each.

Page 0 is OUT_DIR/index.html; page i > 0 is OUT_DIR/cDD/pI.html (100
folders).  Every product page has a product block (h1.title, span.price,
ul.tags li, img.main), a description, a specification table, reviews
(padding to a random size of 20,000-40,000 bytes) and 20-50 links: a few
navigation links, the page's children in a 20-ary tree under the index
(page i links to pages 20i+1 .. 20i+20, so every page is reachable from
the index within 4 levels), then "related products" picked at random.
Link forms: relative ("p7.html", "../c07/p7.html") and absolute-path
("/c07/p7.html"), some with a fragment ("#reviews"); every one names a
page of the site (no query strings, no other hosts, no missing pages),
so a crawler that follows every a[href] fetches each page exactly once.
The text of the five extracted fields is plain (ASCII, single spaces) so
that tools can be compared field by field; the rest of the page has
entities, UTF-8 and inline script and style like a real shop page.
"""
import argparse
import os
import random

WORDS = ("alpha anchor amber arch aspen atlas aurora autumn azure badge "
         "balsam basil beacon birch bloom bolt bramble brass breeze brick "
         "bronze cactus canyon carbon cedar chalk cherry cinder citrus clay "
         "clover cobalt comet copper coral cotton crane crimson crystal "
         "cypress dawn delta desert drift dune ember falcon fern field fig "
         "flint forest frost garnet ginger glacier granite grove harbor "
         "hazel heath hollow honey indigo iris island ivory jade jasper "
         "juniper kelp lagoon lantern laurel lava lemon lilac linen lotus "
         "maple marble meadow mesa mint mist moss nectar nova oak oasis "
         "ochre olive onyx opal orchid otter pearl pebble pepper pine plum "
         "prairie quartz quill rain raven reef ridge river robin rose ruby "
         "rust saffron sage salt sand sapphire shadow shore sienna silver "
         "slate snow spruce stone storm summit sun swift thistle thunder "
         "tide timber topaz tulip tundra umber valley velvet violet walnut "
         "willow wind winter wren yarrow zephyr").split()
NOUNS = ("Desk Chair Lamp Shelf Table Sofa Stool Cabinet Mirror Rug Vase "
         "Clock Bench Bed Dresser Kettle Mug Plate Bowl Knife Pan Pot "
         "Blanket Pillow Towel Basket Crate Frame Candle Speaker").split()
TAGS = ("new sale eco handmade bestseller limited classic modern vintage "
        "premium compact outdoor indoor kids gift bundle refurbished "
        "organic wireless waterproof").split()


def page_path(i):
    if i == 0:
        return "index.html"
    return "c%02d/p%d.html" % (i % 100, i)


def href(rng, src, i):
    """A link from page path src to page i, in a random form."""
    dst = page_path(i)
    form = rng.randrange(6)
    if form <= 1:
        h = "/" + dst
    elif "/" in src and dst.split("/")[0] == src.split("/")[0]:
        h = dst.split("/")[1]
    elif "/" in src:
        h = "../" + dst
    else:
        h = dst
    if rng.randrange(8) == 0:
        h += "#reviews"
    return h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--list")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    n = a.n
    # a pool of paragraphs: pages are assembled from it (fast, and still
    # different from page to page)
    paras = []
    for k in range(600):
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 140))]
        words[0] = words[0].capitalize()
        for j in range(8, len(words), rng.randint(9, 16)):
            words[j] += rng.choice([",", ".", ";", " &amp;", " \u2013"])
        if k % 5 == 0:
            words.insert(rng.randrange(len(words)),
                         "<em>%s</em>" % rng.choice(WORDS))
        if k % 7 == 0:
            words.insert(rng.randrange(len(words)),
                         "caf\u00e9 na\u00efve &nbsp;\u00bd")
        paras.append(" ".join(words) + ".")
    total = 0
    os.makedirs(a.out, exist_ok=True)
    for k in range(100):
        os.makedirs(os.path.join(a.out, "c%02d" % k), exist_ok=True)
    for i in range(n):
        src = page_path(i)
        name = "%s %s %d" % (rng.choice(WORDS).capitalize(),
                             rng.choice(NOUNS), i)
        price = "$%d.%02d" % (rng.randint(3, 1999), rng.randrange(100))
        tags = rng.sample(TAGS, rng.randint(2, 6))
        target = rng.randint(20000, 40000)
        nlinks = rng.randint(20, 50)
        nav = [0] + [rng.randrange(1, min(n, 101)) for _ in range(3)]
        kids = [j for j in range(20 * i + 1, 20 * i + 21) if j < n]
        links = nav + kids
        while len(links) < nlinks:
            links.append(rng.randrange(n))
        links = links[:max(nlinks, len(nav) + len(kids))]
        parts = [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width">\n'
            '<title>%s \u2013 Example Shop</title>\n'
            '<link rel="stylesheet" href="/static/shop.css">\n'
            '<style>.product{display:flex}.price{color:#b00}'
            '.tags li{display:inline}</style>\n'
            '<script>window.dataLayer=window.dataLayer||[];'
            'dataLayer.push({"page":"product","id":%d,"price":"%s"});'
            '</script>\n</head>\n<body class="product-page">\n'
            % (name, i, price),
            '<header><nav class="top"><ul>',
        ]
        for j in links[:len(nav)]:
            parts.append('<li><a href="%s">%s</a></li>'
                         % (href(rng, src, j),
                            "Home" if j == 0 else "Category %d" % j))
        parts.append('</ul></nav></header>\n<main>\n'
                     '<div class="product" id="product-%d" '
                     'data-sku="SKU-%06d">\n' % (i, i))
        parts.append('<h1 class="title">%s</h1>\n' % name)
        parts.append('<div class="pricing"><span class="price">%s</span> '
                     '<span class="old-price">$%d.00</span> '
                     '<span class="badge">In stock</span></div>\n'
                     % (price, rng.randint(2000, 2999)))
        parts.append('<ul class="tags">%s</ul>\n' % "".join(
            "<li>%s</li>" % t for t in tags))
        parts.append('<div class="gallery"><img class="main" '
                     'src="/img/p%d.jpg" alt="%s" width="600" height="400">'
                     '<img class="thumb" src="/img/p%d-2.jpg" alt="">'
                     '</div>\n' % (i, name, i))
        parts.append('<div class="description">\n')
        size = sum(len(p) for p in parts)
        for k in range(3):
            p = rng.choice(paras)
            parts.append("<p>%s</p>\n" % p)
            size += len(p) + 8
        parts.append('</div>\n<table class="specs">\n')
        for k in range(rng.randint(6, 14)):
            parts.append('<tr><th>%s</th><td>%d %s</td></tr>\n'
                         % (rng.choice(WORDS).capitalize(),
                            rng.randint(1, 500), rng.choice(WORDS)))
        parts.append('</table>\n</div>\n<section class="related">'
                     '<h2>Related products</h2>\n<ul>\n')
        for j in links[len(nav):]:
            parts.append('<li class="item"><a href="%s">%s %s</a> '
                         '<span class="price">$%d</span></li>\n'
                         % (href(rng, src, j), rng.choice(NOUNS), j,
                            rng.randint(3, 999)))
        parts.append('</ul>\n</section>\n<section class="reviews" '
                     'id="reviews">\n<h2>Reviews</h2>\n')
        size = sum(len(p) for p in parts) + 200
        r = 0
        while size < target:
            p = rng.choice(paras)
            chunk = ('<div class="review"><div class="stars" data-n="%d">'
                     '&#9733;&#9733;&#9733;</div><p class="who">%s %s</p>'
                     '<p>%s</p></div>\n'
                     % (rng.randint(1, 5), rng.choice(WORDS).capitalize(),
                        rng.choice(WORDS).capitalize(), p))
            parts.append(chunk)
            size += len(chunk)
            r += 1
        parts.append('</section>\n</main>\n<footer><p>&copy; Example Shop'
                     ' \u2013 all prices include VAT</p></footer>\n'
                     '</body>\n</html>\n')
        data = "".join(parts).encode("utf-8")
        total += len(data)
        path = os.path.join(a.out, src)
        with open(path, "wb") as f:
            f.write(data)
    if a.list:
        with open(a.list, "w") as f:
            for i in range(n):
                f.write("/%s\n" % page_path(i))
    print("pages=%d bytes=%d" % (n, total))


if __name__ == "__main__":
    main()
