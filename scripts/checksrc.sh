#!/bin/sh
# checksrc.sh: the house-style lint (after curl's checksrc).  Checks every
# .c and .h under common/ fetcher/ parser/ sink/ tests/unit/ (or the files
# given as arguments) for tabs, lines over 80 columns, // comments and
# banned calls (sprintf strcpy strcat strtok gets atoi).  Comments and
# string literals are skipped for the last two.  Prints FILE:LINE: problem
# for each finding; exits 1 if there was any, 0 if none.
set -eu

cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
    files="$*"
else
    dirs=
    for d in common fetcher parser sink tests/unit; do
        [ -d "$d" ] && dirs="$dirs $d"
    done
    [ -n "$dirs" ] || exit 0
    # shellcheck disable=SC2086
    files=$(find $dirs -type f \( -name '*.c' -o -name '*.h' \) |
            LC_ALL=C sort)
fi
[ -n "$files" ] || exit 0

# shellcheck disable=SC2086
LC_ALL=C awk -v maxcol=80 '
BEGIN {
    banned = "(^|[^A-Za-z0-9_])(sprintf|strcpy|strcat|strtok|gets|atoi)" \
             "[ \t]*\\("
}

FNR == 1 { incomment = 0 }

function report(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg
    bad++
}

{
    line = $0
    sub(/\r$/, "", line)

    if (index(line, "\t"))
        report("tab")

    # columns: UTF-8 characters, not bytes
    t = line
    cont = gsub(/[\200-\277]/, "", t)
    width = length(line) - cont
    if (width > maxcol)
        report("line longer than " maxcol " columns (" width ")")

    # blank out comments and the insides of literals
    code = ""
    quote = ""
    n = length(line)
    i = 1
    while (i <= n) {
        c = substr(line, i, 1)
        d = substr(line, i + 1, 1)
        if (incomment) {
            if (c == "*" && d == "/") {
                incomment = 0
                code = code "  "
                i += 2
            } else {
                code = code " "
                i++
            }
        } else if (quote != "") {
            if (c == "\\") {
                code = code "  "
                i += 2
            } else {
                if (c == quote)
                    quote = ""
                code = code (quote == "" ? c : " ")
                i++
            }
        } else if (c == "/" && d == "*") {
            incomment = 1
            code = code "  "
            i += 2
        } else if (c == "/" && d == "/") {
            report("// comment (use /* */)")
            break
        } else {
            if (c == "\"" || c == "\047")
                quote = c
            code = code c
            i++
        }
    }

    rest = code
    while (match(rest, banned)) {
        call = substr(rest, RSTART, RLENGTH)
        sub(/^[^A-Za-z]/, "", call)
        sub(/[ \t]*\($/, "", call)
        report("banned call " call "()")
        rest = substr(rest, RSTART + RLENGTH)
    }
}

END { exit bad ? 1 : 0 }
' $files
