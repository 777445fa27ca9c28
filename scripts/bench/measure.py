#!/usr/bin/env python3
"""measure.py: run one benchmark command and record what it cost.

  measure.py --results FILE --workload W --tool T --limit S --log PREFIX
             [--ref] [--pages N] [--post CMD] [--note TEXT] -- CMD [ARG...]

Runs `timeout -k 5 S CMD...` (stdout to PREFIX.out, stderr to PREFIX.err)
and, while it runs, polls every process below this one every 50 ms:
/proc/PID/stat (utime + stime) and /proc/PID/status (VmHWM, the peak
resident set).  The last values seen of each process are its CPU time
and peak RSS (a process is sampled until it is gone, so up to 50 ms of
CPU at its very end can be missed).  This process is made a child
subreaper, so a daemonized or orphaned descendant is still seen, still
counted, and killed if it outlives the command.  The total CPU time is
exact: getrusage(RUSAGE_CHILDREN) before and after (every descendant
reaped by its parent or by us).

Appends one JSON object a line to FILE: workload, tool, seq (run order),
ref (a zscrape reference run), wall_s, rc, status (ok, failed, timeout),
cpu_s, cpu_polled_s, rss_sum_kb (sum of the per-process peaks; helper
utilities such as the `timeout` wrapper left out), procs
([{pid, comm, args, cpu_s, hwm_kb}]), and whatever `bench: key=value`
pairs the command printed on stdout, other_cpu_s (CPU the rest of the
machine used meanwhile, from /proc/stat: nginx, this monitor, other
work), then those of --post CMD (run after
the command, through sh, not timed), e.g. records=20000 ok=19990.
"""
import argparse
import ctypes
import json
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")
# helpers left out of the process list and the RSS sum (their CPU is in
# the rusage total): the `timeout` wrapper, the launcher's utilities,
# Crawlee's periodic `ps`
IGNORE_COMM = {"timeout", "sleep", "seq", "mktemp", "readlink", "rm",
               "cat", "dirname", "getconf", "ps"}
KV = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")


def children_of(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def descendants(root):
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in children_of(p):
            out.append(c)
            todo.append(c)
    return out


def sample(pid):
    """(start ticks, comm, cpu_s, hwm_kb) of a live process, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        with open("/proc/%d/status" % pid) as f:
            status = f.read()
    except OSError:
        return None
    r = st.rindex(")")
    comm = st[st.index("(") + 1:r]
    fields = st[r + 2:].split()
    # fields[0] is field 3 (state): utime is field 14, stime 15, start 22
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    start = int(fields[19])
    m = re.search(r"^VmHWM:\s+(\d+)", status, re.M)
    return start, comm, cpu, int(m.group(1)) if m else 0


def machine_busy_s():
    """CPU seconds the whole machine has spent busy (all cores), from
    /proc/stat: everything but idle and iowait."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0.0
    # user nice system idle iowait irq softirq steal (guest is in user)
    return (sum(v[:8]) - v[3] - v[4]) / TICK


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            a = f.read().split(b"\0")
        return " ".join(x.decode("utf-8", "replace") for x in a if x)[:300]
    except OSError:
        return ""


def kv_pairs(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("bench:"):
            for k, v in KV.findall(line[6:]):
                try:
                    out[k] = int(v)
                except ValueError:
                    try:
                        out[k] = float(v)
                    except ValueError:
                        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--workload", required=True)
    ap.add_argument("--tool", required=True)
    ap.add_argument("--limit", type=float, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ref", action="store_true")
    ap.add_argument("--pages", type=int)
    ap.add_argument("--post")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")

    # PR_SET_CHILD_SUBREAPER = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except Exception:
        pass
    seq = 0
    if os.path.exists(a.results):
        with open(a.results) as f:
            seq = sum(1 for _ in f)
    limit = max(1, int(a.limit))
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = machine_busy_s()
    out = open(a.log + ".out", "wb")
    err = open(a.log + ".err", "wb")
    t0 = time.monotonic()
    child = subprocess.Popen(["timeout", "-k", "5", str(limit)] + cmd,
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    procs = {}          # (pid, start) -> record
    me = os.getpid()
    rc = None
    while True:
        for pid in descendants(me):
            s = sample(pid)
            if s is None:
                continue
            key = (pid, s[0])
            rec = procs.get(key)
            if rec is None:
                rec = procs[key] = {"pid": pid, "comm": s[1],
                                    "args": cmdline(pid), "cpu_s": 0.0,
                                    "hwm_kb": 0}
            rec["comm"] = s[1]
            rec["cpu_s"] = s[2]
            rec["hwm_kb"] = max(rec["hwm_kb"], s[3])
        rc = child.poll()
        if rc is not None:
            break
        time.sleep(0.05)
    wall = time.monotonic() - t0
    # anything left (reparented to us): stop it, reap it, say so
    left = descendants(me)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    while True:
        try:
            if os.waitpid(-1, 0)[0] <= 0:
                break
        except ChildProcessError:
            break
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = machine_busy_s() - busy0
    out.close()
    err.close()
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    plist = sorted(procs.values(), key=lambda r: r["pid"])
    counted = [p for p in plist if p["comm"] not in IGNORE_COMM]
    with open(a.log + ".out", "rb") as f:
        stdout = f.read().decode("utf-8", "replace")
    extra = kv_pairs(stdout)
    if a.post:
        p = subprocess.run(a.post, shell=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        extra.update(kv_pairs(p.stdout.decode("utf-8", "replace")))
    status = "ok" if rc == 0 else ("timeout" if rc in (124, 137) else
                                   "failed")
    rec = {
        "workload": a.workload, "tool": a.tool, "seq": seq, "ref": a.ref,
        "cmd": " ".join(shlex.quote(c) for c in cmd)[:500],
        "limit_s": limit, "wall_s": round(wall, 3), "rc": rc,
        "status": status, "cpu_s": round(cpu, 3),
        "cpu_polled_s": round(sum(p["cpu_s"] for p in counted), 3),
        "rss_sum_kb": sum(p["hwm_kb"] for p in counted),
        "rss_max_kb": max([p["hwm_kb"] for p in counted] or [0]),
        "procs": counted, "left_running": len(left), "notes": a.note,
        # CPU that other work on the machine (not this command) used
        # meanwhile: nginx, this monitor, and whatever else runs here
        "other_cpu_s": round(max(0.0, busy - cpu), 2),
        "cores": os.cpu_count(),
    }
    if a.pages is not None:
        rec["pages"] = a.pages
    rec.update({k: v for k, v in extra.items() if k not in rec})
    with open(a.results, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("%-10s %-28s %7.2f s  cpu %7.2f s  rss %7.1f MB  other %6.1f s"
          "  %s %s" % (
        a.workload, a.tool, wall, cpu, rec["rss_sum_kb"] / 1024,
        rec["other_cpu_s"], status,
        " ".join("%s=%s" % kv for kv in extra.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
