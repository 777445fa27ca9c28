#!/usr/bin/env python3
"""tcp-forward.py LISTEN_ADDR PORT TO_ADDR TO_PORT: relay every TCP
connection made to LISTEN_ADDR:PORT to TO_ADDR:TO_PORT, both ways, until
killed.  Tests run it in a network namespace so that a name that
resolves to the loopback there (libcurl's *.localhost) reaches a server
in another namespace.  Prints "ready" once it listens."""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def main(listen, port, to, to_port):
    async def serve(r1, w1):
        try:
            r2, w2 = await asyncio.open_connection(to, to_port)
        except OSError:
            w1.close()
            return
        await asyncio.gather(pipe(r1, w2), pipe(r2, w1))

    server = await asyncio.start_server(serve, listen, port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    try:
        asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3],
                         int(sys.argv[4])))
    except KeyboardInterrupt:
        pass
