# fish completion for uwsgitop, installed into share/fish/vendor_completions.d.
# Completes options, column names for --sort (also with the leading "-" that
# reverses it) and --columns/--core-columns (comma lists), formats for --format, files for
# --replay/--record/--targets, and for ADDRESS: socket files and abstract
# sockets (@name, from /proc/net/unix).
# tests/test_docs.py checks the lists below against `uwsgitop --help`.

set -l __uwsgitop_columns id share pid requests rps cpu exceptions exc_rate signals \
    status avg_rt rt rss vsz tx tx_rate respawns harakiri running_time last_spawn \
    accepting core in_request method uri remote request_time static routed \
    offloaded write_errors read_errors

function __uwsgitop_sort_values
    set -l token (commandline -ct)
    # "--sort=x" arrives whole; the value is what follows "="
    set -l value (string replace -r '^--sort=' '' -- $token)
    set -l prefix
    if string match -q -- '-*' $value; and not string match -q -- '--*' $value
        set prefix -
    end
    for c in $argv
        printf '%s%s\n' $prefix $c
    end
end

# true when the token being completed is the value of -s/--sort (fish does
# not offer an option's values for a token starting with "-" by itself)
function __uwsgitop_after_sort
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 1; and contains -- $tokens[-1] -s --sort
end

function __uwsgitop_column_list
    set -l token (commandline -ct)
    set -l value (string replace -r '^--(core-)?columns=' '' -- $token)
    set -l head
    if string match -q -- '*,*' $value
        set head (string replace -r '[^,]*$' '' -- $value)
    end
    set -l given (string split , -- $head)
    for c in $argv
        contains -- $c $given; or printf '%s%s\n' $head $c
    end
end

function __uwsgitop_address_files
    set -l token (commandline -ct)
    if string match -q -- 'file:*' $token
        for p in (__fish_complete_path (string sub -s 6 -- $token))
            printf 'file:%s\n' $p
        end
    else
        __fish_complete_path $token
    end
end

function __uwsgitop_abstract_sockets
    test -r /proc/net/unix; or return
    awk 'NR > 1 && substr($NF, 1, 1) == "@" { print $NF }' /proc/net/unix 2>/dev/null | sort -u
end

complete -c uwsgitop -f
complete -c uwsgitop -s 1 -l once -d 'Read one snapshot, print it and exit'
complete -c uwsgitop -s b -l batch -d 'Print a snapshot every interval without the screen'
complete -c uwsgitop -s n -l iterations -x -d 'With --batch: stop after N snapshots'
complete -c uwsgitop -s f -l frequency -x -d 'Refresh interval in seconds'
complete -c uwsgitop -s d -l delay -x -d 'Same as --frequency'
complete -c uwsgitop -s o -l format -x -a 'table json tsv csv raw prometheus openmetrics none events' -d 'Output of --once/--batch'
complete -c uwsgitop -s s -l sort -x -a "(__uwsgitop_sort_values $__uwsgitop_columns)" -d 'Sort rows by COLUMN; -COLUMN reverses'
complete -c uwsgitop -n __uwsgitop_after_sort -x -a "(__uwsgitop_sort_values $__uwsgitop_columns)"
complete -c uwsgitop -s r -l reverse -d 'Reverse the sort direction'
complete -c uwsgitop -s c -l columns -x -a "(__uwsgitop_column_list $__uwsgitop_columns)" -d 'Comma-separated columns to show'
complete -c uwsgitop -l core-columns -x -a "(__uwsgitop_column_list $__uwsgitop_columns)" -d 'Comma-separated columns of the core rows'
complete -c uwsgitop -l cores -d 'One row per core instead of per worker'
complete -c uwsgitop -l rows -x -a 'workers cores tree' -d 'The screen rows: workers, cores or tree'
complete -c uwsgitop -s t -l timeout -x -d 'Name lookup + connect + read timeout for one snapshot'
complete -c uwsgitop -l max-size -x -d 'Largest reply accepted, in MiB'
complete -c uwsgitop -l record -r -F -d 'Append every snapshot read to FILE'
complete -c uwsgitop -l record-max-size -x -d 'With --record: rotate FILE before it grows past MIB'
complete -c uwsgitop -l record-keep -x -d 'With --record-max-size: rotated files kept'
complete -c uwsgitop -l replay -r -F -d 'Play back a --record or --stats-push file'
complete -c uwsgitop -l begin -x -d 'With --replay: start at TIME (HH:MM[:SS] or ISO 8601)'
complete -c uwsgitop -l end -x -d 'With --replay: stop after TIME'
complete -c uwsgitop -l speed -x -d 'Replay speed factor (0: no waiting)'
complete -c uwsgitop -l loop -d 'With --replay: start again at the end'
complete -c uwsgitop -l demo -d 'Replay the bundled demo recording'
complete -c uwsgitop -l action -x -a 'reload-worker log-worker kill-worker chain-reload reload reload-workers pause add-worker remove-worker reopen-logs log-stats brutal-reload brutal-reload-workers' -d 'Send one action to a local instance'
complete -c uwsgitop -l wait -x -d 'With --action or the x menu: seconds to wait for the confirming snapshot'
complete -c uwsgitop -l master-fifo -r -F -d 'The master FIFO for --action and the x menu'
complete -c uwsgitop -l stacks -d 'With --once/--batch: Python stacks of each worker (uWSGI --py-tracebacker)'
complete -c uwsgitop -l tracebacker -r -F -d 'The --py-tracebacker PREFIX of the instance for --stacks'
complete -c uwsgitop -l read-only -d 'Never send an action (no x menu)'
complete -c uwsgitop -l targets -r -F -d 'More instances: ADDRESS or NAME=ADDRESS [fifo=PATH] [tracebacker=PREFIX] per line'
complete -c uwsgitop -l workers -d 'Several instances, tsv/csv: one row per worker'
complete -c uwsgitop -l fleet-columns -x -d 'Comma-separated columns of the fleet screen'
complete -c uwsgitop -l serve-metrics -x -d 'Serve Prometheus /metrics on HOST:PORT'
complete -c uwsgitop -l web-config-file -r -F -d 'TLS and basic auth for --serve-metrics (YAML)'
complete -c uwsgitop -l probe-allow -x -d 'Addresses /probe may poll (glob, repeatable)'
complete -c uwsgitop -l web-max-connections -x -d 'Open connections at most'
complete -c uwsgitop -l web-max-connections-per-ip -x -d 'Open connections per client address at most'
complete -c uwsgitop -l web-idle-timeout -x -d 'Close a connection idle this long'
complete -c uwsgitop -l web-request-timeout -x -d 'A whole request (headers and body) within this'
complete -c uwsgitop -l log-level -x -a 'error warn info debug' -d 'Metrics server: what to log on stderr'
complete -c uwsgitop -l web-max-request-size -x -d 'Largest request line + headers, KiB'
complete -c uwsgitop -l web-max-response-memory -x -d 'Older answers slow readers may hold, MiB'
complete -c uwsgitop -l scrape-timeout-offset -x -d 'Answer this long before the scrape timeout'
complete -c uwsgitop -l concurrency -x -d 'Threads for fleet targets that block'
complete -c uwsgitop -l event-queue-share -x -d 'Events: listen queue share of max_queue (percent)'
complete -c uwsgitop -l event-exceptions -x -d 'Events: exceptions gained in one interval'
complete -c uwsgitop -l stuck-after -x -d 'Seconds in one request before a worker is stuck (0 off)'
complete -c uwsgitop -l follow-vassals -d 'Add the vassals of an Emperor to the fleet'
complete -c uwsgitop -l no-color -d 'Do not use colours'
complete -c uwsgitop -l color -x -a 'auto always never' -d 'Colours: auto, always or never'
complete -c uwsgitop -l theme -x -a 'default light mono high-contrast colorblind' -d 'The colours of the screen'
complete -c uwsgitop -l no-mouse -d 'Do not ask the terminal for mouse reports'
complete -c uwsgitop -l pane -x -a 'workers vassals blacklist nodes static sockets locks caches spoolers daemons crons metrics events' -d 'The pane the screen starts on'
complete -c uwsgitop -l filter -x -d 'The rows filter the screen starts with'
complete -c uwsgitop -l interval -x -d 'Same as --frequency'
complete -c uwsgitop -l config -r -F -d 'Read settings from FILE'
complete -c uwsgitop -l no-config -d 'Read no settings file and no saved view'
complete -c uwsgitop -l show-config -d 'Print the settings in effect and where each came from'
complete -c uwsgitop -s h -l help -d 'Show the help and exit'
complete -c uwsgitop -s V -l version -d 'Show the version and exit'
# ADDRESS: abstract sockets, and files (unix sockets, file:PATH)
complete -c uwsgitop -n 'string match -q -- "@*" (commandline -ct)' -a '(__uwsgitop_abstract_sockets)' -d 'abstract socket'
complete -c uwsgitop -n 'not string match -q -- "-*" (commandline -ct); and not string match -q -- "@*" (commandline -ct)' -a '(__uwsgitop_address_files)'
