#!/usr/bin/env python3
"""gen-broad.py OUTDIR --port PORT [options]: the broad site of issue #12.

Many hosts on one nginx: host i is hI.localhost (libcurl resolves every
*.localhost name to the loopback itself, no DNS or /etc/hosts needed),
its files in OUTDIR/hI.localhost/ (nginx serves `root OUTDIR/$host`, see
tests/broad-site.conf): pK.html for K < --pages, and a robots.txt that
allows everything (no Crawl-delay, no Sitemap line).  Each page is a
small HTML page with <title>hI pK</title> and --same links to pages of
its host and --other links to pages of other hosts, absolute URLs
http://hJ.localhost:PORT/pK.html (the port is nginx's: generate the site
after nginx has its port; nginx serves files created after it started).

How links are drawn (a PRNG with a fixed seed: same options, same site,
byte for byte): every host I gets a size n_I drawn uniformly from
1..--pages, and links to host I only ever name one of its first n_I
pages.  The other pages exist but nothing links to them (orphans, as
real sites have).  A page's same-host links are distinct pages of the
first n_I of its own host (not itself, while there are others); its
other-host links go to distinct hosts drawn uniformly, each to a page
drawn uniformly from that host's first n_J.  With 25 links to other
hosts a page, every host is reached within a few hops, so the reachable
site is about the sum of the n_I: half the pages on average (the issue's
site: 5,260 of 10,000; this generator's defaults, seed 1: 5,265).

The crawl starts at the seed, h0.localhost's p0.html (always reachable).
Prints one line of key=value facts: hosts, pages, files, reachable
(pages reachable from the seed), hosts_reached, max_host_pages (the most
reachable pages of one host), links, seed_url.

Options:
  --hosts N     hosts (default 500)
  --pages N     pages a host (default 20)
  --same N      links a page to pages of its own host (default 3)
  --other N     links a page to pages of other hosts (default 25)
  --seed S      PRNG seed (default 1)
  --list FILE   write the URLs reachable from the seed, one a line, in
                breadth-first order from the seed
  --domain D    host names hI.D (default localhost; another domain needs
                the names resolved, e.g. by /etc/netns/NS/hosts)
"""
import argparse
import os
import random
import sys
from collections import deque


DOMAIN = "localhost"


def host_name(i):
    return "h%d.%s" % (i, DOMAIN)


def positive(s):
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError("'%s' is not a number" % s)
    if v < 0:
        raise argparse.ArgumentTypeError("'%s' is negative" % s)
    return v


def draw(a, rng):
    """The link graph: {(host, page): [(host, page), ...]} in link order,
    and each host's linked size n."""
    size = [rng.randint(1, a.pages) for _ in range(a.hosts)]
    links = {}
    others = a.other if a.hosts > 1 else 0
    for h in range(a.hosts):
        for k in range(a.pages):
            out = []
            own = [p for p in range(size[h]) if p != k] or [k]
            for p in rng.sample(own, min(a.same, len(own))):
                out.append((h, p))
            cand = rng.sample(range(a.hosts - 1), min(others, a.hosts - 1))
            for j in cand:
                j = j + 1 if j >= h else j      # any host but h
                out.append((j, rng.randrange(size[j])))
            links[(h, k)] = out
    return links, size


def reachable(links, seed):
    seen = {seed}
    order = [seed]
    todo = deque([seed])
    while todo:
        u = todo.popleft()
        for v in links[u]:
            if v not in seen:
                seen.add(v)
                order.append(v)
                todo.append(v)
    return order


def main():
    ap = argparse.ArgumentParser(
        description="the broad site of issue #12 (many *.localhost hosts)")
    ap.add_argument("out")
    ap.add_argument("--port", type=positive, required=True)
    ap.add_argument("--hosts", type=positive, default=500)
    ap.add_argument("--pages", type=positive, default=20)
    ap.add_argument("--same", type=positive, default=3)
    ap.add_argument("--other", type=positive, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--list")
    ap.add_argument("--domain", default="localhost")
    a = ap.parse_args()
    global DOMAIN
    DOMAIN = a.domain
    if a.hosts < 1 or a.pages < 1:
        ap.error("--hosts and --pages must be at least 1")
    if not 0 < a.port < 65536:
        ap.error("--port %d is not a TCP port" % a.port)

    rng = random.Random(a.seed)
    links, size = draw(a, rng)

    def url(hp):
        return "http://%s:%d/p%d.html" % (host_name(hp[0]), a.port, hp[1])

    nlinks = 0
    for h in range(a.hosts):
        d = os.path.join(a.out, host_name(h))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "robots.txt"), "w") as f:
            f.write("# the broad site: everything allowed\n"
                    "User-agent: *\nDisallow:\n")
        for k in range(a.pages):
            out = links[(h, k)]
            nlinks += len(out)
            body = "".join('<li><a href="%s">h%d p%d</a></li>\n'
                           % (url(v), v[0], v[1]) for v in out)
            with open(os.path.join(d, "p%d.html" % k), "w") as f:
                f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                        "<title>h%d p%d</title></head>\n<body><h1>Host %d, "
                        "page %d</h1>\n<p>A page of the broad site "
                        "(tests/gen-broad.py).</p>\n<ul>\n%s</ul>\n"
                        "</body></html>\n" % (h, k, h, k, body))

    order = reachable(links, (0, 0))
    if a.list:
        with open(a.list, "w") as f:
            for hp in order:
                f.write(url(hp) + "\n")
    per_host = {}
    for h, _ in order:
        per_host[h] = per_host.get(h, 0) + 1
    print("hosts=%d pages=%d files=%d reachable=%d hosts_reached=%d "
          "max_host_pages=%d links=%d seed_url=%s" % (
              a.hosts, a.pages, a.hosts * a.pages, len(order),
              len(per_host), max(per_host.values()), nlinks, url((0, 0))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
