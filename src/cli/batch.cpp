// batch.cpp — --once / --batch output loop (see batch.hpp).
#include "uwsgitop/cli/batch.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/cli/batch_stacks.hpp"
#include "uwsgitop/output/dump.hpp"

namespace uwsgitop {

Written write_output(std::string_view text) {
    errno = 0;
    const bool whole = (text.empty() || std::fwrite(text.data(), 1, text.size(), stdout) == text.size()) &&
                       std::fflush(stdout) == 0;
    if (whole) return Written::Ok;
    const int err = errno;
    if (err == EPIPE) return Written::Closed;
    std::fprintf(stderr, "uwsgitop: cannot write output: %s\n",
                 err ? std::strerror(err) : "short write");
    return Written::Failed;
}

int exit_after_write(Written written, int so_far) { return written == Written::Failed ? 1 : so_far; }

int run_batch(const Options& options, Pipeline& pipeline) {
    DumpOptions dump;
    dump.format = options.format;
    dump.columns = options.cores && !options.core_columns.empty() ? options.core_columns : options.columns;
    dump.sort = options.sort;
    dump.cores = options.cores;
    dump.batch = options.batch;
    dump.address = pipeline.label();
    dump.stuck_after = options.stuck_after;
    pipeline.keep_raw(options.format == OutputFormat::Raw);
    // Worker rows in a table or a delimited dump use no core data: the cores
    // are then passed over, not parsed (parse.hpp). json and prometheus show
    // or count them.
    const bool worker_rows_only =
        !options.cores && (options.format == OutputFormat::Table || options.format == OutputFormat::Tsv ||
                           options.format == OutputFormat::Csv);
    pipeline.set_scope(worker_rows_only ? ParseScope::NoCores : ParseScope::Everything);

    BatchStacks stacks(options);
    BatchCaptures captures(options);
    Snapshot snap;
    Rates rates;
    EventTracker events(event_options(options));
    std::vector<Event> new_events;
    std::string out;
    // 1 when the last read failed or none worked: a run that produced its
    // samples, a failed read in the middle (a reload) notwithstanding, is a success.
    int exit_code = 1;
    bool header_written = false;
    const long count = options.once ? 1 : options.iterations;
    for (long i = 0; count == 0 || i < count; ++i) {
        if (i > 0) {
            const auto paced = pipeline.source().delay_before_next();
            sleep_for_seconds(paced ? *paced : options.interval);
        }
        if (pipeline.source().exhausted()) break;
        Status st = pipeline.refresh(snap, rates);
        if (!st) {
            std::fprintf(stderr, "uwsgitop: %s\n", st.message().c_str());
            if (options.format == OutputFormat::Events) {
                new_events.clear();
                events.failure(st.message(), wall_clock_seconds(), pipeline.label(), new_events);
                out.clear();
                for (const Event& e : new_events) append_event_json(e, out);
                if (const Written w = write_output(out); w != Written::Ok) return exit_after_write(w, exit_code);
            }
            exit_code = 1;
            if (options.once || pipeline.source().exhausted()) break;
            continue;
        }
        exit_code = 0;
        if (options.format == OutputFormat::None) continue;  // a recorder: nothing to print
        out.clear();
        const double now = pipeline.last_wall_time();
        dump.stacks = stacks.read(snap);
        switch (options.format) {
            case OutputFormat::Raw: {
                const auto& raw = pipeline.raw();
                out.assign(raw.begin(), raw.end());
                if (options.batch && (out.empty() || out.back() != '\n')) out += '\n';
                break;
            }
            case OutputFormat::Json:
                dump_json(snap, &rates, now, dump, out);
                break;
            case OutputFormat::Tsv:
            case OutputFormat::Csv:
                dump.header = !header_written;
                dump_delimited(snap, &rates, now, dump, out);
                header_written = true;
                break;
            case OutputFormat::Events:
                new_events.clear();
                captures.capture(snap, rates);  // before the events: a stuck one carries its stack
                events.update(snap, now, pipeline.label(), new_events);
                captures.attach(new_events);
                for (const Event& e : new_events) append_event_json(e, out);
                break;
            case OutputFormat::Table:
            case OutputFormat::Prometheus:  // routed to run_fleet_batch by main
            case OutputFormat::OpenMetrics:
            case OutputFormat::None:        // skipped above
            case OutputFormat::Count_:      // not a format
                if (i > 0) out += '\n';
                dump_table(snap, &rates, now, dump, out);
                break;
        }
        if (const Written w = write_output(out); w != Written::Ok) return exit_after_write(w, exit_code);
    }
    return exit_code;
}

}  // namespace uwsgitop
