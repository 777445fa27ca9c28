#!/bin/bash
# t0040: the man pages and the bash completion agree with the programs.
#
# - every long option (--[a-z0-9-]+, and --http1.1) that a program's
#   --help prints appears
#   in its man page, and every one the man page names is in --help
#   (zscrape help and every `zscrape COMMAND --help` <-> man/zscrape.1,
#   zscrape-ROLE --help <->
#   man/zscrape-ROLE.1, zscrape-cluster --help <-> man/zscrape-cluster.1);
# - the man pages render without groff warnings (skipped with a note when
#   groff is not installed), and `man -l` shows the NAME line;
# - completion/zscrape.bash loads in bash, registers `zscrape`, completes
#   `zscrape crawl --sc` to --scope, the values of --scope, --format,
#   --robots, --sync and --log-level, and offers every long option that
#   `zscrape help` and each program's --help print (zscrape-cluster too,
#   with a file for its first argument);
# - each command has its own short --help (crawl, try, demo, ps, join,
#   keygen: exit 0, not the overview, try/demo/ps/join/keygen at most 15
#   lines, crawl at most 80), a mistyped option or command gets "did you
#   mean" (the launcher's and the programs' own), and the man page's
#   SYNOPSIS names every command;
# - nothing a user gets (README, man pages, demo/, examples/, --help,
#   the completion) points at DESIGN.md, which users do not have.
. "$(dirname "$0")/lib.sh"
require_bins

MAN=$ROOT/man
COMP=$ROOT/completion/zscrape.bash

# help_opts CMD...: the long options CMD prints, one a line, sorted
help_opts()
{
    local out
    out=$("$@" 2>&1) || fail "'$*' exited $?"
    printf '%s\n' "$out" | grep -oE -- '--[a-z][a-z0-9-]*(\.[0-9]+)*' | sort -u
}

# man_opts FILE: the long options a man page's source names (\- is -,
# font escapes dropped), one a line, sorted
man_opts()
{
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' "$1" |
        grep -v '^\.\\"' | grep -oE -- '--[a-z][a-z0-9-]*(\.[0-9]+)*' | sort -u
}

problems=0
# compare NAME MANPAGE CMD...
compare()
{
    local name=$1 page=$2
    shift 2
    [ -f "$page" ] || fail "no man page $page"
    help_opts "$@" >"$T/$name.help"
    man_opts "$page" >"$T/$name.man"
    [ -s "$T/$name.help" ] || fail "'$*' prints no long option"
    local missing extra
    missing=$(comm -23 "$T/$name.help" "$T/$name.man" | paste -sd' ')
    extra=$(comm -13 "$T/$name.help" "$T/$name.man" | paste -sd' ')
    if [ -n "$missing" ]; then
        echo "$name: in --help but not in $(basename "$page"): $missing" >&2
        problems=$((problems + 1))
    fi
    if [ -n "$extra" ]; then
        echo "$name: in $(basename "$page") but not in --help: $extra" >&2
        problems=$((problems + 1))
    fi
    note "$name: $(wc -l <"$T/$name.help") long options, both ways"
}

# every command's own --help, together: the launcher's page names them
all_helps()
{
    local c
    "$ZSCRAPE" help || return
    for c in crawl try demo ps join keygen; do
        "$ZSCRAPE" "$c" --help || return
    done
}
compare zscrape "$MAN/zscrape.1" all_helps
help_opts "$ZSCRAPE" crawl --help >"$T/zscrape-crawl.help"
compare zscrape-cluster "$MAN/zscrape-cluster.1" \
    "$ROOT/scripts/zscrape-cluster" --help
for role in sink fetcher parser; do
    compare "zscrape-$role" "$MAN/zscrape-$role.1" "$BIN/zscrape-$role" --help
done
[ $problems = 0 ] || fail "$problems option lists differ between --help and the man pages"

# ---------------------------------------------------------------- rendering
pages=("$MAN"/zscrape.1 "$MAN"/zscrape-sink.1 "$MAN"/zscrape-fetcher.1 \
       "$MAN"/zscrape-parser.1 "$MAN"/zscrape-cluster.1)
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "${pages[@]}" >"$T/groff.log" 2>&1 ||
        { cat "$T/groff.log" >&2; fail "groff failed on the man pages"; }
    if [ -s "$T/groff.log" ]; then
        cat "$T/groff.log" >&2
        fail "groff warns about the man pages"
    fi
    for p in "${pages[@]}"; do
        n=$(basename "$p" .1)
        groff -man -Tutf8 -P-cbou "$p" 2>/dev/null >"$T/$n.txt"
        grep -q "^NAME" "$T/$n.txt" || fail "$n.1 renders without a NAME section"
        grep -qE "^ +$n +- " "$T/$n.txt" || fail "$n.1: NAME line is not '$n - ...'"
        for s in SYNOPSIS DESCRIPTION OPTIONS "SEE ALSO"; do
            [ "$n" = zscrape ] && [ "$s" = OPTIONS ] && s="CRAWL OPTIONS"
            grep -q "^$s" "$T/$n.txt" || fail "$n.1 has no $s section"
        done
    done
    for s in "EXIT STATUS" SIGNALS FILES EXAMPLES "RULE FILE" OUTPUT; do
        grep -q "^$s" "$T/zscrape.txt" || fail "zscrape.1 has no $s section"
    done
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=80 man -l "$MAN/zscrape.1" 2>"$T/man.err" | head -n 5 \
            >"$T/man.head" || true
        grep -qE "zscrape +- +crawl" "$T/man.head" ||
            { cat "$T/man.head" "$T/man.err" >&2; fail "man -l man/zscrape.1 shows no NAME line"; }
    else
        note "man is not installed: 'man -l' not tried"
    fi
else
    note "groff is not installed: rendering not checked (apt-get install groff-base man-db)"
fi

# ---------------------------------------------------------------- completion
[ -f "$COMP" ] || fail "no completion script $COMP"
out=$(bash -c '. "$1" && complete -p zscrape' x "$COMP" 2>&1) ||
    fail "completion does not load: $out"
case $out in
*"-F "*" zscrape") ;;
*) fail "complete -p zscrape: '$out', want a -F function" ;;
esac
for p in zscrape-sink zscrape-fetcher zscrape-parser zscrape-cluster; do
    bash -c '. "$1" && complete -p "$2"' x "$COMP" "$p" >/dev/null 2>&1 ||
        fail "no completion for $p"
done

# complete WORD...: what the completion offers for the command line WORDs
# (the last one is the word under the cursor), one a line
complete_words()
{
    bash -c '
. "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
fn=$(complete -p "$1" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf "%s\n" "${COMPREPLY[@]}"' x "$COMP" "$@" 2>/dev/null | sed '/^$/d'
}

# expect_words WANT WORD...: the offered words are exactly WANT
expect_words()
{
    local want=$1 got
    shift
    got=$(complete_words "$@" | sort | paste -sd' ')
    # shellcheck disable=SC2086 # one word a line
    want=$(printf '%s\n' $want | sort | paste -sd' ')
    [ "$got" = "$want" ] || fail "completing '$*': got '$got', want '$want'"
}

expect_words "--scope" zscrape crawl --sc
expect_words "crawl" zscrape cr
expect_words "host domain prefix any" zscrape crawl --scope ""
expect_words "domain" zscrape crawl --depth 2 --scope d
expect_words "jsonl csv sqlite" zscrape crawl --format ""
expect_words "on off" zscrape crawl --robots ""
expect_words "always interval never" zscrape crawl --sync ""
expect_words "error warn info debug" zscrape crawl --log-level ""
expect_words "--scope=prefix" zscrape crawl --scope=p
expect_words "" zscrape crawl --depth ""
expect_words "--frontier-ram" zscrape-sink --fron
expect_words "--parse-timeout" zscrape parser --parse-t
expect_words "--port" zscrape-cluster hosts.txt --po
expect_words "" zscrape-cluster hosts.txt --fetch

# files for --seeds, --rules, -o, --stats; folders for --state
mkdir -p "$T/c/state.d"
: >"$T/c/seeds.txt"
: >"$T/c/shop.rules"
cd "$T/c" || fail "cd $T/c"
expect_words "seeds.txt" zscrape crawl --seeds se
expect_words "shop.rules" zscrape crawl --rules sh
expect_words "shop.rules" zscrape crawl -o sh
expect_words "state.d" zscrape crawl --state st
expect_words "state.d" zscrape crawl --stats st
expect_words "seeds.txt" zscrape-cluster se
cd "$T" || fail "cd $T"

# every long option of every --help is offered (less those its help only
# names in passing: the workers' --coordinator in the launcher's, the
# sink's and the cluster launcher's, the launcher's --depth in the
# fetcher's, try's --url, the CURVE sentence's --curve-keys, the options
# the cluster launcher refuses)
for role in "zscrape crawl:zscrape-crawl.help:coordinator|url|version" \
            "zscrape-sink:zscrape-sink.help:coordinator" \
            "zscrape-fetcher:zscrape-fetcher.help:depth" \
            "zscrape parser:zscrape-parser.help:" \
            "zscrape-cluster hosts.txt:zscrape-cluster.help:coordinator|curve-keys|bind|listen|fetchers|parsers"; do
    IFS=: read -r words help skip <<<"$role"
    # shellcheck disable=SC2086
    complete_words $words -- | sort -u >"$T/offered"
    grep -vxE -- "--($skip)" "$T/$help" >"$T/want" || true
    missing=$(comm -23 "$T/want" "$T/offered" | paste -sd' ')
    [ -z "$missing" ] || fail "'$words --' does not offer: $missing"
done
expect_words "--rules --url --content-type --max-bytes --help" zscrape try --

# ---------------------------------------------------------------- help
"$ZSCRAPE" help >"$T/overview" || fail "zscrape help exited $?"
for c in crawl try demo ps join keygen; do
    "$ZSCRAPE" "$c" --help >"$T/help-$c" 2>&1 ||
        fail "zscrape $c --help exited $?"
    head -n 1 "$T/help-$c" | grep -q "^usage: zscrape $c" ||
        fail "zscrape $c --help does not start with its usage:" \
             "$(head -n 1 "$T/help-$c")"
    cmp -s "$T/overview" "$T/help-$c" &&
        fail "zscrape $c --help prints the overview"
    n=$(wc -l <"$T/help-$c")
    max=15
    [ "$c" = crawl ] && max=80
    [ "$n" -le $max ] ||
        fail "zscrape $c --help: $n lines, want at most $max"
    note "zscrape $c --help: $n lines"
done
[ "$(wc -l <"$T/overview")" -le 25 ] || fail "zscrape help is not short"
# did you mean: the launcher's commands and options, the programs' own
# did_you_mean WANT CMD...: CMD exits 2 and suggests WANT
did_you_mean()
{
    local want=$1 rc=0
    shift
    "$@" >/dev/null 2>"$T/dym.err" || rc=$?
    [ $rc = 2 ] || fail "'$*': exit $rc, want 2"
    grep -qF -- "did you mean $want?" "$T/dym.err" ||
        fail "'$*': no 'did you mean $want?' in: $(cat "$T/dym.err")"
}
did_you_mean --depth "$ZSCRAPE" crawl --dpeth 2 http://127.0.0.1:1/
did_you_mean --concurrency "$ZSCRAPE" crawl --concurency=4 x
did_you_mean --max-pages "$ZSCRAPE" crawl --max-page 3 x
did_you_mean --http1.1 "$ZSCRAPE" crawl --http1 x
did_you_mean crawl "$ZSCRAPE" crwal x
did_you_mean --rules "$ZSCRAPE" try --rule x page.html
did_you_mean --output "$ZSCRAPE" demo --ouput x
did_you_mean --depth "$BIN/zscrape-sink" --bind ipc:///x --dpeth 2
did_you_mean --concurrency "$BIN/zscrape-fetcher" --coordinator ipc:///x \
    --concurency 4
did_you_mean --parse-timeout "$BIN/zscrape-parser" --parse-timout 3
# no suggestion for a word near nothing, still exit 2
rc=0
"$ZSCRAPE" crawl --xyzzy-plugh x 2>"$T/dym.err" || rc=$?
assert_eq "$rc" 2 "exit status of an unknown option"
grep -q "unknown option '--xyzzy-plugh'" "$T/dym.err" ||
    fail "unknown option not named: $(cat "$T/dym.err")"
if grep -q "did you mean" "$T/dym.err"; then
    fail "a suggestion for a word near nothing: $(cat "$T/dym.err")"
fi
# the man page's SYNOPSIS names every command
if command -v groff >/dev/null 2>&1; then
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' "$T/zscrape.txt" >"$T/synopsis"
    for c in crawl try demo ps join keygen help; do
        grep -qE "zscrape $c( |$)" "$T/synopsis" ||
            fail "zscrape.1's SYNOPSIS lacks 'zscrape $c'"
    done
    grep -qF "zscrape sink|fetcher|parser" "$T/synopsis" ||
        fail "zscrape.1's SYNOPSIS lacks the roles"
fi

# ---------------------------------------------------------------- DESIGN.md
# the contract file is the developers'; users get the README and man pages
all_helps >"$T/all-helps" 2>&1
for role in sink fetcher parser; do "$BIN/zscrape-$role" --help; done \
    >>"$T/all-helps" 2>&1
"$ROOT/scripts/zscrape-cluster" --help >>"$T/all-helps" 2>&1 || true
refs=$(grep -rl "DESIGN\.md" "$ROOT/README.md" "$ROOT/man" "$ROOT/demo" \
    "$ROOT/examples" "$ROOT/completion" "$T/all-helps" 2>/dev/null || true)
[ -z "$refs" ] || fail "user documentation points at DESIGN.md: $refs"

note "man pages, groff and completion agree with --help"
exit 0
