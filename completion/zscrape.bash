# bash completion for zscrape, zscrape-sink, zscrape-fetcher, zscrape-parser
# and zscrape-cluster
#
# Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/zscrape; or, by hand:
#     . completion/zscrape.bash
# Self-contained: it needs bash's own `complete`/`compgen` only, not the
# bash-completion package's helpers (it uses them when they are there).
#
# Keep the option lists in step with `zscrape help` and each program's
# --help (tests/t0040-docs.sh checks them).
#
# COMPREPLY=($(compgen ...)) is the usual idiom here: compgen prints one
# word a line and the file lists split on newlines only (local IFS).
# shellcheck disable=SC2207

_zscrape_commands="crawl try demo ps join sink fetcher parser keygen help
    --version"

_zscrape_crawl_opts="--seeds --rules -o --output --format --depth --scope
    --max-pages --fetchers --parsers --concurrency --per-host --delay
    --timeout --retries --user-agent --proxy --insecure --cacert --cert --key
    --http1.1 --header --auth --cookies --warc --proxies --robots --max-bytes
    --parse-timeout --max-depth --lease --grace --frontier-ram --listen
    --curve-keys --state --recrawl --force-resume --sync --stats
    --fail-on-errors --log-level --log-json -q --quiet -h --help"
# zscrape-cluster HOSTS_FILE: its own options, then the crawl's but those
# the hosts file sets
_zscrape_cluster_opts="--port --zscrape -V --version --window"
for _zscrape_o in $_zscrape_crawl_opts; do
    case $_zscrape_o in
    --fetchers|--parsers|--listen) ;;
    *) _zscrape_cluster_opts="$_zscrape_cluster_opts $_zscrape_o" ;;
    esac
done
unset _zscrape_o
_zscrape_try_opts="--rules --url --content-type --max-bytes -h --help"
_zscrape_demo_opts="-o --output -h --help"
_zscrape_sink_opts="--bind --curve-keys --keygen --seeds --rules -o --output
    --format --depth --scope --max-pages --window --lease --grace --frontier-ram --state
    --recrawl --force-resume --fail-on-errors --sync --stats --summary -q --quiet
    --log-level --log-json -h --help
    -V --version --concurrency --per-host --delay --timeout --retries
    --user-agent --proxy --insecure --cacert --cert --key --http1.1 --header
    --auth --cookies --warc --proxies --robots
    --max-bytes --parse-timeout --max-depth"
_zscrape_fetcher_opts="--coordinator --curve-keys --serve-parsers
    --concurrency --per-host --delay --timeout --retries --user-agent
    --max-bytes --proxy --insecure --cacert --cert --key --http1.1 --header
    --auth --cookies --warc --proxies --robots
    --log-level --log-json -h --help -V --version"
_zscrape_parser_opts="--coordinator --curve-keys --pages-from --rules
    --max-bytes --parse-timeout --max-depth --try --url --content-type --log-level --log-json -h --help
    -V --version"

# options that take no value (everything else starting with - takes one)
_zscrape_flags=" --insecure --http1.1 --log-json -q --quiet -h --help -V --version 
    --recrawl --force-resume --fail-on-errors --summary "

# _zscrape_files [dirs]: complete file (or folder) names for $cur
_zscrape_files()
{
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    if [ "${1:-}" = dirs ]; then
        COMPREPLY=($(compgen -d -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

# _zscrape_value OPT: complete the value of OPT for $cur; false when OPT
# takes no value
_zscrape_value()
{
    case $1 in
    --scope) COMPREPLY=($(compgen -W "host domain prefix any" -- "$cur")) ;;
    --format) COMPREPLY=($(compgen -W "jsonl csv sqlite" -- "$cur")) ;;
    --robots) COMPREPLY=($(compgen -W "on off" -- "$cur")) ;;
    --sync) COMPREPLY=($(compgen -W "always interval never" -- "$cur")) ;;
    --log-level)
        COMPREPLY=($(compgen -W "error warn info debug" -- "$cur")) ;;
    --seeds|--rules|-o|--output|--stats|--try|--zscrape|--cacert|--cert|\
    --key|--cookies|--warc|--proxies) _zscrape_files ;;
    --state|--curve-keys|--keygen) _zscrape_files dirs ;;
    --listen|--bind|--coordinator)
        case $cur in
        tcp://*|ipc://*) COMPREPLY=() ;;
        *) COMPREPLY=($(compgen -W "tcp:// ipc://" -- "$cur"))
           compopt -o nospace 2>/dev/null ;;
        esac ;;
    --content-type)
        COMPREPLY=($(compgen -W "text/html text/html;charset=utf-8" \
            -- "$cur")) ;;
    *)
        case $_zscrape_flags in *" $1 "*) return 1 ;; esac
        case $1 in
        -*) COMPREPLY=() ;;     # a number, a URL, a string: no guess
        *) return 1 ;;
        esac ;;
    esac
    return 0
}

_zscrape()
{
    local cur prev words cword
    cur=${COMP_WORDS[COMP_CWORD]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    prev=
    [ "$cword" -gt 0 ] && prev=${words[cword - 1]}
    COMPREPLY=()

    # --opt=value, split or not by COMP_WORDBREAKS
    if [ "$cur" = "=" ] && [[ $prev == -* ]]; then
        cur=
        _zscrape_value "$prev"
        return 0
    fi
    if [ "$prev" = "=" ] && [ "$cword" -gt 1 ] &&
        [[ ${words[cword - 2]} == -* ]]; then
        _zscrape_value "${words[cword - 2]}"
        return 0
    fi
    if [[ $cur == --*=* ]]; then
        local opt=${cur%%=*}
        cur=${cur#*=}
        _zscrape_value "$opt" || return 0
        local i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=$opt=${COMPREPLY[i]}
        done
        return 0
    fi

    # which program, which subcommand
    local prog=${words[0]##*/} cmd='' i
    case $prog in
    zscrape-sink|zscrape-fetcher|zscrape-parser|zscrape-cluster)
        cmd=${prog#zscrape-} ;;
    *)
        for ((i = 1; i < cword; i++)); do
            case ${words[i]} in
            -*) ;;
            *) cmd=${words[i]}; break ;;
            esac
        done
        if [ -z "$cmd" ]; then
            COMPREPLY=($(compgen -W "$_zscrape_commands" -- "$cur"))
            return 0
        fi ;;
    esac

    # the value of the option before the cursor
    if [[ $prev == -* ]] && _zscrape_value "$prev"; then
        return 0
    fi

    local opts
    case $cmd in
    crawl) opts=$_zscrape_crawl_opts ;;
    try) opts=$_zscrape_try_opts ;;
    demo) opts=$_zscrape_demo_opts ;;
    sink) opts=$_zscrape_sink_opts ;;
    fetcher) opts=$_zscrape_fetcher_opts ;;
    parser) opts=$_zscrape_parser_opts ;;
    keygen) _zscrape_files dirs; return 0 ;;
    cluster) opts=$_zscrape_cluster_opts ;;
    *) return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [ "$cmd" = cluster ] && [ "$cword" = 1 ]; then
        _zscrape_files      # the hosts file
    elif [ "$cmd" = try ]; then
        # the saved page
        local IFS=$'\n'
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -X '!*.*htm*' -- "$cur")
                   $(compgen -d -- "$cur"))
    fi
    return 0
}

complete -F _zscrape zscrape zscrape-sink zscrape-fetcher zscrape-parser \
    zscrape-cluster
