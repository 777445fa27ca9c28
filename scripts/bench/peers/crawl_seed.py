"""crawl_seed.py START_URL OUT.jsonl: the CPU-bound crawl as the seed
article's pattern: httpx.AsyncClient + asyncio.gather for the IO, then
ProcessPoolExecutor().map over the bodies for the CPU work (parsel), level
by level (fetch a whole level, parse it, collect the next level's links).

Changes to the article's code, needed to crawl at all: the pool limit is
64 connections (as Scrapy's) with no pool timeout (with the default
limits, gather over thousands of URLs waits on the pool), and a seen set.
The fields are bench/rules-shop.txt's, extracted as crawl_scrapy.py does.
Prints `bench: records=N`."""
import asyncio
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
from parsel import Selector

start, out = sys.argv[1], sys.argv[2]
host = urlsplit(start).netloc
WS = re.compile(r"[ \t\n\r\f]+")


def text(sel):
    return WS.sub(" ", sel.xpath("string()").get()).strip()


def process_data(page):
    url, html = page
    sel = Selector(text=html)
    links = [urljoin(url, h) for h in sel.css("a[href]::attr(href)").getall()]
    title = sel.css("h1.title")
    price = sel.css("span.price")
    image = sel.css("img.main::attr(src)").get()
    return {
        "url": url,
        "title": text(title[0]) if title else None,
        "price": text(price[0]) if price else None,
        "tags": [text(li) for li in sel.css("ul.tags li")],
        "image": urljoin(url, image) if image is not None else None,
        "links": links,
    }


async def main():
    seen = {start}
    frontier = [start]
    records = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    timeout = httpx.Timeout(30.0, pool=None)
    with ProcessPoolExecutor() as executor, open(out, "w") as f:
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            while frontier:
                tasks = [client.get(url) for url in frontier]
                responses = await asyncio.gather(*tasks)
                results = list(executor.map(
                    process_data,
                    [(str(r.url), r.text) for r in responses]))
                frontier = []
                for rec in results:
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    records += 1
                    for u in rec["links"]:
                        u = urldefrag(u)[0]
                        if u not in seen and urlsplit(u).netloc == host:
                            seen.add(u)
                            frontier.append(u)
    return records


print("bench: records=%d" % asyncio.run(main()))
