#!/usr/bin/env python3
"""politeness.py LOG --per-host N --delay MS [options]: did a crawl keep
the politeness contract, as the server saw it?

LOG is an nginx access log in the format of tests/lib.sh's
nginx_start_hosts (log_format broad), one request a line:

    $host $msec $request_time $request_uri $status [$remote_addr ...]

$msec is when nginx logged the request (its end, after the response was
sent), $request_time how long it took since nginx read its first byte;
so a request's interval is [msec - request_time, msec].  Both have a
millisecond resolution, and the start is when the request's first byte
was read, not when the client began (a new connection's set-up is not
in it), on nginx's clock, which it reads once per turn of its event
loop: start times are known to a few milliseconds, hence --tolerance-ms
(default 5).  Against the kernel's timestamps of the GET packets on the
loopback (tcpdump), over the 500-host broad crawl with a burst of 500
new hosts at once: nginx's start is -0.3 ms off in the median, +6.7 ms
at the 99th percentile, +24.8 ms at worst (a busy turn of the loop), so
a gap can look that much shorter than it was on the wire.

Checks, per host (the Host header's name):
  overlap  at no moment more than --per-host requests of the host run at
           once: at each request's start, the requests of the host that
           started no later and end more than the tolerance after it are
           counted, itself included;
  gap      consecutive request starts of the host (robots.txt included)
           are at least --delay apart, less the tolerance;
  robots   /robots.txt was asked for exactly once, before anything else
           of the host, and it had ended (within the tolerance) when the
           host's next request started (a crawler cannot obey a
           robots.txt it has not read); --no-robots leaves this out.
Every request counts, whatever its status.

Prints a summary (hosts, requests, statuses, the largest overlap and the
smallest gap seen, with their host, robots.txt counts) and, on a
violation, the offending hosts with their times (seconds since the log's
first request, and absolute), at most --show of each kind.  Exit status
0 when the contract held, 1 when it did not, 2 on bad input.  --bench
adds one line for scripts/bench/measure.py: "bench: polite=yes|no
max_overlap=N overlap_hosts=N min_gap_ms=X gap_hosts=N robots_not_once=N"
(the _hosts: how many hosts broke that rule).

politeness.py --self-test runs the checks over small synthetic logs,
with and without violations, and exits 1 unless each is judged right.
"""
import argparse
import os
import sys
import tempfile
from collections import Counter


class BadLog(Exception):
    pass


def parse(path):
    """{host: [(start, end, uri, status, lineno)]} sorted by start, the
    times in milliseconds since the epoch."""
    hosts = {}
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        raise BadLog("%s: %s" % (path, e.strerror))
    with f:
        for n, line in enumerate(f, 1):
            w = line.split()
            if not w:
                continue
            if len(w) < 5:
                raise BadLog("%s:%d: %d fields, want at least 5 ($host "
                             "$msec $request_time $request_uri $status): %r"
                             % (path, n, len(w), line.strip()[:120]))
            try:
                # whole milliseconds, as nginx writes them (a float
                # difference would put two requests nginx stamped alike
                # 1e-7 s apart, in either order)
                end = round(float(w[1]) * 1000)
                took = round(float(w[2]) * 1000)
                status = int(w[4])
            except ValueError:
                raise BadLog("%s:%d: $msec, $request_time or $status is "
                             "not a number: %r" % (path, n,
                                                   line.strip()[:120]))
            if took < 0:
                raise BadLog("%s:%d: negative $request_time" % (path, n))
            hosts.setdefault(w[0].lower(), []).append(
                (end - took, end, w[3], status, n))
    for reqs in hosts.values():
        reqs.sort(key=lambda r: (r[0], r[4]))
    return hosts


def is_robots(uri):
    return uri.split("?", 1)[0] == "/robots.txt"


def check(hosts, per_host, delay_ms, tol_ms, robots=True):
    """(summary dict, {kind: [message, ...]})"""
    tol = tol_ms
    delay = delay_ms
    t0 = min((r[0] for reqs in hosts.values() for r in reqs), default=0)

    def at(t):
        return "%.3f s [%.3f]" % ((t - t0) / 1000.0, t / 1000.0)

    bad = {"overlap": [], "gap": [], "robots": []}
    s = {"hosts": len(hosts), "requests": 0, "statuses": Counter(),
         "max_overlap": 0, "max_overlap_host": None, "min_gap_ms": None,
         "min_gap_host": None, "robots": Counter()}
    for h in sorted(hosts):
        reqs = hosts[h]
        s["requests"] += len(reqs)
        s["statuses"].update(r[3] for r in reqs)
        # overlap: the largest set of a host's requests running at once
        # is running at one of their starts
        worst, where = 0, None
        for i, (st, _, uri, _, n) in enumerate(reqs):
            live = 1 + sum(1 for r in reqs[:i] if r[1] - tol > st)
            if live > worst:
                worst, where = live, (st, uri, n)
        if worst > s["max_overlap"]:
            s["max_overlap"], s["max_overlap_host"] = worst, h
        if worst > per_host:
            bad["overlap"].append(
                "%s: %d requests at once at %s (from %s, log line %d), "
                "--per-host %d" % (h, worst, at(where[0]), where[1],
                                   where[2], per_host))
        # gap between consecutive starts: the host's shortest, and how
        # many are short
        short, least = 0, None
        for a, b in zip(reqs, reqs[1:]):
            g = b[0] - a[0]
            if least is None or g < least[0]:
                least = (g, a, b)
            short += b[0] - a[0] < delay - tol
        if least is not None and (s["min_gap_ms"] is None or
                                  least[0] < s["min_gap_ms"]):
            s["min_gap_ms"], s["min_gap_host"] = least[0], h
        if short:
            g, a, b = least
            bad["gap"].append(
                "%s: %d of %d gaps under --delay %d; the shortest: %s "
                "started %.1f ms after %s (at %s, log lines %d and %d)"
                % (h, short, len(reqs) - 1, delay_ms, b[2], g, a[2],
                   at(b[0]), a[4], b[4]))
        # robots.txt: once, first, done before the next request
        rob = [r for r in reqs if is_robots(r[2])]
        s["robots"][len(rob)] += 1
        if not robots:
            continue
        if len(rob) != 1:
            bad["robots"].append(
                "%s: /robots.txt asked for %d times%s" % (
                    h, len(rob), " (log lines %s)" % ", ".join(
                        str(r[4]) for r in rob[:5]) if rob else ""))
        elif not is_robots(reqs[0][2]):
            bad["robots"].append(
                "%s: %s (log line %d, at %s) before /robots.txt (line %d, "
                "at %s)" % (h, reqs[0][2], reqs[0][4], at(reqs[0][0]),
                            rob[0][4], at(rob[0][0])))
        elif len(reqs) > 1 and reqs[1][0] < rob[0][1] - tol:
            bad["robots"].append(
                "%s: %s (log line %d) started at %s, before /robots.txt "
                "had ended (at %s)" % (h, reqs[1][2], reqs[1][4],
                                       at(reqs[1][0]), at(rob[0][1])))
    return s, bad


def summary_lines(s, bad, a):
    rob = ", ".join("%d host%s %d time%s" % (c, "" if c == 1 else "s", k,
                                           "" if k == 1 else "s")
                    for k, c in sorted(s["robots"].items()))
    gap = ("none (no host has two requests)" if s["min_gap_ms"] is None
           else "%.1f ms (%s)" % (s["min_gap_ms"], s["min_gap_host"]))
    out = ["politeness: %d hosts, %d requests (statuses %s)" % (
               s["hosts"], s["requests"], ", ".join(
                   "%s: %d" % kv for kv in sorted(s["statuses"].items()))),
           "politeness: largest overlap %d (%s), smallest gap %s, "
           "robots.txt: %s" % (s["max_overlap"], s["max_overlap_host"],
                               gap, rob or "none")]
    n = sum(len(v) for v in bad.values())
    for kind in ("overlap", "gap", "robots"):
        v = bad[kind]
        if not v:
            continue
        out.append("politeness: VIOLATION %s on %d host%s:" % (
            kind, len(v), "" if len(v) == 1 else "s"))
        out += ["  " + m for m in v[:a.show]]
        if len(v) > a.show:
            out.append("  ... (%d more)" % (len(v) - a.show))
    out.append("politeness: %s (--per-host %d, --delay %d ms, tolerance %g "
               "ms%s)" % ("OK" if n == 0 else "FAILED", a.per_host, a.delay,
                          a.tolerance_ms,
                          ", robots.txt not checked" if a.no_robots else ""))
    return out


def run(a):
    try:
        hosts = parse(a.log)
    except BadLog as e:
        print("politeness: %s" % e, file=sys.stderr)
        return 2
    if not hosts and not a.allow_empty:
        print("politeness: %s: no requests" % a.log, file=sys.stderr)
        return 2
    s, bad = check(hosts, a.per_host, a.delay, a.tolerance_ms,
                   not a.no_robots)
    ok = not any(bad.values())
    for line in summary_lines(s, bad, a):
        print(line, file=sys.stdout if ok else sys.stderr)
    if a.bench:
        print("bench: polite=%s max_overlap=%d overlap_hosts=%d "
              "min_gap_ms=%s gap_hosts=%d robots_not_once=%d" % (
                  "yes" if ok else "no", s["max_overlap"],
                  len(bad["overlap"]),
                  "%.1f" % s["min_gap_ms"] if s["min_gap_ms"] is not None
                  else "none", len(bad["gap"]),
                  sum(c for k, c in s["robots"].items() if k != 1)))
    return 0 if ok else 1


# ---------------------------------------------------------------- self-test

def line(host, start, took, uri="/p.html", status=200):
    return "%s %.3f %.3f %s %d 127.0.0.1\n" % (host, start + took, took, uri,
                                               status)


def polite_host(host, t, n, gap=1.0, took=0.1):
    """robots.txt at t, then n pages gap apart, each took long"""
    out = [line(host, t, 0.0, "/robots.txt")]
    for k in range(n):
        out.append(line(host, t + gap * (k + 1), took, "/p%d.html" % k))
    return out


CASES = [
    # (name, want exit status, per-host, delay ms, lines)
    ("polite", 0, 1, 1000,
     polite_host("a.localhost", 100.0, 5) + polite_host("b.localhost",
                                                        100.2, 3)),
    ("gap short by 2 ms, within the tolerance", 0, 1, 1000,
     polite_host("a.localhost", 100.0, 5, gap=0.998)),
    ("gap short by 100 ms", 1, 1, 1000,
     polite_host("a.localhost", 100.0, 2) +
     [line("a.localhost", 102.9, 0.1, "/p9.html")]),
    ("a request ends as the next starts", 0, 1, 0,
     [line("a.localhost", 100.0, 0.0, "/robots.txt")] +
     [line("a.localhost", 100.0 + 0.1 * k, 0.1, "/p%d.html" % k)
      for k in range(5)]),
    ("two at once with --per-host 1", 1, 1, 0,
     [line("a.localhost", 100.0, 0.0, "/robots.txt"),
      line("a.localhost", 100.01, 0.5, "/p1.html"),
      line("a.localhost", 100.2, 0.1, "/p2.html")]),
    ("a slow page still running when the next starts 1 s later", 1, 1,
     1000,
     [line("a.localhost", 100.0, 0.0, "/robots.txt"),
      line("a.localhost", 101.0, 1.5, "/p1.html"),
      line("a.localhost", 102.0, 0.1, "/p2.html")]),
    ("two at once with --per-host 2", 0, 2, 0,
     [line("a.localhost", 100.0, 0.0, "/robots.txt"),
      line("a.localhost", 100.01, 0.1, "/p1.html"),
      line("a.localhost", 100.01, 0.1, "/p2.html"),
      line("a.localhost", 100.11, 0.1, "/p3.html")]),
    ("three at once with --per-host 2", 1, 2, 0,
     [line("a.localhost", 100.0, 0.0, "/robots.txt"),
      line("a.localhost", 100.01, 0.1, "/p1.html"),
      line("a.localhost", 100.02, 0.1, "/p2.html"),
      line("a.localhost", 100.03, 0.1, "/p3.html")]),
    ("robots.txt twice", 1, 1, 1000,
     polite_host("a.localhost", 100.0, 2) +
     [line("a.localhost", 103.0, 0.0, "/robots.txt")]),
    ("no robots.txt", 1, 1, 1000,
     polite_host("a.localhost", 100.0, 3)[1:]),
    ("a page before robots.txt", 1, 1, 1000,
     [line("a.localhost", 100.0, 0.1, "/p0.html")] +
     polite_host("a.localhost", 101.0, 2)),
    ("a page while robots.txt runs, --per-host 2", 1, 2, 0,
     [line("a.localhost", 100.0, 0.3, "/robots.txt"),
      line("a.localhost", 100.1, 0.1, "/p0.html")]),
    ("hosts are apart: one each at once", 0, 1, 1000,
     [l for i in range(20) for l in polite_host("h%d.localhost" % i,
                                                 100.0, 3)]),
    ("a bad line", 2, 1, 1000,
     polite_host("a.localhost", 100.0, 2) + ["a.localhost notatime\n"]),
]


def self_test():
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for i, (name, want, ph, delay, lines) in enumerate(CASES):
            path = os.path.join(d, "case%d.log" % i)
            with open(path, "w") as f:
                f.writelines(lines)
            ns = argparse.Namespace(log=path, per_host=ph, delay=delay,
                                    tolerance_ms=5.0, no_robots=False,
                                    allow_empty=False, bench=False, show=3)
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = open(os.devnull, "w")
            try:
                got = run(ns)
            finally:
                sys.stdout.close()
                sys.stdout, sys.stderr = saved
            ok = got == want
            failed += not ok
            print("%s %s: exit %d%s" % ("ok  " if ok else "FAIL", name, got,
                                        "" if ok else ", want %d" % want))
    print("politeness self-test: %d passed, %d failed"
          % (len(CASES) - failed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(
        description="check an nginx access log against --per-host/--delay")
    ap.add_argument("log", nargs="?")
    ap.add_argument("--per-host", type=int, default=None)
    ap.add_argument("--delay", type=int, default=None, help="ms")
    ap.add_argument("--tolerance-ms", type=float, default=5.0)
    ap.add_argument("--no-robots", action="store_true",
                    help="do not check robots.txt")
    ap.add_argument("--allow-empty", action="store_true",
                    help="a log without requests is not an error")
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--show", type=int, default=10,
                    help="violations shown of each kind")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if a.log is None or a.per_host is None or a.delay is None:
        ap.error("LOG, --per-host and --delay are required")
    if a.per_host < 1 or a.delay < 0 or a.tolerance_ms < 0:
        ap.error("--per-host must be >= 1, --delay and --tolerance-ms >= 0")
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
