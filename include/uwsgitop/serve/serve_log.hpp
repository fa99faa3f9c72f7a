// serve_log.hpp — the exporter's log: one line per event on standard error,
// refusals rate-limited so that an attack cannot flood the journal.
//
// Levels (--log-level), each including the ones before it:
//   error   a reload whose file is bad (the previous one stays)
//   warn    a target that goes down (with its error), refused requests and
//           connections, connection-limit hits
//   info    start, a good reload, a target that comes back up (the default)
//   debug   every refused request on its own line, not rate-limited
// Refusals are counted by kind ("401 bad credentials", "403 probe target",
// "request deadline", ...): the first one of a kind in a minute is logged at
// once with its detail; the others of that kind in the same minute are
// summed into one line when the minute ends ("N more KIND in the last 60
// s"), written by tick() or the next refusal after it. A refusal's detail is
// cut to kMaxDetail bytes (at a UTF-8 boundary, "..." added): a client's
// 30 KB URL is not a 30 KB line. Thread-safe; every
// line starts with "uwsgitop: " and ends with a newline, and text that came
// from a client or a server is escaped by the caller.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "uwsgitop/settings/options.hpp"   // LogLevel

namespace uwsgitop {

// The parts of a log line in one string (appended in order: no temporary
// strings, and none of GCC 12's false -Wrestrict alarms on "x" + string).
template <class... Parts>
std::string log_text(const Parts&... parts) {
    std::string s;
    ((s += parts), ...);
    return s;
}

class ServeLog {
public:
    using Sink = std::function<void(const std::string& line)>;   // a whole line, newline included
    static constexpr double kWindowSeconds = 60;
    static constexpr std::size_t kMaxDetail = 300;

    // The default sink writes to stderr.
    explicit ServeLog(LogLevel level, Sink sink = {});

    bool enabled(LogLevel level) const { return level <= level_; }
    // One line at `level` (dropped when the level is off).
    void line(LogLevel level, std::string_view text);
    // One refusal of `kind` at `now` (monotonic seconds); `detail` is the
    // line for the first of its kind in a window (and for every one at debug).
    void refused(std::string_view kind, std::string_view detail, double now);
    // `count` refusals of `kind` seen elsewhere (the connection guard's
    // counters), none of them with a line of its own beyond the first.
    void refused_many(std::string_view kind, uint64_t count, std::string_view first_detail, double now);
    // Writes the summaries of the windows that ended by `now`.
    void tick(double now);
    // Writes the summaries of every window, ended or not (at exit: no
    // refusal goes uncounted).
    void finish(double now);

private:
    struct Window {
        double start = 0;
        uint64_t more = 0;   // refusals after the first in this window
    };
    void write(std::string_view text);
    void flush_locked(double now, bool all = false);

    const LogLevel level_;
    Sink sink_;
    std::mutex mutex_;
    std::map<std::string, Window, std::less<>> windows_;
};

}  // namespace uwsgitop
