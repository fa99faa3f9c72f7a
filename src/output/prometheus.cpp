// prometheus.cpp — OpenMetrics / Prometheus text exposition (see prometheus.hpp).
#include "uwsgitop/output/prometheus.hpp"

#include <algorithm>

#include <cmath>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "prometheus_families.hpp"
#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/view/summary.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

// Label values: \ " and newline escaped as OpenMetrics wants; other control
// bytes become '?'; invalid UTF-8 becomes U+FFFD (via append_json_string,
// whose escapes are then translated).
void append_label_value(std::string& out, std::string_view v) {
    std::string tmp;
    tmp.reserve(v.size() + 2);
    append_json_string(tmp, v);
    // tmp is "...": walk its body, translating JSON escapes.
    for (std::size_t i = 1; i + 1 < tmp.size(); ++i) {
        if (tmp[i] != '\\') {
            out += tmp[i];
            continue;
        }
        const char e = tmp[i + 1];
        if (e == 'u') {  // \u00XX: a control byte
            out += tmp.compare(i, 6, "\\u000a") == 0 ? "\\n" : "?";
            i += 5;
        } else {         // \" or \\ : identical in both formats
            out += '\\';
            out += e;
            ++i;
        }
    }
}

void append_family_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

namespace {

using detail::Derived;
using detail::Family;
using detail::kCoreFamilies;
using detail::kFamilies;
using detail::Kind;
using detail::Series;

struct Writer {
    std::string& out;
    void family(std::string_view name, Kind kind, std::string_view help) {
        append_family_header(out, name, kind == Kind::Counter ? "counter" : "gauge", help);
    }
    // `name` is the family name without "_total"; counter samples always end
    // in _total (in the 0.0.4 format the family is named with it too).
    void sample(std::string_view name, Kind kind, const std::string& labels, double value) {
        out += name;
        if (kind == Kind::Counter) out += "_total";
        out += '{';
        out += labels;
        out += "} ";
        if (value == std::floor(value) && std::fabs(value) < 9e15) append_int(out, static_cast<int64_t>(value));
        else append_fixed(out, value, 6);
        out += '\n';
    }
};

Int status_is(const Worker& wk, std::string_view status) {
    if (wk.status.empty()) return std::nullopt;
    return wk.status == status ? 1 : 0;
}

// The family's value for one object of its series (unknown: no sample).
template <class T>
Int value_of(const Family& f, const Snapshot& snap, const T& obj) {
    if (f.field != nullptr) return int_field(obj, *f.field);
    if constexpr (std::is_same_v<T, Worker>) {
        switch (f.derived) {
        case Derived::Busy: return status_is(obj, "busy");
        case Derived::Idle: return status_is(obj, "idle");
        case Derived::Cheap: return status_is(obj, "cheap");
        case Derived::Apps: return obj.apps.count;
        case Derived::Cores: return obj.has_cores ? Int(obj.cores.count) : Int();
        default: break;
        }
    } else if constexpr (std::is_same_v<T, Snapshot>) {
        if (f.derived == Derived::Workers) {
            int64_t n = 0;
            for (const Worker& wk : snap.workers) n += (wk.id && *wk.id != 0) ? 1 : 0;
            return n;
        }
        if (f.derived == Derived::Vassals) return static_cast<int64_t>(snap.vassals.size());
    }
    return std::nullopt;
}

// Appends ,name="VALUE" with VALUE escaped for a label.
void add_label(std::string& labels, std::string_view name, std::string_view value) {
    labels += ',';
    labels += name;
    labels += "=\"";
    append_label_value(labels, value);
    labels += '"';
}

// `labels` plus name="VALUE" for each name/value pair.
std::string with_labels(std::string labels, std::initializer_list<std::pair<std::string_view, std::string_view>> more) {
    for (const auto& [name, value] : more) add_label(labels, name, value);
    return labels;
}

// `labels` plus name="ID" (worker_id, app_id, core_id).
std::string id_label(std::string labels, std::string_view name, int64_t id) {
    std::string digits;
    append_int(digits, id);
    add_label(labels, name, digits);
    return labels;
}

// The labelled-family helper: every sample of `f` for one instance, as
// emit(labels, value) for each object of f's series whose value is known.
template <class Emit>
void each_sample(const Family& f, const Instance& inst, const std::string& base, Emit emit) {
    const Snapshot& snap = inst.snapshot;
    auto one = [&](const std::string& labels, const auto& obj) {
        const Int v = value_of(f, snap, obj);
        if (v) emit(labels, static_cast<double>(*v) * f.scale);
    };
    switch (f.series) {
    case Series::Master:
        if (snap.kind == SnapshotKind::Master) one(base, snap);
        return;
    case Series::Emperor:
        if (snap.kind == SnapshotKind::Emperor) one(base, snap);
        return;
    case Series::Socket:
        for (const Socket& s : snap.sockets) one(with_labels(base, {{"name", s.name}, {"proto", s.proto}}), s);
        return;
    case Series::Cache:
        for (const Cache& c : snap.caches) one(with_labels(base, {{"name", c.name}}), c);
        return;
    case Series::Vassal:
        if (snap.kind != SnapshotKind::Emperor) return;
        for (const Vassal& v : snap.vassals) one(with_labels(base, {{"vassal", v.id}}), v);
        return;
    case Series::Worker:
    case Series::App:
    case Series::Core:
        break;
    }
    if (snap.kind != SnapshotKind::Master) return;
    for (const Worker& wk : snap.workers) {
        if (!wk.id || *wk.id == 0) continue;
        const std::string wl = id_label(base, "worker_id", *wk.id);
        if (f.series == Series::Worker) {
            one(wl, wk);
        } else if (f.series == Series::App) {
            for (const App& a : snap.apps_of(wk)) {
                if (a.id) one(with_labels(id_label(wl, "app_id", *a.id), {{"mountpoint", a.mountpoint}, {"chdir", a.chdir}}), a);
            }
        } else {
            for (const Core& c : snap.cores_of(wk)) {
                if (c.id) one(id_label(wl, "core_id", *c.id), c);
            }
        }
    }
}

void write_family(Writer& w, const Family& f, const std::vector<std::unique_ptr<Instance>>& fleet,
                  const std::vector<std::string>& base, bool openmetrics) {
    std::string& out = w.out;
    const std::size_t mark = out.size();
    // Prometheus 0.0.4 names the counter family with its _total suffix.
    std::string fname(f.name);
    if (f.kind == Kind::Counter && !openmetrics) fname += "_total";
    w.family(fname, f.kind, f.help);
    const std::size_t header_end = out.size();
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        if (!fleet[i]->last_ok) continue;
        each_sample(f, *fleet[i], base[i],
                    [&](const std::string& labels, double v) { w.sample(f.name, f.kind, labels, v); });
    }
    if (out.size() == header_end) out.resize(mark);  // no samples: no family
}

// A user metric of uWSGI's metrics subsystem (not one uWSGI registers, nor
// an alias).
bool is_custom_metric(const Metric& m) {
    if (m.name.empty() || m.type == detail::kCustomMetrics.alias_type) return false;
    for (std::string_view p : detail::kCustomMetrics.builtin) {
        if (m.name.starts_with(p)) return false;
    }
    return true;
}

// The family name of a custom metric (see kCustomMetrics), without _total.
std::string custom_family_name(const Metric& m) {
    std::string name(detail::kCustomMetrics.prefix);
    for (const char c : m.name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        name += ok ? c : '_';
    }
    constexpr std::string_view total = "_total";
    if (detail::custom_metric_kind(m.type) == Kind::Counter && name.ends_with(total) &&
        name.size() > detail::kCustomMetrics.prefix.size() + total.size()) {
        name.resize(name.size() - total.size());
    }
    return name;
}

// The help of a custom metric: its uWSGI name, printable ASCII but for \ and
// " (no escape needed in either text format), anything else '?'.
std::string custom_help(const Metric& m) {
    std::string help(detail::kCustomMetrics.help);
    for (const char c : m.name) help += (c >= ' ' && c <= '~' && c != '\\' && c != '"') ? c : '?';
    return help;
}

// One family per custom metric name, in the order the fleet first shows
// them; an instance contributes the first of its metrics with that name and
// kind (two names that sanitise alike: the first), a counter only when it is
// not negative.
void write_custom_metrics(Writer& w, const std::vector<std::unique_ptr<Instance>>& fleet,
                          const std::vector<std::string>& base, bool openmetrics) {
    struct Custom {
        std::string name;
        Kind kind;
        const Metric* first;
    };
    std::vector<Custom> families;
    for (const auto& inst : fleet) {
        if (!inst->last_ok) continue;
        for (const Metric& m : inst->snapshot.metrics) {
            if (!is_custom_metric(m) || !m.value) continue;
            std::string name = custom_family_name(m);
            const Kind kind = detail::custom_metric_kind(m.type);
            // Two families must not share a written name (a counter "foo" writes
            // foo_total, as a gauge "foo_total" would): one duplicate makes
            // Prometheus refuse the whole scrape. The first one stays.
            const auto clash = [&](const Custom& c) {
                const auto written = [](const std::string& n, Kind k, std::string_view other) {
                    return other == n || (k == Kind::Counter && other == n + "_total");
                };
                return written(c.name, c.kind, name) || written(name, kind, c.name) ||
                       (c.kind == Kind::Counter && kind == Kind::Counter && c.name == name);
            };
            if (std::none_of(families.begin(), families.end(), clash))
                families.push_back(Custom{std::move(name), kind, &m});
        }
    }
    for (const Custom& c : families) {
        std::string fname = c.name;
        if (c.kind == Kind::Counter && !openmetrics) fname += "_total";
        const std::size_t mark = w.out.size();
        w.family(fname, c.kind, custom_help(*c.first));
        const std::size_t header_end = w.out.size();
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            if (!fleet[i]->last_ok) continue;
            for (const Metric& m : fleet[i]->snapshot.metrics) {
                if (!is_custom_metric(m) || !m.value || custom_family_name(m) != c.name) continue;
                if (detail::custom_metric_kind(m.type) == c.kind && (c.kind == Kind::Gauge || *m.value >= 0)) {
                    w.sample(c.name, c.kind, base[i], static_cast<double>(*m.value));
                }
                break;
            }
        }
        if (w.out.size() == header_end) w.out.resize(mark);  // no samples: no family
    }
}

}  // namespace

void write_prometheus(const std::vector<std::unique_ptr<Instance>>& fleet, const PrometheusOptions& opt,
                      std::string& out) {
    Writer w{out};
    std::vector<std::string> base(fleet.size());
    for (std::size_t i = 0; i < fleet.size(); ++i) {
        base[i] = "instance=\"";
        append_label_value(base[i], fleet[i]->target.name);
        base[i] += "\",stats_uri=\"";
        append_label_value(base[i], fleet[i]->target.address);
        base[i] += '"';
    }
    if (!fleet.empty()) w.family("uwsgi_up", Kind::Gauge, "Whether the uWSGI server is up.");   // no empty family
    for (std::size_t i = 0; i < fleet.size(); ++i) w.sample("uwsgi_up", Kind::Gauge, base[i], fleet[i]->last_ok ? 1 : 0);
    for (const Family& f : kFamilies) write_family(w, f, fleet, base, opt.openmetrics);
    if (opt.cores) {
        for (const Family& f : kCoreFamilies) write_family(w, f, fleet, base, opt.openmetrics);
    }
    write_custom_metrics(w, fleet, base, opt.openmetrics);
    if (opt.openmetrics) out += "# EOF\n";
}

}  // namespace uwsgitop
