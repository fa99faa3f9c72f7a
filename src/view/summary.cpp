// summary.cpp — header facts (see summary.hpp).
#include "uwsgitop/view/summary.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

void put_int(std::string& out, const Int& v) {
    if (v) append_int(out, *v); else out += '-';
}

}  // namespace

namespace {

bool local_day(double t, std::tm& tm) {
    if (!std::isfinite(t)) return false;
    const std::time_t tt = static_cast<std::time_t>(std::floor(t));
    return localtime_r(&tt, &tm) != nullptr;
}

}  // namespace

ClockStyle replay_clock_style(const RecordPosition& at) {
    ClockStyle style;
    std::tm a{}, b{};
    if (local_day(at.first, a) && local_day(at.last, b)) {
        style.date = a.tm_year != b.tm_year || a.tm_yday != b.tm_yday;
    }
    if (at.gap < 0.01) style.decimals = 3;
    else if (at.gap < 1) style.decimals = 2;
    return style;
}

void append_clock(std::string& out, double t, ClockStyle style) {
    std::tm tm{};
    if (!local_day(t, tm)) {
        out += '-';
        return;
    }
    char buf[40];
    out.append(buf, std::strftime(buf, sizeof buf, style.date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm));
    if (style.decimals <= 0) return;
    const int digits = std::min(style.decimals, 3);
    const double scale = digits == 2 ? 100.0 : 1000.0;
    // The error of a double near 1.8e9 is 2.4e-7 s: far below the 1e-3
    // that keeps .29 from reading .28.
    const double frac = t - std::floor(t);
    const auto n = static_cast<int64_t>(std::min(scale - 1, std::floor(frac * scale + 1e-3)));
    out += '.';
    for (int64_t d = static_cast<int64_t>(scale) / 10; d >= 1; d /= 10) out += static_cast<char>('0' + n / d % 10);
}

void append_replay_clock(std::string& out, const RecordPosition& at, bool short_clock) {
    out += "replay ";
    ClockStyle style = replay_clock_style(at);
    if (short_clock) style.date = false;
    append_clock(out, at.time, style);
    out += ", ";
    append_int(out, static_cast<int64_t>(at.index + 1));
    out += '/';
    append_int(out, static_cast<int64_t>(at.count));
}

void summary_line1(const Snapshot& snap, const Rates* rates, double now, std::string& out,
                   const RecordPosition* replay, bool short_clock) {
    out += "uwsgi ";
    if (snap.version.empty()) out += '-'; else append_escaped(out, snap.version);
    out += " - ";
    if (replay) {
        append_replay_clock(out, *replay, short_clock);
    } else {
        const std::time_t t = static_cast<std::time_t>(now);
        std::tm tm{};
        char buf[64];
        if (localtime_r(&t, &tm)) {
            out.append(buf, std::strftime(buf, sizeof buf, short_clock ? "%H:%M:%S" : "%a %b %e %H:%M:%S %Y", &tm));
        }
    }
    if (snap.kind == SnapshotKind::Emperor) {
        out += " - vassals: ";
        append_int(out, static_cast<int64_t>(snap.vassals.size()));
        return;
    }
    if (snap.kind == SnapshotKind::Router) {
        out += " - sessions: ";
        put_int(out, snap.active_sessions);
        out += " - nodes: ";
        append_int(out, static_cast<int64_t>(snap.router_nodes.size()));
        return;
    }
    double req = 0, tx = 0;
    for (const Worker& w : snap.workers) {
        if (w.requests) req += static_cast<double>(*w.requests);
        if (w.tx) tx += static_cast<double>(*w.tx);
    }
    out += " - req: ";
    append_int(out, static_cast<int64_t>(req));
    out += " - RPS: ";
    const double rps = rates ? rates->total_requests : NAN;
    append_fixed(out, rps, 1);
    out += " - lq: ";
    put_int(out, snap.listen_queue);
    out += " - tx: ";
    append_bytes_human(out, static_cast<int64_t>(tx));
}

void summary_line2(const Snapshot& snap, const std::string& address, std::string& out) {
    out += "node: ";
    append_escaped(out, address);
    out += " - cwd: ";
    if (snap.cwd.empty()) out += '-'; else append_escaped(out, snap.cwd);
    out += " - uid: ";
    put_int(out, snap.uid);
    out += " - gid: ";
    put_int(out, snap.gid);
    out += " - masterpid: ";
    put_int(out, snap.pid);
}

void summary_line3(const Snapshot& snap, std::string& out) {
    const WorkerCounts c = count_workers(snap);
    out += "workers: ";
    append_int(out, c.total);
    out += " (busy ";
    append_int(out, c.busy);
    out += ", idle ";
    append_int(out, c.idle);
    if (c.cheap) { out += ", cheap "; append_int(out, c.cheap); }
    if (c.paused) { out += ", paused "; append_int(out, c.paused); }
    if (c.signal) { out += ", in signal "; append_int(out, c.signal); }
    out += ") - lq errors: ";
    put_int(out, snap.listen_queue_errors);
    out += " - load: ";
    put_int(out, snap.load);
    out += " - signal queue: ";
    put_int(out, snap.signal_queue);
}

}  // namespace uwsgitop
