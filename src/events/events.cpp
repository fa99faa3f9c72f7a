// events.cpp — EventTracker: events from two successive snapshots (see events.hpp).
#include "uwsgitop/events/events.hpp"

#include <algorithm>
#include <cstdio>

namespace uwsgitop {

namespace {

// Status words that make an event when entered or left; busy/idle do not.
bool notable_status(std::string_view s) {
    return s == "cheap" || s == "pause" || (s.size() > 3 && s.substr(0, 3) == "sig");
}

std::string fact_string(const FactValue& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", *d);
        return buf;
    }
    return std::get<std::string>(v);
}

Event make(double time, std::string_view instance, EventKind kind, std::optional<int64_t> worker,
           std::vector<Fact> facts) {
    Event e;
    e.time = time;
    e.instance = std::string(instance);
    e.kind = kind;
    e.worker = worker;
    e.facts = std::move(facts);
    return e;
}

}  // namespace

const FactValue* Event::fact(std::string_view key) const {
    for (const auto& f : facts)
        if (f.key == key) return &f.value;
    return nullptr;
}

std::string event_text(const Event& e) {
    const std::string_view tpl = event_kind_info(e.kind).text;
    std::string out;
    std::size_t optional_at = std::string::npos;  // where the open [...] began in `out`
    bool optional_missing = false;
    for (std::size_t i = 0; i < tpl.size(); ++i) {
        if (tpl[i] == '[') {
            optional_at = out.size();
            optional_missing = false;
            continue;
        }
        if (tpl[i] == ']' && optional_at != std::string::npos) {
            if (optional_missing) out.resize(optional_at);
            optional_at = std::string::npos;
            continue;
        }
        if (tpl[i] != '{') {
            out += tpl[i];
            continue;
        }
        const std::size_t close = tpl.find('}', i);
        if (close == std::string_view::npos) {
            out += tpl.substr(i);
            break;
        }
        const std::string_view key = tpl.substr(i + 1, close - i - 1);
        if (const std::size_t arrow = key.find("->"); arrow != std::string_view::npos) {
            const FactValue* from = e.fact(key.substr(0, arrow));
            const FactValue* to = e.fact(key.substr(arrow + 2));
            out += from ? fact_string(*from) : "?";
            if (!from || !to || *from != *to) {
                out += " -> ";
                out += to ? fact_string(*to) : "?";
            }
            optional_missing = optional_missing || !from || !to;
        } else if (key == "worker" && e.worker) {
            out += std::to_string(*e.worker);
        } else if (const FactValue* v = e.fact(key)) {
            out += fact_string(*v);
        } else {
            out += '?';
            optional_missing = true;
        }
        i = close;
    }
    return out;
}

void EventTracker::reset() {
    have_prev_ = false;
    down_ = false;
    workers_.clear();
    sockets_.clear();
    vassals_.clear();
    blacklist_.clear();
    busy_.reset();
    stuck_.clear();
}

void EventTracker::failure(std::string_view error, double time, std::string_view instance,
                           std::vector<Event>& out) {
    if (!have_prev_ || down_) return;
    down_ = true;
    out.push_back(make(time, instance, EventKind::Down, std::nullopt, {{"error", std::string(error)}}));
}

void EventTracker::update(const Snapshot& snap, double time, std::string_view instance, std::vector<Event>& out) {
    busy_.update(snap, time, time);
    if (have_prev_ && snap.kind == kind_) {
        if (down_) out.push_back(make(time, instance, EventKind::Up, std::nullopt, {{"gap", time - prev_time_}}));
        if (is_reload(snap)) {
            out.push_back(make(time, instance, EventKind::Reload, std::nullopt,
                               {{"old_master_pid", master_pid_},
                                {"new_master_pid", snap.pid.value_or(-1)},
                                {"workers", static_cast<int64_t>(snap.workers.size())}}));
        } else {
            worker_events(snap, time, instance, out);
        }
        stuck_events(snap, time, instance, out);
        socket_events(snap, time, instance, out);
        vassal_events(snap, time, instance, out);
    }
    down_ = false;
    remember(snap, time);
}

bool EventTracker::is_reload(const Snapshot& snap) const {
    if (snap.kind != SnapshotKind::Master) return false;
    if (master_pid_ >= 0 && snap.pid && *snap.pid != master_pid_) return true;
    std::size_t compared = 0, new_pid = 0;
    bool respawn_grew = false;
    for (std::size_t i = 0; i < snap.workers.size() && i < workers_.size(); ++i) {
        const Worker& w = snap.workers[i];
        const PrevWorker& p = workers_[i];
        // A counter that went back down: the master started over.
        if (w.requests && p.requests >= 0 && *w.requests < p.requests) return true;
        if (w.respawn_count && p.respawns >= 0 && *w.respawn_count < p.respawns) return true;
        if (w.harakiri_count && p.harakiri >= 0 && *w.harakiri_count < p.harakiri) return true;
        if (w.respawn_count && p.respawns >= 0 && *w.respawn_count > p.respawns) respawn_grew = true;
        const int64_t pid = w.pid.value_or(0);
        if (pid <= 0 || p.pid <= 0) continue;
        ++compared;
        if (pid != p.pid) ++new_pid;
    }
    // Every pid new though no respawn count grew: the workers were not respawned
    // one by one, the whole set was started again.
    return compared > 0 && new_pid == compared && !respawn_grew;
}

void EventTracker::worker_events(const Snapshot& snap, double time, std::string_view instance,
                                 std::vector<Event>& out) const {
    for (std::size_t i = 0; i < snap.workers.size() && i < workers_.size(); ++i) {
        const Worker& w = snap.workers[i];
        const PrevWorker& p = workers_[i];
        const int64_t id = w.id.value_or(static_cast<int64_t>(i) + 1);
        const int64_t pid = w.pid.value_or(0);
        const int64_t respawns = w.respawn_count.value_or(-1);
        if (pid > 0 && p.pid > 0 && (pid != p.pid || (p.respawns >= 0 && respawns > p.respawns))) {
            out.push_back(make(time, instance, EventKind::Respawn, id,
                               {{"old_pid", p.pid}, {"new_pid", pid}, {"respawns", respawns}}));
        }
        if (w.harakiri_count && p.harakiri >= 0 && *w.harakiri_count > p.harakiri) {
            std::vector<Fact> facts{{"count", *w.harakiri_count - p.harakiri},
                                    {"harakiri_count", *w.harakiri_count},
                                    {"pid", p.pid}};
            if (!p.running.empty()) {
                const Running& r = p.running.front();
                facts.push_back({"method", r.method});
                facts.push_back({"uri", r.uri});
                if (r.start > 0) facts.push_back({"running_for", std::max(0.0, prev_time_ - static_cast<double>(r.start))});
            }
            out.push_back(make(time, instance, EventKind::Harakiri, id, std::move(facts)));
            out.back().request_key = p.requests;
        }
        if (w.status != p.status && (notable_status(w.status) || notable_status(p.status)) &&
            !w.status.empty() && !p.status.empty()) {
            out.push_back(make(time, instance, EventKind::Status, id,
                               {{"old_status", p.status}, {"new_status", std::string(w.status)}}));
        }
        if (w.exceptions && p.exceptions >= 0 && *w.exceptions - p.exceptions >= options_.exceptions_threshold) {
            out.push_back(make(time, instance, EventKind::Exceptions, id,
                               {{"count", *w.exceptions - p.exceptions}, {"exceptions", *w.exceptions}}));
        }
    }
}

void EventTracker::stuck_events(const Snapshot& snap, double time, std::string_view instance,
                                std::vector<Event>& out) {
    stuck_.resize(snap.workers.size());
    if (options_.stuck_after <= 0) return;
    for (std::size_t i = 0; i < snap.workers.size(); ++i) {
        const double busy = busy_.seconds()[i];
        if (!(busy >= options_.stuck_after)) continue;  // NaN: not busy
        const Worker& w = snap.workers[i];
        const int64_t pid = w.pid.value_or(0), requests = busy_.requests_of(i);
        Reported& r = stuck_[i];
        if (r.pid == pid && r.requests == requests) continue;  // this request was reported
        r.pid = pid;
        r.requests = requests;
        std::vector<Fact> facts{{"pid", pid}, {"seconds", static_cast<int64_t>(busy)}};
        for (const Core& c : snap.cores_of(w)) {
            if (c.in_request.value_or(0) == 0) continue;
            facts.push_back({"method", std::string(find_var(snap, c, "REQUEST_METHOD"))});
            facts.push_back({"uri", std::string(find_var(snap, c, "REQUEST_URI"))});
            break;
        }
        out.push_back(make(time, instance, EventKind::Stuck, w.id.value_or(static_cast<int64_t>(i) + 1), std::move(facts)));
        out.back().request_key = requests;
    }
}

void EventTracker::socket_events(const Snapshot& snap, double time, std::string_view instance,
                                 std::vector<Event>& out) const {
    const int64_t errors = snap.listen_queue_errors.value_or(-1);
    const int64_t grew = queue_errors_ >= 0 && errors > queue_errors_ ? errors - queue_errors_ : 0;
    bool reported_errors = false;
    for (const Socket& s : snap.sockets) {
        if (!s.queue || !s.max_queue || *s.max_queue <= 0) continue;
        const bool above = static_cast<double>(*s.queue) >= options_.listen_queue_share * static_cast<double>(*s.max_queue);
        bool was_above = false, known = false;
        for (const auto& p : sockets_)
            if (p.name == s.name) {
                was_above = p.above;
                known = true;
            }
        if (!known || above == was_above) continue;
        out.push_back(make(time, instance, EventKind::ListenQueue, std::nullopt,
                           {{"socket", std::string(s.name)},
                            {"queue", *s.queue},
                            {"max_queue", *s.max_queue},
                            {"state", std::string(above ? "above" : "below")},
                            {"share", options_.listen_queue_share},
                            {"errors", grew}}));
        reported_errors = true;
    }
    if (grew > 0 && !reported_errors) {
        out.push_back(make(time, instance, EventKind::ListenQueue, std::nullopt,
                           {{"socket", std::string("*")},
                            {"queue", snap.listen_queue.value_or(0)},
                            {"max_queue", snap.sockets.empty() ? int64_t{0} : snap.sockets.front().max_queue.value_or(0)},
                            {"errors", grew},
                            {"listen_queue_errors", errors}}));
    }
}

void EventTracker::vassal_events(const Snapshot& snap, double time, std::string_view instance,
                                 std::vector<Event>& out) const {
    if (snap.kind != SnapshotKind::Emperor) return;
    for (const Vassal& v : snap.vassals) {
        const auto it = std::find_if(vassals_.begin(), vassals_.end(), [&](const PrevVassal& p) { return p.id == v.id; });
        const int64_t pid = v.pid.value_or(0);
        if (it == vassals_.end()) {
            out.push_back(make(time, instance, EventKind::VassalAdded, std::nullopt,
                               {{"vassal", std::string(v.id)}, {"pid", pid}}));
            continue;
        }
        const int64_t respawns = v.respawns.value_or(-1);
        if ((pid > 0 && it->pid > 0 && pid != it->pid) || (it->respawns >= 0 && respawns > it->respawns)) {
            out.push_back(make(time, instance, EventKind::VassalRespawn, std::nullopt,
                               {{"vassal", std::string(v.id)}, {"old_pid", it->pid}, {"new_pid", pid}, {"respawns", respawns}}));
        }
        // uWSGI's "cursed" is when the Emperor cursed it (unix seconds), not an attempt count.
        if (v.cursed.value_or(0) > 0 && it->cursed <= 0) {
            out.push_back(make(time, instance, EventKind::VassalCursed, std::nullopt,
                               {{"vassal", std::string(v.id)}, {"cursed_at", *v.cursed}}));
        }
    }
    for (const auto& p : vassals_) {
        const bool still = std::any_of(snap.vassals.begin(), snap.vassals.end(), [&](const Vassal& v) { return v.id == p.id; });
        if (!still) out.push_back(make(time, instance, EventKind::VassalRemoved, std::nullopt, {{"vassal", p.id}}));
    }
    for (const BlacklistEntry& b : snap.blacklist) {
        if (std::find(blacklist_.begin(), blacklist_.end(), b.id) != blacklist_.end()) continue;
        out.push_back(make(time, instance, EventKind::VassalCursed, std::nullopt,
                           {{"vassal", std::string(b.id)}, {"attempt", b.attempt.value_or(0)}}));
    }
}

void EventTracker::remember(const Snapshot& snap, double time) {
    have_prev_ = true;
    kind_ = snap.kind;
    prev_time_ = time;
    master_pid_ = snap.pid.value_or(-1);
    queue_errors_ = snap.listen_queue_errors.value_or(-1);
    workers_.resize(snap.workers.size());
    for (std::size_t i = 0; i < snap.workers.size(); ++i) {
        const Worker& w = snap.workers[i];
        PrevWorker& p = workers_[i];
        p.id = w.id.value_or(0);
        p.pid = w.pid.value_or(0);
        p.respawns = w.respawn_count.value_or(-1);
        p.harakiri = w.harakiri_count.value_or(-1);
        p.exceptions = w.exceptions.value_or(-1);
        p.requests = w.requests.value_or(-1);
        p.status.assign(w.status);
        p.running.clear();
        for (const Core& c : snap.cores_of(w)) {
            if (c.in_request.value_or(0) == 0) continue;
            Running r;
            r.method.assign(find_var(snap, c, "REQUEST_METHOD"));
            r.uri.assign(find_var(snap, c, "REQUEST_URI"));
            r.start = c.request_start.value_or(0);
            p.running.push_back(std::move(r));
        }
    }
    sockets_.resize(snap.sockets.size());
    for (std::size_t i = 0; i < snap.sockets.size(); ++i) {
        const Socket& s = snap.sockets[i];
        sockets_[i].name.assign(s.name);
        sockets_[i].above = s.queue && s.max_queue && *s.max_queue > 0 &&
                            static_cast<double>(*s.queue) >= options_.listen_queue_share * static_cast<double>(*s.max_queue);
    }
    vassals_.resize(snap.vassals.size());
    for (std::size_t i = 0; i < snap.vassals.size(); ++i) {
        const Vassal& v = snap.vassals[i];
        vassals_[i].id.assign(v.id);
        vassals_[i].pid = v.pid.value_or(0);
        vassals_[i].respawns = v.respawns.value_or(-1);
        vassals_[i].cursed = v.cursed.value_or(0);
    }
    blacklist_.clear();
    for (const BlacklistEntry& b : snap.blacklist) blacklist_.emplace_back(b.id);
}

}  // namespace uwsgitop
