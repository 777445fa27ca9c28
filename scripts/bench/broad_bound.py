#!/usr/bin/env python3
"""broad_bound.py SITE SEED_URL --per-host N --delay MS [options]: the
earliest a polite crawler can finish the broad site (tests/gen-broad.py),
from the site's own link graph.

SITE is the generated folder (SITE/HOST/pK.html); the links are read
from the pages themselves (every href="http://..."), so the bound is of
the site nginx serves, whatever generated it.  SEED_URL is the crawl's
seed.

The model (issue #12), a discrete-event simulation:
  - a request to a page takes --page-s (0.1 s: tests/broad-site.conf's
    echo_sleep), one to robots.txt --robots-s (0: nginx answers it at
    once); nothing else costs time (no connection set-up, no parsing,
    no start-up);
  - a page's links are known when its request ends;
  - per host: robots.txt is its first request, and no page of the host
    starts before robots.txt has ended; at most --per-host requests run
    at once; consecutive starts (robots.txt's included) are at least
    --delay apart;
  - with --cap C, at most C requests run at once in all (zscrape's
    default --concurrency is 256);
  - every host's next request starts as early as these rules allow,
    its URLs in the order they were discovered (pages ending in time
    order, links in document order); with a cap, the request that became
    ready first gets the next free transfer (ties: discovery order).

Why, without a cap, no crawler obeying these rules can finish earlier:
a host's requests all take the same time, so serving them in the order
they become known (are released), each as early as the host's limits
allow, gives the host's k-th request the earliest start any order could
give it, for every k, given the times its URLs become known (the
classic exchange argument for identical jobs with release times: swap
two out of release order and no start gets earlier).  A URL becomes
known when the first page linking to it ends; the greedy schedule ends
every page as early as possible given the release times, which are
themselves the earliest possible ends of earlier pages: by induction in
time order, every page ends at its earliest possible time, and so does
the last one.  With a cap the transfers are a shared resource and
first-come-first-served is the model's schedule, not necessarily the
best one (a scheduler could favour pages that open new hosts); the
printed lower_s is a bound for any scheduler: the larger of the uncapped
schedule and the total request time divided by the cap.

Prints one line for scripts/bench/measure.py:
  bench: bound_s=S lower_s=S requests=N pages=N hosts=N
(lower_s is bound_s without --cap).  --schedule FILE writes the
schedule as an nginx access log of tests/lib.sh's broad format (times
from 1,000,000,000 s), which tests/politeness.py must judge polite.
"""
import argparse
import heapq
import os
import re
import sys
from collections import deque
from urllib.parse import urlsplit

HREF = re.compile(r'href="(https?://[^"#]+)"')
INF = float("inf")


def host_of(url):
    return (urlsplit(url).hostname or "").lower()


class Site:
    """The link graph, read lazily from SITE/HOST/PATH."""

    def __init__(self, root):
        self.root = root
        self.cache = {}

    def links(self, url):
        if url not in self.cache:
            u = urlsplit(url)
            path = os.path.join(self.root, (u.hostname or "").lower(),
                                u.path.lstrip("/"))
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    self.cache[url] = HREF.findall(f.read())
            except OSError:
                self.cache[url] = []        # a 404: no links
        return self.cache[url]


class Host:
    __slots__ = ("name", "queue", "robots", "running", "last_start", "ver")

    def __init__(self, name):
        self.name = name
        self.queue = deque()        # (seq, url) not started, in order
        self.robots = 0             # 0 not asked, 1 running, 2 done
        self.running = 0
        self.last_start = -INF
        self.ver = 0


def simulate(site, seed, per_host, delay, page_s, robots_s, cap=None,
             schedule=None):
    """(makespan, requests, pages, hosts, busy seconds)"""
    hosts = {}
    seen = set()
    events = []             # (end, n, host, url or None for robots.txt)
    ready = []              # (time, seq, ver, host name)
    n = [0, 0]              # discovery counter, event counter
    running = [0]
    stats = {"requests": 0, "pages": 0, "busy": 0.0, "end": 0.0}

    def update(h, t):
        """Queue host h's next request at the earliest time allowed."""
        h.ver += 1
        if not h.queue or h.robots == 1:
            return
        if h.robots == 2 and h.running >= per_host:
            return
        if h.robots == 0 and h.running:
            return
        heapq.heappush(ready, (max(t, h.last_start + delay), h.queue[0][0],
                               h.ver, h.name))

    def discover(url, t):
        if url in seen:
            return
        seen.add(url)
        name = host_of(url)
        h = hosts.get(name)
        if h is None:
            h = hosts[name] = Host(name)
        n[0] += 1
        h.queue.append((n[0], url))
        if len(h.queue) == 1:
            update(h, t)

    def start(h, t):
        if h.robots == 0:
            h.robots = 1
            url, took = None, robots_s
        else:
            url, took = h.queue.popleft()[1], page_s
            stats["pages"] += 1
        h.running += 1
        h.last_start = t
        running[0] += 1
        stats["requests"] += 1
        stats["busy"] += took
        n[1] += 1
        heapq.heappush(events, (t + took, n[1], h.name, url))
        if schedule is not None:
            schedule.append((t, took, h.name, url))
        update(h, t)

    discover(seed, 0.0)
    now = 0.0
    while events or ready:
        while ready and hosts[ready[0][3]].ver != ready[0][2]:
            heapq.heappop(ready)            # stale
        te = events[0][0] if events else INF
        tr = ready[0][0] if ready and (cap is None or running[0] < cap) \
            else INF
        if te == INF and tr == INF:
            break
        if te <= tr:
            t, _, name, url = heapq.heappop(events)
            now = max(now, t)
            stats["end"] = max(stats["end"], t)
            h = hosts[name]
            h.running -= 1
            running[0] -= 1
            if url is None:
                h.robots = 2
            else:
                for link in site.links(url):
                    discover(link, now)
            update(h, now)
        else:
            t, _, _, name = heapq.heappop(ready)
            now = max(now, t)
            start(hosts[name], now)
    return stats["end"], stats["requests"], stats["pages"], len(hosts), \
        stats["busy"]


def main():
    ap = argparse.ArgumentParser(
        description="the schedule bound of the broad site (issue #12)")
    ap.add_argument("site")
    ap.add_argument("seed")
    ap.add_argument("--per-host", type=int, required=True)
    ap.add_argument("--delay", type=float, required=True, help="ms")
    ap.add_argument("--cap", type=int, help="transfers at once in all")
    ap.add_argument("--page-s", type=float, default=0.1)
    ap.add_argument("--robots-s", type=float, default=0.0)
    ap.add_argument("--schedule", help="write the schedule as a log")
    a = ap.parse_args()
    if a.per_host < 1 or a.delay < 0 or (a.cap is not None and a.cap < 1):
        ap.error("--per-host and --cap must be >= 1, --delay >= 0")
    if not os.path.isdir(a.site):
        ap.error("%s: not a folder" % a.site)
    if not host_of(a.seed):
        ap.error("%s: not an http(s) URL" % a.seed)
    site = Site(a.site)
    sched = [] if a.schedule else None
    end, reqs, pages, nh, busy = simulate(site, a.seed, a.per_host,
                                          a.delay / 1000.0, a.page_s,
                                          a.robots_s, a.cap, sched)
    lower = end
    if a.cap is not None:
        free = simulate(site, a.seed, a.per_host, a.delay / 1000.0,
                        a.page_s, a.robots_s)[0]
        lower = max(free, busy / a.cap)
    if sched is not None:
        with open(a.schedule, "w") as f:
            for t, took, name, url in sorted(sched, key=lambda r: r[0] +
                                             r[1]):
                f.write("%s %.3f %.3f %s 200 model\n" % (
                    name, 1e9 + t + took, took,
                    "/robots.txt" if url is None else urlsplit(url).path))
    print("bench: bound_s=%.3f lower_s=%.3f requests=%d pages=%d hosts=%d"
          % (end, lower, reqs, pages, nh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
