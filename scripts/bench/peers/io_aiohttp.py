"""io_aiohttp.py URLFILE: every URL at once with aiohttp, the connector's
limit raised to N (its default is 100), asyncio.gather.
Prints `bench: ok=N failed=N`."""
import asyncio
import sys
from time import time

import aiohttp

urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]


async def main():
    _start = time()
    conn = aiohttp.TCPConnector(limit=len(urls), limit_per_host=0)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def get(url):
            async with session.get(url) as r:
                await r.read()
                return r.status
        statuses = await asyncio.gather(*(get(u) for u in urls),
                                        return_exceptions=True)
    print(f"Finished in: {time() - _start:.2f} seconds")
    return statuses


statuses = asyncio.run(main())
ok = sum(1 for s in statuses if s == 200)
errs = sorted({type(s).__name__ for s in statuses if isinstance(s, BaseException)})
print("bench: ok=%d failed=%d%s" % (ok, len(urls) - ok,
                                   " error=" + ",".join(errs) if errs else ""))
sys.exit(0 if ok == len(urls) else 1)
