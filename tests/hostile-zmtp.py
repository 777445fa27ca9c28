#!/usr/bin/env python3
"""hostile-zmtp.py HOST PORT KIND [SECONDS]: a garbage peer for zscrape's
ZeroMQ endpoints, in the standard library only (ZMTP 3.0, NULL security,
spoken by hand: no pyzmq needed).

KIND:
  results   PUSH to the sink's results PULL (base port + 3): garbage
            multipart messages, wrong versions, wrong types, short and
            over-long messages, forged RESULTs for URLs that were never
            dispatched, a 5 MB frame, a CONTROL "stop"
  pages     PUSH to the pages-in PULL (base port + 1): the same kinds of
            garbage plus PAGEs with made-up ids (a parser parses them; the
            sink must drop the results) and a CONTROL "stop"
  raw       plain TCP garbage (no ZMTP greeting) and a ZMTP greeting with
            a frame that claims 4 GiB, then a hang-up
Repeats its garbage for SECONDS (default 2) and prints what it sent.
Exits 1 when it cannot connect or the peer refuses the handshake.
"""
import os
import random
import socket
import struct
import sys
import time

VERSION = 1
HDR_LEN = 38
DISPATCH, PAGE, RESULT, CONTROL = 1, 2, 3, 4


def header(version=VERSION, type_=RESULT, id_=0, depth=0, status=200,
           error=0, attempt=0, elapsed=1, fetched_at=0, nbytes=0,
           length=HDR_LEN):
    h = struct.pack("<BBQIHBBIqQ", version, type_, id_, depth, status,
                    error, attempt, elapsed, fetched_at, nbytes)
    assert len(h) == HDR_LEN
    return (h + b"\0" * length)[:length]


def frame(body, more=False, command=False):
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255:
        return struct.pack(">BQ", flags | 2, len(body)) + body
    return struct.pack(">BB", flags, len(body)) + body


def greeting():
    return (b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" +
            b"NULL" + b"\0" * 16 + b"\0" + b"\0" * 31)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        b = s.recv(n - len(data))
        if not b:
            raise EOFError("peer closed after %d of %d bytes" %
                           (len(data), n))
        data += b
    return data


def zmtp_connect(host, port, socktype=b"PUSH"):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(greeting())
    g = recv_exact(s, 64)
    if g[0] != 0xff or g[9] != 0x7f:
        raise EOFError("not a ZMTP peer: %r" % g[:12])
    ready = (b"\x05READY" + b"\x0bSocket-Type" +
             struct.pack(">I", len(socktype)) + socktype)
    s.sendall(frame(ready, command=True))
    # the peer's READY command
    flags = recv_exact(s, 1)[0]
    n = (struct.unpack(">Q", recv_exact(s, 8))[0] if flags & 2
         else recv_exact(s, 1)[0])
    body = recv_exact(s, n)
    if not flags & 4 or not body.startswith(b"\x05READY"):
        raise EOFError("no READY from the peer: %r" % body[:40])
    return s


def send_msg(s, parts):
    s.sendall(b"".join(frame(p, more=i + 1 < len(parts))
                       for i, p in enumerate(parts)))


def garbage_set(kind, rng):
    """A list of (name, parts) to send once."""
    want_type = RESULT if kind == "results" else PAGE
    m = [
        ("text", [b"garbage"]),
        ("empty", [b""]),
        ("random", [os.urandom(rng.randrange(1, 200))
                    for _ in range(rng.randrange(1, 6))]),
        ("version-0", [header(version=0, type_=want_type), b"u", b"f",
                       b"text/html", b""]),
        ("version-2", [header(version=2, type_=want_type), b"u", b"f",
                       b"text/html", b""]),
        ("version-255", [header(version=255, type_=want_type)]),
        ("short-header", [header(type_=want_type, length=20), b"u"]),
        ("long-header", [header(type_=want_type, length=60), b"u", b"f",
                         b"t", b""]),
        ("unknown-type", [header(type_=99), b"u", b"f", b"t", b""]),
        ("bad-error-code", [header(type_=want_type, error=250), b"u",
                            b"f", b"t", b""]),
        ("too-few-parts", [header(type_=want_type), b"only one"]),
        ("header-only", [header(type_=want_type)]),
        ("too-many-parts", [header(type_=want_type)] + [b"p"] * 80),
        ("wrong-type-dispatch", [header(type_=DISPATCH),
                                 b"http://forged.invalid/dispatch"]),
        ("control-stop", [header(type_=CONTROL), b"stop"]),
        ("big-frame", [header(type_=want_type), os.urandom(5 << 20),
                       b"f", b"t", b""]),
    ]
    if kind == "results":
        m.append(("wrong-type-page", [header(type_=PAGE), b"u", b"f",
                                      b"t", b"<html>"]))
        for i in range(200):
            id_ = rng.choice([rng.randrange(0, 5000),
                              rng.getrandbits(64)])
            m.append(("forged-result", [
                header(type_=RESULT, id_=id_),
                b"http://forged.invalid/%d" % i, b"http://forged.invalid/",
                b"text/html", b"http://forged.invalid/link\0",
                b"title\0\"forged\"", b"links\0[]"]))
        m.append(("forged-bad-json", [
            header(type_=RESULT, id_=rng.randrange(0, 5000)),
            b"http://forged.invalid/json", b"x", b"text/html", b"",
            b"title\0{{{ not json", b"no-nul-here"]))
    else:
        m.append(("wrong-type-result", [header(type_=RESULT), b"u", b"f",
                                        b"t", b""]))
        for i in range(50):
            id_ = rng.choice([rng.randrange(0, 5000),
                              rng.getrandbits(64)])
            m.append(("forged-page", [
                header(type_=PAGE, id_=id_),
                b"http://forged.invalid/%d" % i, b"http://forged.invalid/",
                b"text/html",
                b"<html><title>forged</title><a href=/evil>e</a>" +
                b"<div>" * rng.randrange(0, 3000)]))
        m.append(("page-bad-url", [header(type_=PAGE, id_=1),
                                   b"\xff\xfe not a url \0", b"",
                                   b"\xff", b"\0\0\0"]))
    return m


def run_zmtp(host, port, kind, secs):
    rng = random.Random(20)
    s = zmtp_connect(host, port)
    sent = {}
    end = time.time() + secs
    rounds = 0
    while rounds == 0 or time.time() < end:
        for name, parts in garbage_set(kind, rng):
            send_msg(s, parts)
            sent[name] = sent.get(name, 0) + 1
        rounds += 1
        time.sleep(0.2)
    time.sleep(0.5)          # let the last messages leave
    s.close()
    print("sent %d rounds: %s" % (rounds, ", ".join(
        "%s x%d" % kv for kv in sorted(sent.items()))))


def run_raw(host, port, secs):
    end = time.time() + secs
    n = 0
    while n == 0 or time.time() < end:
        for junk in (os.urandom(4096), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"\xff" + b"\0" * 8 + b"\x7f" + os.urandom(200)):
            try:
                s = socket.create_connection((host, port), timeout=5)
                s.sendall(junk)
                time.sleep(0.05)
                s.close()
                n += 1
            except OSError:
                pass
        # a well-formed greeting, then a frame that claims 4 GiB
        try:
            s = zmtp_connect(host, port)
            s.sendall(struct.pack(">BQ", 2, 4 << 30) + os.urandom(1 << 20))
            time.sleep(0.05)
            s.close()
            n += 1
        except (OSError, EOFError):
            pass
        time.sleep(0.1)
    print("raw: %d connections" % n)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    host, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    secs = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    try:
        if kind == "raw":
            run_raw(host, port, secs)
        elif kind in ("results", "pages"):
            run_zmtp(host, port, kind, secs)
        else:
            sys.exit("unknown KIND %r" % kind)
    except (OSError, EOFError) as e:
        sys.stderr.write("hostile-zmtp.py: %s:%d: %s\n" % (host, port, e))
        sys.exit(1)


if __name__ == "__main__":
    main()
