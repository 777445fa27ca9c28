"""io_httpx_seed.py URLFILE [raised]: the seed article's IO-bound test.

The article's code, as it wrote it: one httpx.AsyncClient() with its
default limits (100 connections, 5 s pool timeout) and asyncio.gather over
every request.  The only change is the URL list: N distinct URLs read from
URLFILE instead of one URL N times.  With the argument `raised`, the pool
limit is raised to N (httpx.Limits(max_connections=N,
max_keepalive_connections=N)), the rest unchanged.

Prints the article's "Finished in" line, then `bench: ok=N failed=N`;
gather() propagates the first exception, as in the article: the run then
ends with `bench: ok=0 failed=N error=NAME` and exit status 1.
"""
import asyncio
import sys
from time import time

import httpx

urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
raised = len(sys.argv) > 2 and sys.argv[2] == "raised"


def make_client():
    if raised:
        n = len(urls)
        return httpx.AsyncClient(
            limits=httpx.Limits(max_connections=n,
                                max_keepalive_connections=n))
    return httpx.AsyncClient()


async def main():
    _start = time()
    async with make_client() as client:
        tasks = [client.get(url) for url in urls]
        responses = await asyncio.gather(*tasks)
    print(f"Finished in: {time() - _start:.2f} seconds")
    return responses


try:
    responses = asyncio.run(main())
except Exception as e:  # the article has no handler: gather re-raises
    print("bench: ok=0 failed=%d error=%s" % (len(urls), type(e).__name__))
    sys.exit(1)
ok = sum(1 for r in responses if r.status_code == 200)
print("bench: ok=%d failed=%d" % (ok, len(urls) - ok))
sys.exit(0 if ok == len(urls) else 1)
