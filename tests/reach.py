#!/usr/bin/env python3
"""reach.py ROOT BASE [START]: the URLs a link-following crawl must reach.

An independent model (python3's standard library only) of crawling a
static site that nginx serves from the folder ROOT at the URL BASE
(http://HOST:PORT), from BASE/START (default index.html), with an
unlimited --depth, --scope host and the default rules (follow every
a[href]).  Prints one line a reachable URL, sorted:

    URL <TAB> KIND <TAB> FINAL_URL

URL is normalized as the contract's seen set is; KIND is what nginx
answers (with the default config of tests/lib.sh: root ROOT, no autoindex,
/etc/nginx/mime.types, default_type application/octet-stream):
    html      200, text/html (the crawler parses it and follows its links)
    other     200, another type (a record with error not_html)
    missing   404 (a record with error http)
    forbidden 403: a folder without index.html (a record with error http)
FINAL_URL is URL, or for a folder named without its trailing '/' the
URL with it (nginx answers 301 to it; the crawler follows the redirect
and records the URL it dispatched, with that final_url).

The model:
  - a page's links are the href of every <a> element that has one (the
    first href when an element has two), with character references
    decoded (html.parser does that), leading and trailing ASCII
    whitespace stripped and ASCII tab and newline removed (the URL
    standard), resolved with urllib.parse.urljoin against the page's
    final URL, or against its first <base href> when it has one;
  - the fragment is dropped; only http and https URLs on BASE's scheme,
    host and port are kept (--scope host; a link to "localhost" while
    BASE says 127.0.0.1 is another host);
  - normalization: scheme and host lower case, default port dropped,
    dot segments removed (urljoin), empty path "/", percent-encoding of
    path and query normalized: %XX of an unreserved character (ALPHA,
    DIGIT, '-', '.', '_', '~') decoded, other %XX upper-cased, spaces,
    control characters and non-ASCII characters (UTF-8) encoded;
  - a URL maps to a file by its percent-decoded path (query ignored, as
    nginx serves static files); a path ending in '/' means its
    index.html; links are followed only from files nginx serves as
    text/html (by extension, from /etc/nginx/mime.types);
  - pages are decoded as UTF-8 (errors replaced): the files here declare
    utf-8 in a <meta> charset, which is what the crawler's sniffing finds.
Breadth first from START; every URL is listed once.

Left out, on purpose:
  - URLs in other elements (<link href>, <img src>, <script src>, <area
    href>): without a follow rule the crawler follows a[href] only;
  - mailto:, javascript:, data: and other non-http links, and other hosts
    (--scope host);
  - robots.txt: not modeled; the folders served have none, so nginx gives
    404 and the crawler must allow everything;
  - the HTML standard's parsing corners where html.parser differs: it
    reads <a href> inside <title>, <textarea>, <noscript> and <template>
    as a tag (only <script> and <style> are raw text to it).  The Python
    documentation has no <a> in any of them (its one <noscript> holds only
    text), so the two agree there.
"""
import os
import re
import sys
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit, unquote_to_bytes

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                 b"0123456789-._~")


def norm_pct(s):
    """Normalize the percent-encoding of a path or query string."""
    out = []
    b = s.encode("utf-8", "surrogateescape")
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25 and re.match(rb"[0-9A-Fa-f]{2}\Z", b[i + 1:i + 3]):
            v = int(b[i + 1:i + 3], 16)
            if v in UNRESERVED:
                out.append(chr(v))
            else:
                out.append("%%%02X" % v)
            i += 3
            continue
        if c <= 0x20 or c >= 0x7f:
            out.append("%%%02X" % c)
        else:
            out.append(chr(c))
        i += 1
    return "".join(out)


def normalize(url):
    """The normal form of an absolute URL, or None if not http(s)."""
    u = urlsplit(url)
    scheme = u.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    host = (u.hostname or "").lower()
    if not host:
        return None
    try:
        port = u.port
    except ValueError:
        return None
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        netloc = host
    else:
        netloc = "%s:%d" % (host, port)
    path = norm_pct(u.path) or "/"
    query = norm_pct(u.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def clean_href(h):
    """What the URL standard does to an href before parsing it."""
    h = h.strip(" \t\n\f\r")
    return h.replace("\t", "").replace("\n", "").replace("\r", "")


class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []
        self.base = None

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def _tag(self, tag, attrs):
        href = None
        for k, v in attrs:
            if k == "href":
                href = v if v is not None else ""
                break
        if href is None:
            return
        if tag == "a":
            self.hrefs.append(href)
        elif tag == "base" and self.base is None:
            self.base = href


def mime_types(path="/etc/nginx/mime.types"):
    types = {}
    try:
        text = open(path).read()
    except OSError:
        text = "text/html html htm shtml;"
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(r"([\w.+-]+/[\w.+-]+)\s+([^;{}]+);", text):
        for ext in m.group(2).split():
            types[ext.lower()] = m.group(1)
    return types


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: reach.py ROOT BASE [START]")
    root = os.path.abspath(sys.argv[1])
    base = sys.argv[2].rstrip("/")
    start = sys.argv[3] if len(sys.argv) == 4 else "index.html"
    types = mime_types()
    origin = normalize(base + "/")[:-1]      # "http://host:port"

    def serve(url):
        """(kind, final_url, file) for a normalized URL on our origin."""
        path = urlsplit(url).path
        fs = os.path.join(root, unquote_to_bytes(path).decode(
            "utf-8", "surrogateescape").lstrip("/"))
        final = url
        if not path.endswith("/") and os.path.isdir(fs):
            u = urlsplit(url)
            final = urlunsplit((u.scheme, u.netloc, u.path + "/", u.query,
                                ""))
            path += "/"
        if path.endswith("/"):
            if not os.path.isdir(fs):
                return "missing", final, None
            fs = os.path.join(fs, "index.html")
            if not os.path.isfile(fs):
                return "forbidden", final, None
        if not os.path.isfile(fs):
            return "missing", final, None
        ext = os.path.basename(fs).rpartition(".")[2].lower() \
            if "." in os.path.basename(fs) else ""
        kind = "html" if types.get(ext) == "text/html" else "other"
        return kind, final, fs

    first = normalize(base + "/" + start.lstrip("/"))
    seen = {first: None}
    queue = deque([first])
    while queue:
        url = queue.popleft()
        kind, final, fs = serve(url)
        seen[url] = (kind, final)
        if kind != "html":
            continue
        p = Links()
        with open(fs, "rb") as f:
            p.feed(f.read().decode("utf-8", "replace"))
        p.close()
        page_base = final
        if p.base is not None:
            page_base = urljoin(final, clean_href(p.base))
        for h in p.hrefs:
            n = normalize(urljoin(page_base, clean_href(h)))
            if n is None or not n.startswith(origin + "/"):
                continue
            if n not in seen:
                seen[n] = None
                queue.append(n)
    for url in sorted(seen):
        kind, final = seen[url]
        print("%s\t%s\t%s" % (url, kind, final))


if __name__ == "__main__":
    main()
