#!/bin/bash
# t0050: scripts/zscrape-cluster across network namespaces.  The test makes
# its own namespaces (names unique to the run): a switch (a bridge) and
# five hosts joined to it by veth pairs on 10.77.X.0/24 (X random): web
# (nginx serving the 20,000-page site of tests/gen-site.py), coord (the
# sink), fetch1, parse1 and parse2.  ZSCRAPE_RSH is `ip netns exec`, so a
# namespace's name is its HOST.  First, without namespaces: bad hosts
# files and options give exit 2 and FILE:LINE: messages.  Then four cases:
#   full   the hosts file names a fetcher in fetch1 and a parser in parse1
#          and parse2; the crawl from the index (--depth 1000) gives every
#          URL exactly once, all 200; each role's stderr is relayed with
#          its "HOST role: " prefix; nothing is left running in the
#          namespaces when the launcher exits.  The rule file and a
#          fetcher option are given to zscrape-cluster only: the sink hands
#          them to the workers (the records have the file's fields, the
#          requests its --user-agent).  The bytes on the coordinator's
#          cable (its veth's counters) per page are reported.
#   stop   SIGINT to the launcher mid-crawl with parse2 cut off the
#          network: the sink drains (--grace 2) and exits 0, and the
#          launcher stops parse2's parser (which cannot hear the sink) by
#          its remote PID; the records are pages of the site, none twice.
#   join   a crawl (--lease 5) of a 6,000-page site whose pages carry
#          40 KB more markup (parsing is the bottleneck) with one parser,
#          in parse1; its record rate is measured (over 1,000 records, not
#          seconds), then a parser started by hand in parse2 joins with
#          `zscrape parser --coordinator`, and the rate must rise by 10%
#          (1.4x to 1.7x measured on 2 cores; a low measure is taken once
#          more before failing).
#   cut    in the same crawl, parse2's cable (its veth on the switch) goes
#          down while it holds pages; the crawl still completes with every
#          URL once, all 200 (the sink's leases send what parse2 held
#          again: "redispatched" > 0).
# Every namespace (and so every veth) and every process in them is removed
# on exit, failure too.  Skipped when namespaces cannot be made or entered
# (not root, no ip command, a chroot), with the reason.
. "$(dirname "$0")/lib.sh"
require_bins

CLUSTER=$ROOT/scripts/zscrape-cluster
[ -x "$CLUSTER" ] || fail "'$CLUSTER' missing or not executable"

# ---------------------------------------------------------------- usage
# bad hosts files and options: exit 2 and a message, before any host is
# asked anything (ZSCRAPE_RSH=false would fail any start)
# bad_usage WANT_MESSAGE ARGS...
bad_usage()
{
    local want=$1 rc=0
    shift
    ZSCRAPE_RSH=false "$CLUSTER" "$@" >/dev/null 2>"$T/usage.err" || rc=$?
    assert_eq "$rc" 2 "exit status of zscrape-cluster $*"
    grep -qF -- "$want" "$T/usage.err" ||
        fail "zscrape-cluster $*: no '$want' in: $(cat "$T/usage.err")"
}
printf '# ok\n\nsink a\nfetcher b 2 # two\nparser c x\n' >"$T/bad1.hosts"
bad_usage "$T/bad1.hosts:5: COUNT 'x' is not a number" "$T/bad1.hosts"
printf 'sink a\nsink b\n' >"$T/bad2.hosts"
bad_usage "$T/bad2.hosts:2: a second sink" "$T/bad2.hosts"
printf 'sink a\nfetch b\n' >"$T/bad3.hosts"
bad_usage "$T/bad3.hosts:2: unknown role 'fetch'" "$T/bad3.hosts"
printf 'sink a\nparser b 1 2\n' >"$T/bad4.hosts"
bad_usage "$T/bad4.hosts:2: too many fields" "$T/bad4.hosts"
printf 'sink a\nparser b\n' >"$T/bad5.hosts"
bad_usage "$T/bad5.hosts: no fetcher line" "$T/bad5.hosts"
printf 'sink a\nfetcher b\nparser c\n' >"$T/ok.hosts"
bad_usage "standard input is not forwarded" "$T/ok.hosts" --seeds -
bad_usage "--fetchers: the hosts file sets the workers" "$T/ok.hosts" \
    --fetchers 2
bad_usage "--port: '70000' is not a port" "$T/ok.hosts" --port 70000
bad_usage "cannot read hosts file" "$T/missing.hosts"

declare -A IP=([web]=10 [coord]=1 [fetch1]=11 [parse1]=21 [parse2]=22)
HOSTS="web coord fetch1 parse1 parse2"
N=20000                 # pages of the site for the full case
N2=6000                 # pages of the (heavier) site for join and cut
PAD_KB=40               # markup added to each page for join and cut
LIMIT=80                # seconds for one cluster run

lan=()
for h in $HOSTS; do
    lan+=("$h=${IP[$h]}")
done
netns_lan "${lan[@]}"
P=$NETNS_P              # namespace names: ${P}sw, ${P}web, ...
NET=$NETNS_NET
note "namespaces ${P}{sw,${HOSTS// /,}} on $NET.0/24"

# Every page gets zs-pad.html appended (nginx's addition module): empty
# for the full case; PAD_KB of link-free markup for join and cut, so that
# parsing is the bottleneck there.
site_on_tmpfs
nginx_start "location / { add_after_body /zs-pad.html; }" \
    "$NET.${IP[web]}" "${P}web"
python3 "$ROOT/tests/gen-site.py" "$T/www" $N --base "$BASE" \
    --list "$T/pages.txt"
: >"$T/www/zs-pad.html"

export ZSCRAPE_RSH="ip netns exec"
COORD=tcp://$NET.${IP[coord]}:5570
CRAWL=(--zscrape "$ROOT/scripts/zscrape" --depth 1000 "$BASE/index.html")

# hosts_file NAME PARSER_HOST...: a hosts file $T/NAME.hosts
hosts_file()
{
    local name=$1 h
    shift
    {
        echo "# t0050 $name"
        echo "sink ${P}coord $NET.${IP[coord]}"
        echo "fetcher ${P}fetch1"
        for h in "$@"; do
            echo "parser $P$h 1    # one parser"
        done
    } >"$T/$name.hosts"
}

# check_all NAME [some]: $T/NAME.jsonl holds every page once (some: pages
# of the site, none twice), all 200, titled; the rule fields are FIELDS
# (default: title links)
FIELDS=()
check_all()
{
    check_records "$T/$1.jsonl" "${FIELDS[@]}"
    check_site_records "$T/$1.jsonl" "$BASE" "$T/pages.txt" "${2:-all}" "$1"
}

# check_gone NAME HOST...: no process left in those namespaces, no
# runtime folder left
check_gone()
{
    local name=$1 h left=
    shift
    for h in "$@"; do
        [ -z "$(ns_procs "$P$h")" ] || left="$left $h"
    done
    if [ -n "$left" ]; then
        for h in $left; do
            # shellcheck disable=SC2046
            ps -o pid=,args= -p $(ns_procs "$P$h" | paste -sd,) >&2
        done
        fail "$name: processes left running in:$left"
    fi
    ! ls -d "$TMPDIR"/zscrape-cluster.* >/dev/null 2>&1 ||
        fail "$name: runtime folder left: $(ls -d "$TMPDIR"/zscrape-cluster.*)"
}

# stat_of NAME KEY: a value of $T/NAME.stats.json
stat_of()
{
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$T/$1.stats.json" "$2"
}

now_ms() { date +%s%3N; }

# veth_bytes HOST: bytes received plus sent on HOST's eth0
veth_bytes()
{
    local rx tx
    rx=$(ip netns exec "$P$1" cat /sys/class/net/eth0/statistics/rx_bytes)
    tx=$(ip netns exec "$P$1" cat /sys/class/net/eth0/statistics/tx_bytes)
    echo $((rx + tx))
}

# ---------------------------------------------------------------- full
hosts_file full parse1 parse2
printf '%s\n' "title       title     text" \
    "links       a[href]   @href   all" \
    "first_link  a[href]   @href" >"$T/full.rules"
FIELDS=(title links first_link)
wire0=$(veth_bytes coord)
start=$(now_ms)
rc=0
timeout -k 5 $LIMIT "$CLUSTER" "$T/full.hosts" "${CRAWL[@]}" \
    --rules "$T/full.rules" --user-agent "zs-cluster/1" \
    -o "$T/full.jsonl" --stats "$T/full.stats.json" \
    >"$T/full.out" 2>"$T/full.err" || rc=$?
ms=$(($(now_ms) - start))
wire=$(($(veth_bytes coord) - wire0))
assert_no_crash "$T/full.err"
if [ $rc != 0 ]; then
    tail -n 20 "$T/full.err" >&2
    fail "full: zscrape-cluster exited $rc, want 0"
fi
check_gone full coord fetch1 parse1 parse2
check_all full
for r in "coord sink" "fetch1 fetcher" "parse1 parser" "parse2 parser"; do
    grep -q "^$P$r: .* INFO started" "$T/full.err" ||
        fail "full: no 'started' line prefixed '$P$r: ' in its stderr"
done
records_py "$T/full.jsonl" '
bad = [r["url"] for r in recs if not r["first_link"]]
if bad:
    die("%d records without first_link (the rules not handed out?): %s"
        % (len(bad), bad[:3]))
'
FIELDS=()
[ "$(awk -F'"' '{print $4}' "$T/nginx/access.log" | sort -u)" = \
    "zs-cluster/1" ] || fail "full: requests without the sink's --user-agent"
note "full: $N records in $ms ms ($((N * 1000 / ms)) pages/s)," \
    "1 fetcher, parsers in parse1 and parse2"
note "full: the coordinator's cable carried $wire bytes," \
    "$((wire / N)) a page (pages of $(($(du -sb "$T/www/" | cut -f1) / N))" \
    "bytes on disk; the sink's own count: $(stat_of full wire))"

# ---------------------------------------------------------------- stop
# Ctrl-C in the middle, with parse2 cut off (it cannot hear the sink's
# stop): the sink drains for its --grace, exits 0; the launcher stops
# parse2's parser by its PID (`ip netns exec ... kill`).
hosts_file stop parse1 parse2
# --foreground: else timeout passes our SIGINT on twice (to its child and
# to its process group), and two SIGINTs mean "stop now"
spawn timeout --foreground -k 5 $LIMIT "$CLUSTER" "$T/stop.hosts" \
    "${CRAWL[@]}" --grace 2 -o "$T/stop.jsonl" 2>"$T/stop.err"
LAUNCHER=$SPAWN_PID
wait_lines "$T/stop.jsonl" 3000 "$LAUNCHER" ||
    fail "stop: the crawl ended before 3000 records"
ip -n "${P}sw" link set parse2 down
kill -INT "$LAUNCHER"
start=$(now_ms)
rc=0
wait "$LAUNCHER" || rc=$?
ms=$(($(now_ms) - start))
ip -n "${P}sw" link set parse2 up
assert_no_crash "$T/stop.err"
if [ $rc != 0 ]; then
    tail -n 20 "$T/stop.err" >&2
    fail "stop: zscrape-cluster exited $rc after SIGINT, want 0"
fi
check_gone stop coord fetch1 parse1 parse2
check_all stop some
n=$(file_lines "$T/stop.jsonl")
[ "$n" -lt $N ] || fail "stop: $n records: the crawl was not cut short"
grep -q "^zscrape-cluster: stopping" "$T/stop.err" ||
    fail "stop: the launcher did not say it was stopping"
grep -q "^${P}parse2 parser: .* signal: stopping" "$T/stop.err" ||
    fail "stop: parse2's parser did not get the launcher's SIGTERM"
note "stop: SIGINT at 3000+ records with parse2 cut off: exit 0 after" \
    "$ms ms, $n records, nothing left running"

# ---------------------------------------------------------------- join
# A smaller site of heavier pages: parsing is the bottleneck.
rm -rf "${T:?}/www/"*
python3 "$ROOT/tests/gen-site.py" "$T/www" $N2 --base "$BASE" \
    --list "$T/pages.txt"
python3 -c '
import sys
kb = int(sys.argv[1])
row = ("<div class=\"row r%d\"><p>Lorem <b>ipsum</b> dolor <i>sit</i> amet, "
       "<span class=\"c\">consectetur</span> adipiscing elit.</p></div>\n")
out, size, i = [], 0, 0
while size < kb * 1024:
    out.append(row % i)
    size += len(out[-1])
    i += 1
sys.stdout.write("<section id=\"pad\">\n" + "".join(out) + "</section>\n")
' $PAD_KB >"$T/www/zs-pad.html"
N=$N2
hosts_file join parse1
spawn timeout -k 5 $LIMIT "$CLUSTER" "$T/join.hosts" "${CRAWL[@]}" \
    --lease 5 -o "$T/join.jsonl" --stats "$T/join.stats.json" \
    2>"$T/join.err"
LAUNCHER=$SPAWN_PID

# rate K: records a second while the next K records arrive (counted, not
# timed: a faster machine must not end the crawl before a measure)
rate()
{
    local n0 t0 t1
    n0=$(file_lines "$T/join.jsonl")
    t0=$(now_ms)
    wait_lines "$T/join.jsonl" $((n0 + $1)) "$LAUNCHER" ||
        fail "join: the crawl ended during a measure: make it longer"
    t1=$(now_ms)
    echo $(($1 * 1000 / (t1 - t0 + 1)))
}

# shellcheck disable=SC2317 # by wait_until
# connected NS N: NS has N or more TCP connections to the sink
connected()
{
    [ "$(ip netns exec "$1" ss -Htn state established \
        dst "$NET.${IP[coord]}" | wc -l)" -ge "$2" ]
}

wait_lines "$T/join.jsonl" 300 "$LAUNCHER" ||
    fail "join: the crawl ended before 300 records"
rate1=$(rate 1000)
spawn ip netns exec "${P}parse2" "$ROOT/scripts/zscrape" parser \
    --coordinator "$COORD" 2>"$T/join-parser2.err"
JOINED=$SPAWN_PID
# pages out, results, control
wait_until 10 connected "${P}parse2" 3 ||
    fail "join: the parser in parse2 did not connect to the sink"
at_join=$(file_lines "$T/join.jsonl")
rate2=$(rate 1500)
# Loose: 1.4x to 1.7x measured on 2 cores shared with nginx, the sink and
# the fetcher; other work on the machine can spoil one measure, so a low
# one is measured again before failing.
if [ $((rate2 * 10)) -lt $((rate1 * 11)) ]; then
    note "join: $rate1/s then $rate2/s: measuring again"
    rate2=$(rate 1500)
fi
note "join: $rate1 records/s with one parser (parse1), $rate2 with" \
    "parse2's joined ($at_join records when it joined)"
[ $((rate2 * 10)) -ge $((rate1 * 11)) ] ||
    fail "join: $rate1 records/s, then $rate2 with a second parser, want" \
        "10% more"

# ---------------------------------------------------------------- cut
ip -n "${P}sw" link set parse2 down
at_cut=$(file_lines "$T/join.jsonl")
start=$(now_ms)
rc=0
wait "$LAUNCHER" || rc=$?
ms=$(($(now_ms) - start))
assert_no_crash "$T/join.err" "$T/join-parser2.err"
if [ $rc != 0 ]; then
    tail -n 20 "$T/join.err" >&2
    fail "cut: zscrape-cluster exited $rc, want 0"
fi
check_gone cut coord fetch1 parse1
check_all join
redis=$(stat_of join redispatched)
note "cut: parse2 cut off at $at_cut records; the crawl ended $ms ms" \
    "later with $N records; redispatched=$redis" \
    "late_duplicates=$(stat_of join late_duplicates)"
[ "$redis" -gt 0 ] ||
    fail "cut: nothing redispatched: parse2 held no page when cut?"
stop_pids "$JOINED"
exit 0
