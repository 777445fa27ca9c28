#!/usr/bin/env python3
"""check.py: output checks for scripts/bench/run.sh.  Each prints one
`bench: key=value ...` line (measure.py --post merges it into the run).

  check.py count FILE [WANT [STATS.json]]
      records (JSON Lines objects in FILE), ok (records whose "error" is
      absent or null), dup (URLs seen more than once), and complete=yes|no
      (records == WANT, every one ok, no duplicates); with zscrape's
      --stats file, sink_wall_s (the crawl's time as the sink saw it)
  check.py wget2 FILE.csv [WANT]
      the same counts from wget2's --stats-site=csv:FILE (one row a
      URL it asked for; robots.txt rows left out; ok = status 200)
  check.py compare A.jsonl B.jsonl [SAMPLE] [FIELD...]
      compares FIELDs (default: title price tags image links) of the URLs
      in both files, on SAMPLE of them (default 500, picked with a fixed
      seed): prints cmp_sample=N cmp_equal=N cmp_common=N (URLs in both)
      and the first differences on stderr
"""
import csv
import json
import random
import sys


def key(url):
    """A record's URL without its fragment (Crawlee keeps the one of the
    first link it saw)."""
    return url.split("#", 1)[0] if isinstance(url, str) else url


def load(path):
    recs = []
    try:
        with open(path, "rb") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if isinstance(r, dict):
                    recs.append(r)
    except OSError:
        pass
    return recs


def load_wget2(path):
    """wget2's site statistics as records: url, and error null for 200"""
    recs = []
    try:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                url = row.get("URL") or ""
                if url.split("?")[0].endswith("/robots.txt"):
                    continue
                recs.append({"url": url, "error": None if
                             row.get("Status") == "200" else
                             "status %s" % row.get("Status")})
    except OSError:
        pass
    return recs


def count(path, want=None, stats=None, recs=None):
    recs = load(path) if recs is None else recs
    urls = [key(r.get("url")) for r in recs]
    ok = sum(1 for r in recs if r.get("error") is None)
    dup = len(urls) - len(set(urls))
    line = "bench: records=%d ok=%d dup=%d" % (len(recs), ok, dup)
    if want is not None:
        complete = len(recs) == want and ok == want and dup == 0
        line += " complete=%s" % ("yes" if complete else "no")
    if stats:
        try:
            with open(stats) as f:
                line += " sink_wall_s=%s" % json.load(f)["wall_s"]
        except (OSError, ValueError, KeyError):
            pass
    print(line)


def compare(a_path, b_path, sample=500, fields=None):
    fields = fields or ["title", "price", "tags", "image", "links"]
    a = {key(r.get("url")): r for r in load(a_path)}
    b = {key(r.get("url")): r for r in load(b_path)}
    common = sorted(set(a) & set(b) - {None})
    rng = random.Random(11)
    pick = rng.sample(common, min(sample, len(common)))
    equal = 0
    shown = 0
    for u in pick:
        diff = [f for f in fields if a[u].get(f) != b[u].get(f)]
        if not diff:
            equal += 1
        elif shown < 5:
            shown += 1
            for f in diff:
                sys.stderr.write("%s %s:\n  A %r\n  B %r\n"
                                 % (u, f, a[u].get(f), b[u].get(f)))
    print("bench: cmp_sample=%d cmp_equal=%d cmp_common=%d"
          % (len(pick), equal, len(common)))


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "count":
        count(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None,
              sys.argv[4] if len(sys.argv) > 4 else None)
    elif len(sys.argv) >= 3 and sys.argv[1] == "wget2":
        count(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None,
              recs=load_wget2(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3],
                int(sys.argv[4]) if len(sys.argv) > 4 else 500,
                sys.argv[5:] or None)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
