"""broad_scrapy.py SEED_URL OUT.jsonl PER_HOST DELAY_MS: the broad crawl
(tests/gen-broad.py's site, issue #12) with Scrapy, set up as its docs
advise for broad crawls.

SCHEDULER_PRIORITY_QUEUE = DownloaderAwarePriorityQueue (the broad-crawl
queue: the next request goes to the download slot, i.e. host, with the
fewest requests in progress); CONCURRENT_REQUESTS 256 (zscrape's
--concurrency); CONCURRENT_REQUESTS_PER_DOMAIN = PER_HOST, DOWNLOAD_DELAY
= DELAY_MS / 1000 with RANDOMIZE_DOWNLOAD_DELAY off (the delay is then
exactly the gap between a slot's request starts), ROBOTSTXT_OBEY on,
DEPTH_LIMIT 50, every link followed whatever its host (zscrape's --scope
any), cookies off (the docs' advice; no page sets one).  Twisted's
resolver does not resolve *.localhost (libcurl does it itself), so a
resolver that answers 127.0.0.1 for localhost and *.localhost is
installed (DNS_RESOLVER) and asks the default one for anything else.
As in crawl_scrapy.py, the spider keeps a set of the URLs it yielded
(favours Scrapy: fewer requests through the dupefilter).  One JSON line
a page: url, status, title.  Prints `bench: records=N`."""
import sys
from urllib.parse import urldefrag

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

seed, out, per_host, delay_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    float(sys.argv[4])


class LocalhostResolver(CachingThreadedResolver):
    """*.localhost is the loopback (RFC 6761), as libcurl has it."""

    def getHostByName(self, name, timeout=None):
        n = name.lower().rstrip(".")
        if n == "localhost" or n.endswith(".localhost"):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)


class Broad(scrapy.Spider):
    name = "broad"

    def start_requests(self):
        self.queued = {seed}
        yield scrapy.Request(seed, callback=self.parse)

    def parse(self, response):
        yield {"url": response.url, "status": response.status,
               "title": response.css("title::text").get()}
        for h in response.css("a[href]::attr(href)").getall():
            u = urldefrag(response.urljoin(h))[0]
            if u not in self.queued and u.startswith("http"):
                self.queued.add(u)
                yield scrapy.Request(u, callback=self.parse)


process = CrawlerProcess(settings={
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "CONCURRENT_REQUESTS": 256,
    "CONCURRENT_REQUESTS_PER_DOMAIN": per_host,
    "DOWNLOAD_DELAY": delay_ms / 1000.0,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "ROBOTSTXT_OBEY": True,
    "DEPTH_LIMIT": 50,
    "COOKIES_ENABLED": False,
    "DNS_RESOLVER": "__main__.LocalhostResolver",
    "FEEDS": {out: {"format": "jsonlines", "encoding": "utf8",
                    "overwrite": True}},
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
})
crawler = process.create_crawler(Broad)
process.crawl(crawler)
process.start()
print("bench: records=%d" % crawler.stats.get_value("item_scraped_count", 0))
