#!/bin/bash
# t0010: crawl options the server can see (--user-agent, --retries on 5xx,
# --max-pages) and the other output formats (CSV and SQLite, chosen by
# the file's extension), which hold the same records as JSON Lines.
. "$(dirname "$0")/lib.sh"
require_bins

python3 "$ROOT/tests/gen-pages.py" "$T/www/p" 30 --links 1
nginx_start '
        location = /flaky { return 503; }
'
python3 "$ROOT/tests/gen-pages.py" "$T/gen" 30 --base "$BASE/p/" \
    --seeds "$T/seeds.txt"

# crawl NAME ARGS...: a crawl that must exit 0; stderr in $T/NAME.err
crawl()
{
    local name=$1 rc=0
    shift
    zs crawl -q "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
    assert_no_crash "$T/$name.err"
    if [ $rc != 0 ]; then
        tail -n 10 "$T/$name.err" >&2
        fail "$name: crawl exited $rc, want 0"
    fi
}

# --user-agent reaches the server
crawl ua --user-agent "zs-test/1.0 (t0010)" -o "$T/ua.jsonl" "$BASE/p/0001.html"
grep -qF '"zs-test/1.0 (t0010)"' "$T/nginx/access.log" ||
    fail "--user-agent not seen by the server"

# --retries 2 on a 503: three requests, then an http error record
crawl retries --retries 2 -o "$T/retries.jsonl" "$BASE/flaky"
n=$(grep -c ' /flaky 503 ' "$T/nginx/access.log" || true)
assert_eq "$n" 3 "requests for a 503 page with --retries 2"
records_py "$T/retries.jsonl" '
if len(recs) != 1 or recs[0]["status"] != 503 or recs[0]["error"] != "http":
    die("want one record with status 503, error http: %s" % recs)
'

# --max-pages 10 of 30 seeds
crawl max --max-pages 10 --seeds "$T/seeds.txt" -o "$T/max.jsonl"
n=$(count_records "$T/max.jsonl")
assert_eq "$n" 10 "records with --max-pages 10"

# the same 30 pages as JSON Lines, CSV and SQLite
crawl jsonl --seeds "$T/seeds.txt" -o "$T/all.jsonl"
crawl csv --seeds "$T/seeds.txt" -o "$T/all.csv"
crawl sqlite --seeds "$T/seeds.txt" -o "$T/all.db"
records_py "$T/all.jsonl" '
import csv, sqlite3
csv_path, db_path = args
cols = list(recs[0].keys())
def norm(v):
    """a JSON value as the CSV/SQLite cell that should hold it"""
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)
skip = ("elapsed_ms", "fetched_at")
want = sorted(tuple(norm(r[c]) for c in cols if c not in skip) for r in recs)

with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
if rows[0] != cols:
    die("CSV header %s, want %s" % (rows[0], cols))
got = []
for row in rows[1:]:
    d = dict(zip(cols, row))
    got.append(tuple(d[c] if d[c] != "" else None
                     for c in cols if c not in skip))
got.sort()
if got != want:
    die("CSV rows differ from JSON Lines, first: %s vs %s" %
        ([g for g in got if g not in want][:1], [w for w in want if w not in got][:1]))

db = sqlite3.connect(db_path)
tcols = [r[1] for r in db.execute("PRAGMA table_info(pages)")]
if tcols != cols:
    die("SQLite columns %s, want %s" % (tcols, cols))
pk = [r[1] for r in db.execute("PRAGMA table_info(pages)") if r[5]]
if pk != ["url"]:
    die("SQLite primary key %s, want [url]" % pk)
got = sorted(tuple(norm(v) for c, v in zip(tcols, row) if c not in skip)
             for row in db.execute("SELECT * FROM pages"))
if got != want:
    die("SQLite rows differ from JSON Lines, first: %s vs %s" %
        ([g for g in got if g not in want][:1], [w for w in want if w not in got][:1]))
' "$T/all.csv" "$T/all.db"
check_records "$T/all.jsonl"
