// prometheus.cpp — OpenMetrics / Prometheus text exposition (see prometheus.hpp).
#include "uwsgitop/output/prometheus.hpp"

#include <cmath>
#include <functional>

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

namespace {

enum class Kind { Gauge, Counter };

struct Writer {
    std::string& out;
    void family(std::string_view name, Kind kind, std::string_view help) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += kind == Kind::Counter ? " counter\n" : " gauge\n";
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

struct Family {
    std::string_view name;   // without _total
    Kind kind;
    std::string_view help;
    // Emits this family's samples for one instance.
    std::function<void(Writer&, const Instance&, const std::string&)> emit;
};

void emit_int(Writer& w, std::string_view name, Kind kind, const std::string& labels, const Int& v) {
    if (v) w.sample(name, kind, labels, static_cast<double>(*v));
}

std::string worker_labels(const std::string& base, const Worker& wk) {
    std::string l = base;
    l += ",worker_id=\"";
    append_int(l, *wk.id);
    l += '"';
    return l;
}

template <typename F>
void each_worker(const Instance& inst, const std::string& base, F f) {
    if (inst.snapshot.kind != SnapshotKind::Master) return;
    for (const Worker& wk : inst.snapshot.workers) {
        if (!wk.id || *wk.id == 0) continue;
        f(wk, worker_labels(base, wk));
    }
}

Family worker_int(std::string_view name, Kind kind, std::string_view help, Int Worker::*field, double scale = 1) {
    return Family{name, kind, help, [name, kind, field, scale](Writer& w, const Instance& inst, const std::string& base) {
        each_worker(inst, base, [&](const Worker& wk, const std::string& l) {
            const Int& v = wk.*field;
            if (v) w.sample(name, kind, l, static_cast<double>(*v) * scale);
        });
    }};
}

Family worker_status(std::string_view name, std::string_view status) {
    return Family{name, Kind::Gauge, "1 when the worker is in this status.", [name, status](Writer& w, const Instance& inst, const std::string& base) {
        each_worker(inst, base, [&](const Worker& wk, const std::string& l) {
            if (!wk.status.empty()) w.sample(name, Kind::Gauge, l, wk.status == status ? 1 : 0);
        });
    }};
}

const std::vector<Family>& families(bool cores) {
    static const std::vector<Family> all = [] {
        std::vector<Family> f;
        f.push_back({"uwsgi_listen_queue_length", Kind::Gauge, "Length of listen queue.", [](Writer& w, const Instance& i, const std::string& l) {
            if (i.snapshot.kind == SnapshotKind::Master) emit_int(w, "uwsgi_listen_queue_length", Kind::Gauge, l, i.snapshot.listen_queue);
        }});
        f.push_back({"uwsgi_listen_queue_errors", Kind::Gauge, "Number of listen queue errors.", [](Writer& w, const Instance& i, const std::string& l) {
            if (i.snapshot.kind == SnapshotKind::Master) emit_int(w, "uwsgi_listen_queue_errors", Kind::Gauge, l, i.snapshot.listen_queue_errors);
        }});
        f.push_back({"uwsgi_signal_queue_length", Kind::Gauge, "Length of signal queue.", [](Writer& w, const Instance& i, const std::string& l) {
            if (i.snapshot.kind == SnapshotKind::Master) emit_int(w, "uwsgi_signal_queue_length", Kind::Gauge, l, i.snapshot.signal_queue);
        }});
        f.push_back({"uwsgi_workers", Kind::Gauge, "Number of workers.", [](Writer& w, const Instance& i, const std::string& l) {
            if (i.snapshot.kind != SnapshotKind::Master) return;
            int n = 0;
            for (const Worker& wk : i.snapshot.workers) n += (wk.id && *wk.id != 0) ? 1 : 0;
            w.sample("uwsgi_workers", Kind::Gauge, l, n);
        }});
        auto socket_family = [](std::string_view name, std::string_view help, Int Socket::*field) {
            return Family{name, Kind::Gauge, help, [name, field](Writer& w, const Instance& i, const std::string& base) {
                for (const Socket& s : i.snapshot.sockets) {
                    std::string l = base + ",name=\"";
                    append_label_value(l, s.name);
                    l += "\",proto=\"";
                    append_label_value(l, s.proto);
                    l += '"';
                    emit_int(w, name, Kind::Gauge, l, s.*field);
                }
            }};
        };
        f.push_back(socket_family("uwsgi_socket_queue_length", "Length of socket queue.", &Socket::queue));
        f.push_back(socket_family("uwsgi_socket_max_queue_length", "Max length of socket queue.", &Socket::max_queue));
        f.push_back(socket_family("uwsgi_socket_shared", "Is shared socket?", &Socket::shared));
        f.push_back(socket_family("uwsgi_socket_can_offload", "Can socket offload?", &Socket::can_offload));
        f.push_back(worker_int("uwsgi_worker_accepting", Kind::Gauge, "Is this worker accepting requests?", &Worker::accepting));
        f.push_back(worker_int("uwsgi_worker_delta_requests", Kind::Gauge, "Number of delta requests", &Worker::delta_requests));
        f.push_back(worker_int("uwsgi_worker_signal_queue_length", Kind::Gauge, "Length of signal queue.", &Worker::signal_queue));
        f.push_back(worker_int("uwsgi_worker_rss_bytes", Kind::Gauge, "Worker RSS bytes.", &Worker::rss));
        f.push_back(worker_int("uwsgi_worker_vsz_bytes", Kind::Gauge, "Worker VSZ bytes.", &Worker::vsz));
        f.push_back(worker_int("uwsgi_worker_running_time_seconds", Kind::Gauge, "Cumulative time the worker spent serving requests, seconds.", &Worker::running_time, 1e-6));
        f.push_back(worker_int("uwsgi_worker_last_spawn_time_seconds", Kind::Gauge, "Last spawn time in seconds since epoch.", &Worker::last_spawn));
        f.push_back(worker_int("uwsgi_worker_average_response_time_seconds", Kind::Gauge, "Average response time in seconds.", &Worker::avg_rt, 1e-6));
        f.push_back(worker_status("uwsgi_worker_busy", "busy"));
        f.push_back(worker_status("uwsgi_worker_idle", "idle"));
        f.push_back(worker_status("uwsgi_worker_cheap", "cheap"));
        f.push_back({"uwsgi_worker_apps", Kind::Gauge, "Number of apps.", [](Writer& w, const Instance& i, const std::string& base) {
            each_worker(i, base, [&](const Worker& wk, const std::string& l) { w.sample("uwsgi_worker_apps", Kind::Gauge, l, wk.apps.count); });
        }});
        f.push_back({"uwsgi_worker_cores", Kind::Gauge, "Number of cores.", [](Writer& w, const Instance& i, const std::string& base) {
            each_worker(i, base, [&](const Worker& wk, const std::string& l) {
                if (wk.has_cores) w.sample("uwsgi_worker_cores", Kind::Gauge, l, wk.cores.count);
            });
        }});
        f.push_back(worker_int("uwsgi_worker_requests", Kind::Counter, "Total number of requests.", &Worker::requests));
        f.push_back(worker_int("uwsgi_worker_exceptions", Kind::Counter, "Total number of exceptions.", &Worker::exceptions));
        f.push_back(worker_int("uwsgi_worker_harakiri_count", Kind::Counter, "Total number of harakiri count.", &Worker::harakiri_count));
        f.push_back(worker_int("uwsgi_worker_signals", Kind::Counter, "Total number of signals.", &Worker::signals));
        f.push_back(worker_int("uwsgi_worker_respawn_count", Kind::Counter, "Total number of respawn count.", &Worker::respawn_count));
        f.push_back(worker_int("uwsgi_worker_transmitted_bytes", Kind::Counter, "Worker transmitted bytes.", &Worker::tx));
        auto app_family = [](std::string_view name, Kind kind, std::string_view help, Int App::*field) {
            return Family{name, kind, help, [name, kind, field](Writer& w, const Instance& i, const std::string& base) {
                each_worker(i, base, [&](const Worker& wk, const std::string& wl) {
                    for (const App& a : i.snapshot.apps_of(wk)) {
                        if (!a.id) continue;
                        std::string l = wl + ",app_id=\"";
                        append_int(l, *a.id);
                        l += "\",mountpoint=\"";
                        append_label_value(l, a.mountpoint);
                        l += "\",chdir=\"";
                        append_label_value(l, a.chdir);
                        l += '"';
                        emit_int(w, name, kind, l, a.*field);
                    }
                });
            }};
        };
        f.push_back(app_family("uwsgi_worker_app_startup_time_seconds", Kind::Gauge, "How long this app took to start.", &App::startup_time));
        f.push_back(app_family("uwsgi_worker_app_requests", Kind::Counter, "Total number of requests.", &App::requests));
        f.push_back(app_family("uwsgi_worker_app_exceptions", Kind::Counter, "Total number of exceptions.", &App::exceptions));
        auto cache_family = [](std::string_view name, std::string_view help, Int Cache::*field) {
            return Family{name, Kind::Gauge, help, [name, field](Writer& w, const Instance& i, const std::string& base) {
                for (const Cache& c : i.snapshot.caches) {
                    std::string l = base + ",name=\"";
                    append_label_value(l, c.name);
                    l += '"';
                    emit_int(w, name, Kind::Gauge, l, c.*field);
                }
            }};
        };
        f.push_back(cache_family("uwsgi_cache_hits", "Total number of hits.", &Cache::hits));
        f.push_back(cache_family("uwsgi_cache_misses", "Total number of misses.", &Cache::miss));
        f.push_back(cache_family("uwsgi_cache_full", "Total Number of times cache full was hit.", &Cache::full));
        f.push_back(cache_family("uwsgi_cache_items", "Items in cache.", &Cache::items));
        f.push_back(cache_family("uwsgi_cache_max_items", "Max items for this cache.", &Cache::max_items));
        f.push_back({"uwsgi_emperor_vassals", Kind::Gauge, "Vassals of an Emperor.", [](Writer& w, const Instance& i, const std::string& l) {
            if (i.snapshot.kind == SnapshotKind::Emperor) w.sample("uwsgi_emperor_vassals", Kind::Gauge, l, static_cast<double>(i.snapshot.vassals.size()));
        }});
        auto vassal_family = [](std::string_view name, Kind kind, std::string_view help, Int Vassal::*field) {
            return Family{name, kind, help, [name, kind, field](Writer& w, const Instance& i, const std::string& base) {
                if (i.snapshot.kind != SnapshotKind::Emperor) return;
                for (const Vassal& v : i.snapshot.vassals) {
                    std::string l = base + ",vassal=\"";
                    append_label_value(l, v.id);
                    l += '"';
                    emit_int(w, name, kind, l, v.*field);
                }
            }};
        };
        f.push_back(vassal_family("uwsgi_vassal_ready", Kind::Gauge, "1 when the vassal is ready.", &Vassal::ready));
        f.push_back(vassal_family("uwsgi_vassal_accepting", Kind::Gauge, "1 when the vassal accepts requests.", &Vassal::accepting));
        f.push_back(vassal_family("uwsgi_vassal_loyal", Kind::Gauge, "1 when the vassal is loyal.", &Vassal::loyal));
        f.push_back(vassal_family("uwsgi_vassal_respawns", Kind::Counter, "Times the Emperor started the vassal.", &Vassal::respawns));
        return f;
    }();
    static const std::vector<Family> core_families = [] {
        std::vector<Family> f;
        auto core_family = [](std::string_view name, Kind kind, std::string_view help, Int Core::*field) {
            return Family{name, kind, help, [name, kind, field](Writer& w, const Instance& i, const std::string& base) {
                each_worker(i, base, [&](const Worker& wk, const std::string& wl) {
                    for (const Core& c : i.snapshot.cores_of(wk)) {
                        if (!c.id) continue;
                        std::string l = wl + ",core_id=\"";
                        append_int(l, *c.id);
                        l += '"';
                        emit_int(w, name, kind, l, c.*field);
                    }
                });
            }};
        };
        f.push_back(core_family("uwsgi_worker_core_busy", Kind::Gauge, "Is core busy", &Core::in_request));
        f.push_back(core_family("uwsgi_worker_core_requests", Kind::Counter, "Total number of requests.", &Core::requests));
        f.push_back(core_family("uwsgi_worker_core_static_requests", Kind::Counter, "Total number of static requests.", &Core::static_requests));
        f.push_back(core_family("uwsgi_worker_core_routed_requests", Kind::Counter, "Total number of routed requests.", &Core::routed_requests));
        f.push_back(core_family("uwsgi_worker_core_offloaded_requests", Kind::Counter, "Total number of offloaded requests.", &Core::offloaded_requests));
        f.push_back(core_family("uwsgi_worker_core_write_errors", Kind::Counter, "Total number of write errors.", &Core::write_errors));
        f.push_back(core_family("uwsgi_worker_core_read_errors", Kind::Counter, "Total number of read errors.", &Core::read_errors));
        return f;
    }();
    static const std::vector<Family> with_cores = [] {
        std::vector<Family> f = all;
        f.insert(f.end(), core_families.begin(), core_families.end());
        return f;
    }();
    return cores ? with_cores : all;
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
    w.family("uwsgi_up", Kind::Gauge, "Whether the last poll of the uWSGI stats server succeeded.");
    for (std::size_t i = 0; i < fleet.size(); ++i) w.sample("uwsgi_up", Kind::Gauge, base[i], fleet[i]->last_ok ? 1 : 0);
    for (const Family& f : families(opt.cores)) {
        const std::size_t mark = out.size();
        // Prometheus 0.0.4 names the counter family with its _total suffix.
        std::string fname(f.name);
        if (f.kind == Kind::Counter && !opt.openmetrics) fname += "_total";
        w.family(fname, f.kind, f.help);
        const std::size_t header_end = out.size();
        for (std::size_t i = 0; i < fleet.size(); ++i) {
            if (fleet[i]->last_ok) f.emit(w, *fleet[i], base[i]);
        }
        if (out.size() == header_end) out.resize(mark);  // no samples: no family
    }
    if (opt.openmetrics) out += "# EOF\n";
}

}  // namespace uwsgitop
