// probe_allow.cpp — the /probe allow-list (see probe_allow.hpp).
#include "uwsgitop/serve/probe_allow.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

Status ProbeAllow::check(std::string_view address) const {
    const std::string a(address);
    std::string shown(1, '"');
    shown += escape_for_display(address);
    shown += '"';
    if (patterns_.empty()) {
        if (std::find(configured_.begin(), configured_.end(), a) != configured_.end()) return Status::ok();
        return Status::fail("target " + shown + " refused: without --probe-allow only the configured targets' addresses may be probed");
    }
    for (const std::string& p : patterns_) {
        if (::fnmatch(p.c_str(), a.c_str(), FNM_PATHNAME) == 0) return Status::ok();
    }
    std::string list;
    for (const std::string& p : patterns_) {
        if (!list.empty()) list += ' ';
        list += escape_for_display(p);
    }
    return Status::fail("target " + shown + " refused: it matches no --probe-allow pattern (" + list + ")");
}

}  // namespace uwsgitop
