# bash completion for uwsgitop                                -*- shell-script -*-
#
# Installed as <completionsdir>/uwsgitop (bash-completion loads it on first
# use) and also usable with a plain `source`: it needs nothing from the
# bash-completion package. Completes options, column names for --sort (also
# with the leading "-" that reverses it) and --columns/--core-columns (comma lists), formats
# for --format, files for --replay/--record/--targets/--config, and for ADDRESS: socket
# files, file:PATH and abstract sockets (@name, from /proc/net/unix).
# tests/test_docs.py checks the lists below against `uwsgitop --help`.

_uwsgitop_options='--once --batch --iterations --frequency --delay --format
--sort --reverse --columns --core-columns --cores --rows --timeout --max-size --record --record-max-size
--record-keep --replay --begin --end
--speed --loop --demo --action --wait --master-fifo --stacks --tracebacker --read-only --targets --workers --fleet-columns --serve-metrics --web-config-file --probe-allow
--web-max-connections --web-max-connections-per-ip --web-idle-timeout --web-request-timeout --log-level --web-max-request-size
--web-max-response-memory --scrape-timeout-offset --concurrency --event-queue-share --event-exceptions --stuck-after --follow-vassals
--no-color --color --theme --no-mouse --pane --filter --interval --config --no-config
--show-config --help --version'
_uwsgitop_short_options='-1 -b -n -f -d -o -s -r -c -t -h -V'
_uwsgitop_columns='id share pid requests rps cpu exceptions exc_rate signals
status avg_rt rt rss vsz tx tx_rate respawns harakiri running_time last_spawn
accepting core in_request method uri remote request_time static routed
offloaded write_errors read_errors'
_uwsgitop_formats='table json tsv csv raw prometheus openmetrics none events'

# _uwsgitop_value OPTION CUR: fills COMPREPLY for OPTION's value; returns 1
# when OPTION takes no value.
_uwsgitop_value()
{
    local opt=$1 cur=$2 prefix word
    case $opt in
        -s | --sort)
            prefix=
            if [[ $cur == -* ]]; then
                prefix=-
                cur=${cur#-}
            fi
            COMPREPLY=()
            for word in $_uwsgitop_columns; do
                [[ $word == "$cur"* ]] && COMPREPLY+=("$prefix$word")
            done
            ;;
        -c | --columns | --core-columns)
            # complete the last name of a comma list, keep the ones before it
            prefix=
            if [[ $cur == *,* ]]; then
                prefix=${cur%,*},
                cur=${cur##*,}
            fi
            COMPREPLY=()
            for word in $_uwsgitop_columns; do
                [[ ,$prefix == *",$word,"* ]] && continue   # already listed
                [[ $word == "$cur"* ]] && COMPREPLY+=("$prefix$word")
            done
            compopt -o nospace 2>/dev/null
            ;;
        -o | --format)
            COMPREPLY=($(compgen -W "$_uwsgitop_formats" -- "$cur"))
            ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
            ;;
        --theme)
            COMPREPLY=($(compgen -W "default light mono high-contrast colorblind" -- "$cur"))
            ;;
        --rows)
            COMPREPLY=($(compgen -W "workers cores tree" -- "$cur"))
            ;;
        --pane)
            COMPREPLY=($(compgen -W "workers vassals blacklist nodes static sockets locks caches spoolers daemons crons metrics events" -- "$cur"))
            ;;
        --action)
            COMPREPLY=($(compgen -W "reload-worker log-worker kill-worker chain-reload reload reload-workers pause add-worker remove-worker reopen-logs log-stats brutal-reload brutal-reload-workers" -- "$cur"))
            ;;
        --replay | --record | --targets | --web-config-file | --config | --master-fifo | --tracebacker)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
            ;;
        --log-level)
            COMPREPLY=($(compgen -W "error warn info debug" -- "$cur"))
            ;;
        -n | --iterations | -f | --frequency | -d | --delay | -t | --timeout | \
        --max-size | --record-max-size | --record-keep | --begin | --end | --speed | --serve-metrics | --concurrency | --event-queue-share | --event-exceptions | --stuck-after | --probe-allow | \
        --web-max-connections | --web-max-connections-per-ip | --web-idle-timeout | --web-request-timeout | \
        --web-max-request-size | --web-max-response-memory | --scrape-timeout-offset | --interval | --filter | --wait)
            COMPREPLY=()   # a number, a pattern, HOST:PORT or free text: nothing to offer
            ;;
        *)
            return 1
            ;;
    esac
    return 0
}

# Sets cur and prev from the command line split at blanks only. Bash also
# splits words at ":" and "=" (COMP_WORDBREAKS), which would cut
# "file:PATH", "HOST:PORT" and "--sort=COLUMN" apart.
_uwsgitop_words()
{
    local line words
    if [[ -n ${COMP_LINE-} ]]; then
        line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}
        read -ra words <<<"$line"
        if [[ $line == *[[:blank:]] ]]; then
            words+=("")
        fi
        cur=${words[${#words[@]} - 1]}
        prev=
        ((${#words[@]} > 1)) && prev=${words[${#words[@]} - 2]}
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=
        ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    fi
    return 0
}

# Replies were made for the whole blank-separated word; bash replaces only
# the part after the last ":" or "=" that is in COMP_WORDBREAKS: drop the
# text up to there.
_uwsgitop_trim()
{
    local word=$1 i j c drop
    for ((i = ${#word} - 1; i >= 0; i--)); do
        c=${word:i:1}
        if [[ ($c == : || $c == =) && ${COMP_WORDBREAKS-} == *"$c"* ]]; then
            drop=${word:0:i+1}
            for j in "${!COMPREPLY[@]}"; do
                COMPREPLY[j]=${COMPREPLY[j]#"$drop"}
            done
            return 0
        fi
    done
    return 0
}

_uwsgitop()
{
    local cur prev opt
    COMPREPLY=()
    _uwsgitop_words
    local word=$cur

    if [[ $cur == --*=* ]]; then
        # --opt=value
        opt=${cur%%=*}
        _uwsgitop_value "$opt" "${cur#*=}" || COMPREPLY=()
        local i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=$opt=${COMPREPLY[i]}
        done
    elif [[ -n $prev ]] && _uwsgitop_value "$prev" "$cur"; then
        # "--opt value"; a "--sort -requests" value starts with "-" too, so
        # this comes before the option list
        :
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$_uwsgitop_options $_uwsgitop_short_options" -- "$cur"))
    elif [[ $cur == @* ]]; then
        # abstract unix sockets bound on this machine
        local abstract=
        if [[ -r /proc/net/unix ]]; then
            abstract=$(awk 'NR > 1 && substr($NF, 1, 1) == "@" { print $NF }' /proc/net/unix 2>/dev/null | sort -u)
        fi
        COMPREPLY=($(compgen -W "$abstract" -- "$cur"))
    elif [[ $cur == file:* ]]; then
        compopt -o filenames 2>/dev/null
        local f
        while IFS= read -r f; do
            COMPREPLY+=("file:$f")
        done < <(compgen -f -- "${cur#file:}")
    else
        # ADDRESS: a unix socket (or any file, for file:PATH's sake)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    _uwsgitop_trim "$word"
    return 0
}
complete -F _uwsgitop uwsgitop
