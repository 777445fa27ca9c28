#!/usr/bin/env python3
"""hostile-server.py PORTFILE: an HTTP server that misbehaves on purpose.

Listens on two free loopback ports and writes "PORT SILENT_PORT" to
PORTFILE once both are up.  SILENT_PORT is a socket that listens but never
accepts (the kernel completes the handshake; nobody ever reads).  PORT
serves one raw behaviour per path (the request line is read first):

  /ok              a small valid page (200)
  /cl-long         Content-Length: 100000, 20 bytes of body, then close
  /close           closes without a byte of reply
  /rst             resets the connection (SO_LINGER 0) without a reply
  /rst-mid         headers and part of the body, then a reset
  /silent          accepts, reads the request, never answers
  /slow-headers    one header byte every 0.3 s, forever
  /garbage         binary garbage instead of a status line
  /bad-status      "HTTP/1.1 abc nonsense" as the status line
  /bad-chunk       Transfer-Encoding: chunked with a non-hex chunk size
  /bad-gzip        Content-Encoding: gzip over bytes that are not gzip
  /huge-header     one 1 MB header line
  /endless-headers header lines, forever
  /endless-body    a chunked HTML body, forever
  /cl-short        Content-Length smaller than the body (the reply is
                   complete at Content-Length: a valid 200 page)
  /http09          "<html>..." with no status line at all

Each connection gets its own thread; the server runs until killed.
"""
import os
import socket
import struct
import sys
import threading
import time

PAGE = (b"<!DOCTYPE html><html><head><title>fine</title></head>"
        b"<body><p>fine</p></body></html>\n")


def read_request(c):
    data = b""
    c.settimeout(10)
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            b = c.recv(4096)
            if not b:
                break
            data += b
    except OSError:
        pass
    c.settimeout(None)
    line = data.split(b"\r\n", 1)[0].split()
    return line[1].decode("latin-1") if len(line) >= 2 else ""


def hdr(status=b"200 OK", extra=b"", ctype=b"text/html"):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
            b"\r\nConnection: close\r\n" + extra)


def rst(c):
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))
    c.close()


def hold(c, secs=3600):
    # keep the connection open and unanswered until the peer leaves
    c.settimeout(secs)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass


def serve(c):
    path = read_request(c)
    try:
        if path == "/ok":
            c.sendall(hdr(extra=b"Content-Length: %d\r\n\r\n" % len(PAGE))
                      + PAGE)
        elif path == "/cl-long":
            c.sendall(hdr(extra=b"Content-Length: 100000\r\n\r\n") +
                      b"<html><title>cut")
        elif path == "/close":
            pass
        elif path == "/rst":
            rst(c)
            return
        elif path == "/rst-mid":
            c.sendall(hdr(extra=b"Content-Length: 100000\r\n\r\n") +
                      b"<html><title>cut</title>" + b"x" * 5000)
            time.sleep(0.2)
            rst(c)
            return
        elif path == "/silent":
            hold(c)
        elif path == "/slow-headers":
            msg = hdr(extra=b"X-Slow: ")
            for i in range(100000):
                c.sendall(msg[i:i + 1] if i < len(msg) else b"a")
                time.sleep(0.3)
        elif path == "/garbage":
            c.sendall(b"\x00\xff\xfe garbage \x01\x02\r\n\x7f\r\n\r\n" +
                      os.urandom(2000))
        elif path == "/bad-status":
            c.sendall(b"HTTP/1.1 abc nonsense\r\nContent-Length: 5\r\n"
                      b"\r\nhello")
        elif path == "/bad-chunk":
            c.sendall(hdr(extra=b"Transfer-Encoding: chunked\r\n\r\n") +
                      b"ZZZZ\r\n<html>\r\n0\r\n\r\n")
        elif path == "/bad-gzip":
            body = b"this is not gzip at all" * 10
            c.sendall(hdr(extra=b"Content-Encoding: gzip\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body)) + body)
        elif path == "/huge-header":
            c.sendall(hdr(extra=b"X-Huge: " + b"h" * (1 << 20) +
                          b"\r\nContent-Length: 0\r\n\r\n"))
        elif path == "/endless-headers":
            c.sendall(hdr())
            line = b"X-More: " + b"m" * 100 + b"\r\n"
            while True:
                c.sendall(line * 100)
        elif path == "/endless-body":
            c.sendall(hdr(extra=b"Transfer-Encoding: chunked\r\n\r\n"))
            chunk = b"<p>" + b"x" * 65000 + b"</p>\n"
            c.sendall(b"%x\r\n<html><title>endless</title>\r\n"
                      % len(b"<html><title>endless</title>"))
            while True:
                c.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif path == "/cl-short":
            c.sendall(hdr(extra=b"Content-Length: %d\r\n\r\n" % len(PAGE))
                      + PAGE + b"<p>trailing bytes past Content-Length</p>")
        elif path == "/http09":
            c.sendall(PAGE)
        else:
            c.sendall(hdr(b"404 Not Found", b"Content-Length: 0\r\n\r\n"))
    except OSError:
        pass
    try:
        c.close()
    except OSError:
        pass


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(512)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(512)          # never accepted
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (srv.getsockname()[1], silent.getsockname()[1]))
    os.rename(tmp, sys.argv[1])
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
