// events_json.cpp — one event as a line of JSON (--format events; see dump.hpp).
#include <cstdio>
#include <variant>

#include "uwsgitop/output/dump.hpp"
#include "json_out.hpp"

namespace uwsgitop {

namespace {

void append_number(std::string& out, double v, const char* fmt) {
    char buf[40];
    std::snprintf(buf, sizeof buf, fmt, v);
    out += buf;
}

}  // namespace

void append_event_json(const Event& e, std::string& out) {
    out += "{\"time\": ";
    append_number(out, e.time, "%.3f");
    out += ", \"instance\": ";
    append_json_string(out, e.instance);
    out += ", \"kind\": ";
    append_json_string(out, event_kind_info(e.kind).name);
    if (e.worker) {
        out += ", \"worker\": ";
        out += std::to_string(*e.worker);
    }
    for (const Fact& f : e.facts) {
        out += ", ";
        append_json_string(out, f.key);
        out += ": ";
        if (const auto* i = std::get_if<int64_t>(&f.value)) out += std::to_string(*i);
        else if (const auto* d = std::get_if<double>(&f.value)) append_number(out, *d, "%.3f");
        else append_json_string(out, std::get<std::string>(f.value));
    }
    if (!e.stack.empty()) {
        out += ", \"stack\": ";
        detail::JsonOut j(out);
        detail::write_frames(j, e.stack);
    }
    out += "}\n";
}

}  // namespace uwsgitop
