#!/usr/bin/env python3
"""report.py RUNS.jsonl FACTS.txt OUTDIR: the table of `make bench`.

Reads the runs measure.py recorded and the facts run.sh collected, prints
one table (workload, tool, wall s, pages/s, CPU s, peak RSS MB, ratio to
zscrape, notes) and writes it to OUTDIR/bench.txt, bench.csv, bench.json
and, with gnuplot, bench.png.

ratio to zscrape = the tool's time per page / zscrape's time per page, with
zscrape's taken from its runs just before and after the tool's run (the
same workload): > 1 means slower than zscrape.  For a zscrape row, the
median of its runs is shown (ratio 1).  A run cut by its time limit gives
its rate so far (pages done / wall time).  The broad workloads start with
their floor row (the schedule bound, broad_bound.py: its ratio is the
bound's time over zscrape's median), every row of them says how many times
the bound it took, and whether nginx's log shows the run polite
(tests/politeness.py).
"""
import csv
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

COLS = ["workload", "tool", "wall_s", "pages_per_s", "cpu_s",
        "peak_rss_mb", "ratio_to_zscrape", "notes"]
HEAD = ["workload", "tool", "wall s", "pages/s", "CPU s", "peak RSS MB",
        "ratio", "notes"]
ORDER = ["ceiling", "io-50", "io-1000", "io-10000", "crawl", "broad-polite",
         "broad-fast", "scaling", "memory"]
# issue #12's targets: zscrape's time over the bound
BOUND_TARGET = {"broad-polite": 1.10, "broad-fast": 1.20}


def load_runs(path):
    runs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(json.loads(line))
    return runs


def load_facts(path):
    facts, lines = {}, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            lines.append(line)
            m = re.match(r"^([A-Za-z0-9_]+)=(.*)$", line)
            if m:
                facts[m.group(1)] = m.group(2)
    return facts, lines


def done_of(r):
    """Pages a run did: ok answers (IO) or records written (crawl)."""
    if r.get("workload", "").startswith("io-"):
        return r.get("ok", 0) if "ok" in r else 0
    return r.get("records", 0)


def kinds(r):
    """{kind: (cpu_s, rss_kb, count)} of a zscrape run's processes."""
    out = {}
    for p in r.get("procs", []):
        c = p["comm"]
        k = {"zscrape-sink": "sink", "zscrape-fetche": "fetcher",
             "zscrape-fetcher": "fetcher", "zscrape-parser": "parser",
             "zscrape-parse": "parser", "bash": "launcher"}.get(c, c)
        cpu, rss, n = out.get(k, (0.0, 0, 0))
        out[k] = (cpu + p["cpu_s"], rss + p["hwm_kb"], n + 1)
    return out


def kinds_note(r, pages=None):
    parts = []
    for k in ("sink", "fetcher", "parser", "launcher"):
        if k in kinds(r):
            cpu, rss, n = kinds(r)[k]
            name = k if n == 1 else "%s x%d" % (k, n)
            s = "%s %.1fs/%.0fMB" % (name, cpu, rss / 1024)
            parts.append(s)
    return "CPU/RSS " + ", ".join(parts)


def polite_note(r):
    """What tests/politeness.py found in nginx's log of a broad run."""
    if "polite" not in r:
        return ""
    gap = r.get("min_gap_ms")
    gap = "none" if gap in (None, "none") else "%.0f ms" % float(gap)
    what = "at most %s at once on a host (over --per-host on %s hosts), " \
           "smallest gap %s (under --delay on %s hosts), robots.txt not " \
           "once on %s hosts" % (r.get("max_overlap"),
                                 r.get("overlap_hosts", "?"), gap,
                                 r.get("gap_hosts", "?"),
                                 r.get("robots_not_once"))
    if r["polite"] == "yes":
        return "polite by nginx's log (%s)" % what
    return "NOT POLITE by nginx's log: %s" % what


def site_text(line):
    """The broad site's size from gen-broad.py's facts line."""
    kv = dict(re.findall(r"(\w+)=(\S+)", line))
    try:
        return "%s hosts x %s pages, %s reachable from the seed" % (
            kv["hosts"], kv["pages"], "{:,}".format(int(kv["reachable"])))
    except (KeyError, ValueError):
        return "?"


def median_run(runs):
    s = sorted(runs, key=lambda r: r["wall_s"])
    return s[(len(s) - 1) // 2]


def fmt(v, nd=2):
    if v is None or v == "":
        return ""
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return "%.0f" % v
    if abs(v) >= 100:
        return "%.1f" % v
    return "%.*f" % (nd, v)


def build(runs, facts, fact_lines):
    rows, notes = [], []
    by_w = {}
    for r in runs:
        by_w.setdefault(r["workload"], []).append(r)
    zs_med = {}

    def ref_time_per_page(w, seq):
        refs = [r for r in by_w.get(w, []) if r.get("ref")
                and r["status"] == "ok" and done_of(r) > 0]
        before = [r for r in refs if r["seq"] < seq]
        after = [r for r in refs if r["seq"] > seq]
        near = ([before[-1]] if before else []) + ([after[0]] if after
                                                   else [])
        if not near:
            return None
        return statistics.mean(r["wall_s"] / done_of(r) for r in near)

    def peer_row(w, r, tool=None):
        tool = tool or r["tool"]
        if r["status"] == "skipped":
            return {"workload": w, "tool": tool, "notes": "skipped: " +
                    r["why"]}
        done = done_of(r)
        want = r.get("pages")
        note = []
        if r["status"] == "timeout":
            note.append("not done within its %d s limit (the budget): "
                        "%d/%s pages by then, rate = pages/limit"
                        % (r["limit_s"], done, want))
        elif r["status"] == "failed":
            note.append("failed (exit %s)%s" % (
                r["rc"], ": " + str(r["error"]) if "error" in r else ""))
        if want and r["status"] == "ok" and done != want:
            note.append("%d/%d pages" % (done, want))
        if "cmp_sample" in r:
            if r["cmp_sample"] and r.get("cmp_equal") == r["cmp_sample"]:
                note.append("5 fields = zscrape's on %d/%d sampled pages"
                            % (r["cmp_equal"], r["cmp_sample"]))
            else:
                note.append("FIELDS DIFFER from zscrape's: %s/%s sampled "
                            "pages equal" % (r.get("cmp_equal"),
                                             r.get("cmp_sample")))
        if "records" in r and want and r["status"] == "ok":
            if r.get("complete") == "yes":
                note.append("%d records, all ok" % r["records"])
            else:
                note.append("records %s ok %s dup %s (want %d)" % (
                    r.get("records"), r.get("ok"), r.get("dup"), want))
        elif "ok" in r and want and w.startswith("io-") and \
                r["status"] == "ok":
            note.append("ok %d/%d" % (r["ok"], want))
        if polite_note(r):
            note.append(polite_note(r))
        procs = [p for p in r.get("procs", [])]
        if len(procs) > 1:
            note.append("%d processes, RSS summed" % len(procs))
        other = r.get("other_cpu_s")
        if other is not None and r.get("wall_s") and other >= 2 and \
                other > 0.15 * r["wall_s"] * r.get("cores", 1):
            note.append("machine busy elsewhere: %.0f CPU-s (%.0f%% of it)"
                        % (other, 100 * other / (r["wall_s"] *
                                                 r.get("cores", 1))))
        pps = done / r["wall_s"] if done and r["wall_s"] else None
        ref = ref_time_per_page(w, r["seq"])
        ratio = (r["wall_s"] / done) / ref if ref and done else None
        return {"workload": w, "tool": tool, "wall_s": r["wall_s"],
                "pages_per_s": pps, "cpu_s": r["cpu_s"],
                "peak_rss_mb": r["rss_sum_kb"] / 1024,
                "ratio_to_zscrape": ratio, "notes": "; ".join(note)}

    def zs_row(w, refs, tool="zscrape"):
        m = median_run(refs)
        row = peer_row(w, m, tool)
        walls = [r["wall_s"] for r in refs]
        extra = "median of %d runs (%.2f-%.2f s)" % (len(refs), min(walls),
                                                    max(walls))
        if "sink_wall_s" in m:
            extra += "; the sink's own wall %.2f s" % float(m["sink_wall_s"])
        sc = [r for r in by_w.get(w, []) if r["tool"].startswith("scrapy")
              and "cmp_sample" in r]
        if sc:
            extra += "; fields %s Scrapy's on %s/%s sampled pages" % (
                "equal" if sc[0]["cmp_equal"] == sc[0]["cmp_sample"]
                else "DIFFER from", sc[0]["cmp_equal"], sc[0]["cmp_sample"])
        row["ratio_to_zscrape"] = 1.0
        row["notes"] = "; ".join(x for x in (extra, row["notes"],
                                             kinds_note(m)) if x)
        row["notes"] = row["notes"].replace(
            "; %d processes, RSS summed" % len(m.get("procs", [])), "")
        zs_med[w] = m
        return row

    def floor_row(w, b, refs):
        m = median_run(refs) if refs else None
        zs = m["wall_s"] if m and m["status"] == "ok" else None
        note = ["broad_bound.py over the site's link graph: %d requests "
                "(robots.txt and %d pages)" % (b["requests"], b["pages"])]
        if b.get("lower_s", b["wall_s"]) < b["wall_s"] - 1e-9:
            note.append("any scheduler with the cap: >= %.2f s (the model "
                        "serves ready requests first come, first served)"
                        % b["lower_s"])
        note.append("the model's schedule %s politeness.py" % (
            "passes" if b.get("model_polite") == "yes" else "FAILS"))
        return {"workload": w, "tool": b["tool"], "wall_s": b["wall_s"],
                "pages_per_s": b["pages"] / b["wall_s"] if b["wall_s"]
                else None, "ratio_to_zscrape": b["wall_s"] / zs if zs
                else None, "notes": "; ".join(note)}

    def bound_note(w, row):
        b = bounds.get(w)
        if not b or not row.get("wall_s") or not row.get("pages_per_s") \
                or b["pages"] != round(row["pages_per_s"] * row["wall_s"]):
            return
        x = row["wall_s"] / b["wall_s"]
        t = BOUND_TARGET.get(w) if row["tool"] == "zscrape" else None
        row["notes"] = "%.2fx the bound%s; %s" % (
            x, " (target <= %.2fx)" % t if t else "", row["notes"])

    bounds = {}
    for w in ORDER:
        rs = by_w.get(w, [])
        if w == "ceiling" or w == "scaling" or w == "memory":
            continue
        if not rs:
            continue
        refs = [r for r in rs if r.get("ref") and r["status"] != "skipped"]
        for r in rs:
            if r["status"] == "bound":
                bounds[w] = r
                rows.append(floor_row(w, r, refs))
        if refs:
            rows.append(zs_row(w, refs))
            bound_note(w, rows[-1])
        for r in rs:
            if not r.get("ref") and r["status"] != "bound":
                rows.append(peer_row(w, r))
                bound_note(w, rows[-1])

    # scaling: --parsers 1 against the crawl's --parsers 2
    p2 = zs_med.get("crawl")
    for r in by_w.get("scaling", []):
        row = peer_row("scaling", r)
        row["notes"] = "; ".join(x for x in (row["notes"].split("; ")[0]
                                             if "records" in row["notes"]
                                             else row["notes"],
                                             kinds_note(r)) if x)
        rows.append(row)
    if p2:
        row = peer_row("scaling", p2, "zscrape --parsers 2")
        row["ratio_to_zscrape"] = 1.0
        s1 = [r for r in by_w.get("scaling", []) if r["status"] == "ok"]
        sp = ""
        if s1:
            sp = "speed-up over --parsers 1: %.2fx" % (
                s1[0]["wall_s"] / p2["wall_s"])
            # the test of overhead: pages per parser-CPU-second
            # alike with one parser and with two (within 10%)
            c1 = kinds(s1[0]).get("parser", (0, 0, 0))[0]
            c2 = kinds(p2).get("parser", (0, 0, 0))[0]
            if c1 > 0 and c2 > 0:
                e1, e2 = done_of(s1[0]) / c1, done_of(p2) / c2
                sp += ("; pages per parser-CPU-s %.0f (1 parser) vs %.0f "
                       "(2): %+.1f%%" % (e1, e2, 100.0 * (e2 - e1) / e1))
        row["notes"] = "; ".join(x for x in ("the crawl's median run", sp,
                                             kinds_note(p2)) if x)
        rows.append(row)

    # ceiling: gumbo alone, then zscrape's CPU per page by process kind
    ceil = [r for r in by_w.get("ceiling", []) if r["status"] == "ok"]
    gumbo_ms = None
    if ceil:
        c = ceil[0]
        gumbo_ms = c.get("cpu_ms_per_page")
        pages = c.get("pages", 0)
        ratio = None
        # the parse's own clock and CPU (loading the pages is not timed)
        pw = c.get("parse_wall_s", c["wall_s"])
        if p2 and pages:
            ratio = (pw / pages) / (p2["wall_s"] / done_of(p2))
        rows.append({
            "workload": "ceiling", "tool": c["tool"], "wall_s": pw,
            "pages_per_s": c.get("pages_per_s"),
            "cpu_s": c.get("parse_cpu_s", c.get("cpu_s")),
            "peak_rss_mb": c.get("peak_rss_kb_max", 0) / 1024,
            "ratio_to_zscrape": ratio, "cpu_ms_per_page": gumbo_ms,
            "notes": "%.1f MB/s, %.3f CPU ms/page; from memory, no IO; RSS "
                     "holds the %.0f MB of pages" % (
                         c.get("mb_per_s", 0), gumbo_ms or 0,
                         c.get("bytes", 0) / 1e6)})
    elif by_w.get("ceiling"):
        rows.append(peer_row("ceiling", by_w["ceiling"][0]))
    if p2 and gumbo_ms:
        pages = done_of(p2)
        k = kinds(p2)
        tot_cpu = 0.0
        for kind in ("parser", "fetcher", "sink"):
            if kind not in k:
                continue
            cpu, rss, n = k[kind]
            tot_cpu += cpu
            ms = cpu * 1000 / pages
            rows.append({
                "workload": "ceiling",
                "tool": "zscrape %s%s CPU/page" % (
                    kind, " x%d" % n if n > 1 else ""),
                "cpu_s": cpu, "peak_rss_mb": rss / 1024,
                "notes": "%.3f ms/page = %.2fx gumbo's %.3f" % (
                    ms, ms / gumbo_ms, gumbo_ms)})
        ms = p2["cpu_s"] * 1000 / pages
        rows.append({
            "workload": "ceiling", "tool": "zscrape all processes CPU/page",
            "cpu_s": p2["cpu_s"], "peak_rss_mb": p2["rss_sum_kb"] / 1024,
            "notes": "%.3f ms/page = %.2fx gumbo (the crawl's median run)"
                     % (ms, ms / gumbo_ms)})
    bp = {}
    bp_pages = "?"
    for line in fact_lines:
        m = re.match(r"bench_parse: corpus: (\d+) pages", line)
        if m:
            bp_pages = "{:,}".format(int(m.group(1)))
        m = re.match(r"bench_parse: (\(\w\)) .*?([\d.]+) ms/page", line)
        if m:
            bp[m.group(1)] = float(m.group(2))
    if "(a)" in bp and "(c)" in bp:
        rows.append({
            "workload": "ceiling",
            "tool": "zscrape parse+extract, in-process",
            "notes": "tests/tools/bench_parse, %s pages, one core: decode"
                     "+gumbo %.3f ms/page, + the five rules %.3f ms/page "
                     "(%.2fx gumbo alone)" % (
                         bp_pages, bp["(a)"], bp["(c)"],
                         bp["(c)"] / gumbo_ms if gumbo_ms else 0)})

    # memory
    for line in fact_lines:
        m = re.match(r"ledger: 1,000,000 seen URLs: ([\d.]+) bytes", line)
        if m:
            q = [x for x in fact_lines if "queued URLs" in x]
            qn = ""
            if q:
                mm = re.search(r"([\d.]+) bytes each in all \(text ([\d.]+)",
                               q[0])
                if mm:
                    qn = "; queued (frontier, URL text held): %s B/URL, " \
                         "text %s" % (mm.group(1), mm.group(2))
            rows.append({
                "workload": "memory", "tool": "zscrape sink ledger, 1M URLs",
                "notes": "%s bytes/URL seen (text not kept)%s "
                         "(build/tests/test_ledger)" % (m.group(1), qn)})
    for w in ("io-50", "io-1000", "io-10000", "crawl", "broad-polite",
              "broad-fast"):
        if w in zs_med:
            m = zs_med[w]
            k = kinds(m)
            parts = []
            for kind in ("sink", "fetcher", "parser", "launcher"):
                if kind in k:
                    parts.append("%s%s %.1f" % (
                        kind, " x%d" % k[kind][2] if k[kind][2] > 1 else "",
                        k[kind][1] / 1024))
            rows.append({
                "workload": "memory", "tool": "zscrape peak RSS, " + w,
                "peak_rss_mb": m["rss_sum_kb"] / 1024,
                "notes": "MB by process: " + ", ".join(parts)})

    # notes
    notes.append("IO runs: zscrape with --concurrency N --per-host N (all "
                 "URLs are on one host, so the per-host limit must be N too; "
                 "the peers get the same: pool/limit/concurrency = N)")
    notes.append("crawl: zscrape --concurrency 64 --per-host 64 --robots off"
                 " --depth 20, parsers = cores; Scrapy CONCURRENT_REQUESTS 64"
                 " (CONCURRENT_ITEMS 8, a seen set in the spider: both "
                 "favour Scrapy); Crawlee maxConcurrency 64, in-memory "
                 "storage; the seed pattern: pool of 64, no pool timeout")
    if bounds:
        notes.append("broad: tests/gen-broad.py's site (%s), pages 0.1 s "
                     "late, robots.txt at once; zscrape --depth 50 --scope "
                     "any, polite --per-host 1 --delay 1000, fast --per-host "
                     "2 --delay 0, defaults otherwise (--concurrency 256); "
                     "Scrapy with the same per-host settings "
                     "(CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY, "
                     "RANDOMIZE_DOWNLOAD_DELAY off), ROBOTSTXT_OBEY, "
                     "CONCURRENT_REQUESTS 256, DownloaderAwarePriorityQueue, a "
                     "resolver for *.localhost; spider-rs and wget2 "
                     "(--max-threads 256 --span-hosts --robots=on "
                     "--ignore-tags=img,link) with their defaults and a private /etc/hosts; "
                     "the floor: the earliest end of a schedule that keeps "
                     "the per-host rules, robots.txt first, links known when "
                     "a page ends (scripts/bench/broad_bound.py)"
                     % site_text(facts.get("broad_site", "")))
    notes.append("curl 7.x caps --parallel-max at 300, whatever N asks")
    notes.append("ratio = time per page / zscrape's (its runs just before "
                 "and after); > 1 is slower than zscrape.  CPU s = user + "
                 "system of every process of the tool (exact, rusage); "
                 "peak RSS = sum of each process's peak (VmHWM, polled)")
    for k in ("loadavg_start", "loadavg_end"):
        if k in facts:
            notes.append("%s %s (other work on the machine skews wall "
                         "times; compare within a workload)" % (
                             k.replace("_", " "), facts[k])
                         if k == "loadavg_end" else
                         "%s %s" % (k.replace("_", " "), facts[k]))
    vers = ", ".join("%s %s" % (k[8:], v) for k, v in facts.items()
                     if k.startswith("version_") and v)
    if vers:
        notes.append("versions: " + vers + "; python " +
                     facts.get("python", "?"))
    notes.append("machine: %s cores, kernel %s; total %s s (budget %s s%s)"
                 % (facts.get("cores"), facts.get("kernel"),
                    facts.get("total_s"), facts.get("budget_s"),
                    ", BENCH_FULL" if facts.get("full") == "1" else ""))
    return rows, notes


def table_text(rows, notes):
    cells = [HEAD]
    for r in rows:
        cells.append([r.get("workload", ""), r.get("tool", ""),
                      fmt(r.get("wall_s")), fmt(r.get("pages_per_s"), 1),
                      fmt(r.get("cpu_s")), fmt(r.get("peak_rss_mb"), 1),
                      fmt(r.get("ratio_to_zscrape")),
                      r.get("notes", "")])
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEAD) - 1)]
    right = {2, 3, 4, 5, 6}
    lines = []
    for n, c in enumerate(cells):
        parts = []
        for i in range(len(HEAD) - 1):
            parts.append(c[i].rjust(widths[i]) if i in right
                         else c[i].ljust(widths[i]))
        lines.append("  ".join(parts) + "  " + c[-1])
        if n == 0:
            lines.append("-" * min(200, len(lines[0]) + 40))
    lines.append("")
    lines.append("Notes:")
    lines += ["- " + n for n in notes]
    return "\n".join(lines) + "\n"


def short(tool):
    """A chart label: the tool without its settings."""
    t = tool.replace('"', "'")
    for a, b in (("scrapy (CONCURRENT_REQUESTS=N)", "scrapy"),
                 ("scrapy (64 requests, jsonlines feed)", "scrapy"),
                 ("floor (bare libcurl multi)", "floor (libcurl)"),
                 ("floor (libcurl, zscrape's engine)", "floor (engine)"),
                 ("aiohttp+gather (limit=N)", "aiohttp"),
                 ("httpx+gather (seed as written)", "httpx seed"),
                 ("httpx+gather (pool=N)", "httpx pool=N"),
                 ("httpx+ProcessPool+parsel (seed)", "seed pattern"),
                 ("crawlee CheerioCrawler", "crawlee"),
                 ("scrapy (DownloaderAwarePriorityQueue)", "scrapy"),
                 ("floor (schedule bound)", "floor (bound)"),
                 ("floor (schedule bound, 256 transfers)", "floor (bound)"),
                 ("spider-rs (defaults, no rules)", "spider-rs"),
                 ("spider-rs (defaults)", "spider-rs"),
                 ("wget2 --max-threads 64 (no rules)", "wget2"),
                 ("wget2 --max-threads 256", "wget2")):
        if t == a:
            return b
    return t


def colour(tool):
    if tool.startswith("zscrape"):
        return 1
    if tool.startswith("floor") or tool.startswith("gumbo"):
        return 8
    return 2


def chart(rows, outdir):
    gp = shutil.which("gnuplot")
    if not gp:
        return "chart skipped: gnuplot not installed"
    panels = [("io-50", "IO: 50 URLs, 1 s each"),
              ("io-1000", "IO: 1,000 URLs, 1 s each"),
              ("io-10000", "IO: 10,000 URLs, 1 s each"),
              ("crawl", "crawl and extract: the generated site"),
              ("broad-polite", "broad: 500 hosts, --per-host 1 --delay 1000"),
              ("broad-fast", "broad: 500 hosts, --per-host 2 --delay 0"),
              ("scaling", "crawl: --parsers 1 and 2")]
    panels = [(w, t) for w, t in panels
              if any(r.get("workload") == w and r.get("pages_per_s")
                     for r in rows)]
    if not panels:
        return "chart skipped: no data"
    ncol = 2
    nrow = (len(panels) + 1 + ncol - 1) // ncol
    script = ['set terminal pngcairo size %d,%d font "sans,9"'
              % (700 * ncol, 480 * nrow),
              'set output "%s"' % os.path.join(outdir, "bench.png"),
              'set multiplot layout %d,%d title "zscrape make bench: '
              'pages/s (higher is better), log scale"' % (nrow, ncol),
              'set style fill solid 0.8 border -1',
              'set boxwidth 0.7', 'set logscale y', 'set grid ytics',
              'set xtics rotate by -30 nomirror', 'set key off',
              'set termoption noenhanced',
              'set bmargin 9', 'set rmargin 10']
    for w, title in panels:
        data = [(r["tool"], r["pages_per_s"]) for r in rows
                if r.get("workload") == w and r.get("pages_per_s")]
        path = os.path.join(outdir, "chart-%s.dat" % w)
        with open(path, "w") as f:
            for i, (t, v) in enumerate(data):
                f.write('%d "%s" %.3f %d\n' % (i, short(t), v, colour(t)))
        lo = min(v for _, v in data)
        script.append('set title "%s"' % title)
        script.append('set yrange [%g:*]' % (lo / 3))
        script.append('plot "%s" using 1:3:4:xtic(2) with boxes lc variable, '
                      '"" using 1:3:(sprintf("%%.0f", $3)) with labels '
                      'offset 0,0.7' % path)
    # CPU per page of the crawl (lower is better), with gumbo's ceiling
    cpu = []
    for r in rows:
        if r.get("workload") == "crawl" and r.get("cpu_s") and \
                r.get("pages_per_s") and r.get("wall_s"):
            pages = r["pages_per_s"] * r["wall_s"]
            cpu.append((r["tool"], r["cpu_s"] * 1000 / pages))
        if r.get("workload") == "ceiling" and r["tool"].startswith("gumbo") \
                and r.get("cpu_ms_per_page"):
            cpu.append((r["tool"], r["cpu_ms_per_page"]))
    if cpu:
        path = os.path.join(outdir, "chart-cpu.dat")
        with open(path, "w") as f:
            for i, (t, v) in enumerate(cpu):
                f.write('%d "%s" %.3f %d\n' % (i, short(t), v, colour(t)))
        script += ['unset logscale y', 'set yrange [0:*]',
                   'set title "crawl: CPU ms per page, all processes '
                   '(lower is better)"',
                   'plot "%s" using 1:3:4:xtic(2) with boxes lc variable, '
                   '"" using 1:3:(sprintf("%%.2f", $3)) with labels '
                   'offset 0,0.7' % path]
    script.append("unset multiplot")
    gpath = os.path.join(outdir, "bench.gp")
    with open(gpath, "w") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run([gp, gpath], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        return "chart failed: " + p.stdout.decode("utf-8", "replace")[:300]
    return "chart: " + os.path.join(outdir, "bench.png")


def main():
    runs_path, facts_path, outdir = sys.argv[1:4]
    runs = load_runs(runs_path)
    facts, fact_lines = load_facts(facts_path)
    rows, notes = build(runs, facts, fact_lines)
    os.makedirs(outdir, exist_ok=True)
    text = table_text(rows, notes)
    with open(os.path.join(outdir, "bench.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLS)
        for r in rows:
            w.writerow([("%.4g" % r[c]) if isinstance(r.get(c), float)
                        else r.get(c, "") for c in COLS])
    with open(os.path.join(outdir, "bench.json"), "w") as f:
        json.dump({"generated": datetime.datetime.now(
                       datetime.timezone.utc).isoformat(timespec="seconds"),
                   "columns": COLS, "rows": rows, "notes": notes,
                   "facts": facts, "fact_lines": fact_lines, "runs": runs},
                  f, indent=1)
    msg = chart(rows, outdir)
    sys.stdout.write(text)
    print("\nwritten: %s/bench.{txt,csv,json}; %s" % (outdir, msg))


if __name__ == "__main__":
    main()
