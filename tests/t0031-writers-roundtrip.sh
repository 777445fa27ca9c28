#!/bin/bash
# t0031: the three writers hold the same content.  5,000 pages whose
# fields carry quotes, commas, newlines, tabs, non-ASCII text, arrays and
# nulls are crawled to JSON Lines, CSV and SQLite; the CSV is read back
# with Python's csv module, the database with Python's sqlite3 module, and
# every record must equal the JSON Lines one.
. "$(dirname "$0")/lib.sh"
require_bins

python3 - "$T/www/w" <<'PY'
import html, os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
tricky = ['plain', 'with "quotes"', 'comma, separated', 'new\nline',
          'tab\there', 'caf\u00e9 \u65e5\u672c \U0001F600', "it's",
          '""double""', ',leading', 'trailing,', 'cr\r\nlf', '\\back\\']
for i in range(5000):
    note = tricky[i % len(tricky)] + ' #%d' % i
    tags = ''.join('<li>%s</li>' % html.escape(t) for t in
                   tricky[i % 5: i % 5 + (i % 4)])
    with open(os.path.join(out, '%04d.html' % i), 'w', encoding='utf-8') as f:
        f.write('<!doctype html><meta charset="utf-8"><title>T%d %s</title>'
                '<div id="n" data-note="%s"></div><ul>%s</ul>\n'
                % (i, html.escape(tricky[(i + 3) % len(tricky)]),
                   html.escape(note, quote=True), tags))
PY
cat >"$T/rules.txt" <<'EOF2'
title    title        text
note     div#n        @data-note
tags     li           text     all
missing  span.nothing text
EOF2
nginx_start
for i in $(seq 0 4999); do printf '%s/w/%04d.html\n' "$BASE" "$i"; done \
    >"$T/seeds.txt"
for f in out.jsonl out.csv out.db; do
    timeout -k 5 "$ZS_LIMIT" "$ZSCRAPE" crawl -q --seeds "$T/seeds.txt" \
        --rules "$T/rules.txt" -o "$T/$f" 2>"$T/$f.err" ||
        { tail -n 5 "$T/$f.err" >&2; fail "crawl to $f failed"; }
    assert_no_crash "$T/$f.err"
done
python3 - "$T" <<'PY' || fail "the writers disagree"
import csv, json, sqlite3, sys
d = sys.argv[1]
cols = ['url', 'final_url', 'status', 'error', 'depth', 'elapsed_ms',
        'bytes', 'content_type', 'fetched_at', 'title', 'note', 'tags',
        'missing']
ref = {}
for line in open(d + '/out.jsonl', encoding='utf-8'):
    r = json.loads(line)
    assert list(r) == cols, list(r)
    ref[r['url']] = r
assert len(ref) == 5000, len(ref)
# a sample of the tricky values made it through as they were written
r0 = ref[[u for u in ref if u.endswith('/0003.html')][0]]
assert r0['note'] == 'new\nline #3', repr(r0['note'])
assert r0['missing'] is None
def same(url, got, kind):
    want = ref[url]
    for k in ('title', 'note', 'tags', 'missing', 'status', 'error',
              'final_url', 'depth', 'bytes', 'content_type'):
        if got[k] != want[k]:
            sys.exit('%s: %s: %s is %r, want %r' % (kind, url, k, got[k],
                                                   want[k]))
# CSV: header, then RFC 4180; arrays as JSON text, null as ''
with open(d + '/out.csv', newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f))
assert rows[0] == cols, rows[0]
assert len(rows) == 5001, len(rows)
for row in rows[1:]:
    g = dict(zip(cols, row))
    g['tags'] = json.loads(g['tags']) if g['tags'] else None
    for k in ('missing', 'error', 'content_type'):
        g[k] = g[k] or None
    for k in ('status', 'depth', 'bytes'):
        g[k] = int(g[k])
    same(g['url'], g, 'csv')
# SQLite: table pages, url the primary key; arrays as JSON text
db = sqlite3.connect(d + '/out.db')
got = db.execute('select %s from pages' % ', '.join(cols)).fetchall()
assert len(got) == 5000, len(got)
for row in got:
    g = dict(zip(cols, row))
    g['tags'] = json.loads(g['tags']) if g['tags'] is not None else None
    same(g['url'], g, 'sqlite')
pk = [r for r in db.execute('pragma table_info(pages)') if r[5]]
assert [r[1] for r in pk] == ['url'], pk
print('# 5000 records equal in jsonl, csv and sqlite', file=sys.stderr)
PY
exit 0
