#!/bin/bash
# t0014: the crawl's settings live with the sink.  `zscrape sink` gets the
# rules and the workers' options; a fetcher and a parser started with
# nothing but --coordinator (and before the sink: they wait for it) crawl
# with them:
#   - the records carry the rule file's fields (the parser got the rules);
#   - every request carries the sink's --user-agent, robots.txt is asked
#     for (--depth > 0 hands out --robots on) and --delay spaces requests;
#   - a worker's own flag wins over the sink's (a second fetcher with its
#     own --user-agent);
#   - a worker of another protocol version is refused with a message on
#     both sides: a hello of version 99 gets "zscrape-refused" and the sink
#     logs it; a parser talking to a sink of version 99 exits 1 saying so.
. "$(dirname "$0")/lib.sh"
require_bins

PY=/usr/bin/python3
nginx_start '
        location /slow/ { default_type text/html; echo_sleep 2;
                          echo "<title>slow</title>"; }'
python3 "$ROOT/tests/gen-site.py" "$T/www" 40 --base "$BASE" \
    --list "$T/pages.txt"
cat >"$T/rules.txt" <<'EOF'
heading   title      text
nlinks    a[href]    @href   all
EOF
PORT=$(free_ports 6)
[ -n "$PORT" ] || fail "no free port range"
COORD=tcp://127.0.0.1:$PORT

# the workers first: they wait for the sink
spawn "$ZSCRAPE" parser --coordinator "$COORD" --log-level info \
    2>"$T/parser.err"
PARSER=$SPAWN_PID
spawn "$ZSCRAPE" fetcher --coordinator "$COORD" --log-level info \
    2>"$T/fetcher.err"
FETCHER=$SPAWN_PID
sleep 0.5
kill -0 "$PARSER" && kill -0 "$FETCHER" ||
    fail "a worker without its sink did not wait for it"

# the sink: a slow seed keeps it up for the version probe below
spawn "$ZSCRAPE" sink --bind "$COORD" --depth 100 --rules "$T/rules.txt" \
    --user-agent "zs-handoff/1" --delay 20 --log-level info \
    -o "$T/out.jsonl" "$BASE/index.html" "$BASE/slow/1" 2>"$T/sink.err"
SINK=$SPAWN_PID

# a worker of protocol version 99 says hello
wait_until 10 grep -q "a parser joined" "$T/sink.err" ||
    fail "the parser did not join: $(tail -n 3 "$T/sink.err")"
reply=$($PY - "$COORD" "$PORT" <<'PY'
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.connect("tcp://127.0.0.1:%d" % (int(sys.argv[2]) + 5))
s.send(b"zscrape-hello 99 parser")
if s.poll(5000):
    print(s.recv().decode())
else:
    print("no answer")
PY
)
note "hello of version 99: '$reply'"
case $reply in
    "zscrape-refused "[0-9]*" the sink speaks protocol version "*) ;;
    *) fail "version 99 hello got '$reply', want zscrape-refused" ;;
esac
wait_until 5 grep -q "protocol version 99" "$T/sink.err" ||
    fail "the sink did not log the refused version"
grep "protocol version 99" "$T/sink.err" | head -n 1 | sed 's/^/# sink: /'

rc=0
wait "$SINK" || rc=$?
[ $rc = 0 ] || { tail -n 5 "$T/sink.err" >&2; fail "sink exit $rc"; }
for p in $PARSER $FETCHER; do
    wait_until 10 sh -c "! kill -0 $p 2>/dev/null" ||
        fail "worker $p still running after the sink finished"
done
assert_no_crash "$T/sink.err" "$T/parser.err" "$T/fetcher.err"
check_records "$T/out.jsonl" heading nlinks
records_py "$T/out.jsonl" '
n = len(recs)
if n != 41:
    die("%d records, want the 40 pages and /slow/1" % n)
for r in recs:
    if r["error"] is not None:
        die("%s: error %s" % (r["url"], r["error"]))
    if r["url"].endswith("/slow/1"):
        continue
    if not r["heading"].startswith("Page ") or not r["nlinks"]:
        die("%s: rule fields %r %r" % (r["url"], r["heading"], r["nlinks"]))
'
uas=$(awk -F'"' '{print $4}' "$T/nginx/access.log" | sort | uniq -c)
note "user agents: $(echo "$uas" | paste -sd,)"
[ "$(awk -F'"' '{print $4}' "$T/nginx/access.log" | sort -u)" = \
    "zs-handoff/1" ] || fail "requests without the sink's --user-agent"
grep -q '"GET /robots.txt ' "$T/nginx/access.log" ||
    fail "no robots.txt request: --robots on was not handed out"
grep -q "delay=20 pages=" "$T/fetcher.err" ||
    fail "the fetcher's start line does not show the sink's settings"
grep -q "rules=$T/rules.txt" "$T/parser.err" ||
    fail "the parser's start line does not name the sink's rules"

# a worker's own flag wins
: >"$T/nginx/access.log"
sed -i "s|^|$BASE|" "$T/pages.txt"
spawn "$ZSCRAPE" sink --bind "$COORD" --user-agent "zs-handoff/1" \
    -q --seeds "$T/pages.txt" -o "$T/out2.jsonl" 2>"$T/sink2.err"
SINK=$SPAWN_PID
spawn "$ZSCRAPE" parser --coordinator "$COORD" 2>"$T/parser2.err"
spawn "$ZSCRAPE" fetcher --coordinator "$COORD" --user-agent "mine/2" \
    2>"$T/fetcher2.err"
rc=0
wait "$SINK" || rc=$?
[ $rc = 0 ] || { tail -n 5 "$T/sink2.err" >&2; fail "sink 2 exit $rc"; }
[ "$(awk -F'"' '{print $4}' "$T/nginx/access.log" | sort -u)" = "mine/2" ] ||
    fail "the fetcher's own --user-agent did not win"
assert_eq "$(count_records "$T/out2.jsonl")" 40 "records of run 2"

# a sink of another version refuses our parser: it exits 1 and says why
P2=$(free_ports 6)
$PY - "$P2" >"$T/fake.out" 2>&1 <<'PY' &
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.ROUTER)
s.bind("tcp://127.0.0.1:%d" % (int(sys.argv[1]) + 5))
if s.poll(20000):
    ident, hello = s.recv_multipart()[:2]
    print(hello.decode(), flush=True)
    s.send_multipart([ident, b"zscrape-refused 99 the sink speaks "
                      b"protocol version 99"])
    s.poll(500)
PY
FAKE=$!
track_pid "$FAKE"
rc=0
"$ZSCRAPE" parser --coordinator "tcp://127.0.0.1:$P2" 2>"$T/parser3.err" ||
    rc=$?
wait "$FAKE" || true
note "parser against a version-99 sink: exit $rc:" \
    "$(head -n 1 "$T/parser3.err" | cut -c1-160)"
[ $rc = 1 ] || fail "the refused parser exited $rc, want 1"
grep -q "refused this worker.*protocol version 99" "$T/parser3.err" ||
    fail "the refused parser does not say why"
grep -Eq "^zscrape-hello [0-9]+ parser [0-9]+ [-0-9a-f]+ [0-9]+ [0-9]+$" "$T/fake.out" ||
    fail "the parser's hello: $(cat "$T/fake.out")"
