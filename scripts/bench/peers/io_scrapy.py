"""io_scrapy.py URLFILE: every URL with Scrapy, CONCURRENT_REQUESTS and
CONCURRENT_REQUESTS_PER_DOMAIN = N, no parsing, no output.
Prints `bench: ok=N failed=N`."""
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
n = len(urls)


class Sleep(scrapy.Spider):
    name = "sleep"

    def start_requests(self):
        for u in urls:
            yield scrapy.Request(u, dont_filter=True)

    def parse(self, response):
        return None


process = CrawlerProcess(settings={
    "CONCURRENT_REQUESTS": n,
    "CONCURRENT_REQUESTS_PER_DOMAIN": n,
    "LOG_LEVEL": "ERROR",
    "TELNETCONSOLE_ENABLED": False,
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "ROBOTSTXT_OBEY": False,
})
crawler = process.create_crawler(Sleep)
process.crawl(crawler)
process.start()
ok = crawler.stats.get_value("downloader/response_status_count/200", 0)
print("bench: ok=%d failed=%d" % (ok, n - ok))
sys.exit(0 if ok == n else 1)
