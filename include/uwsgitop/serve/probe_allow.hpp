// probe_allow.hpp — which addresses /probe?target= may poll.
//
// A probe makes the exporter open a connection on the caller's behalf, so
// targets are limited: with --probe-allow PATTERN (repeatable; fnmatch
// globs over the address as written, where * and ? never match '/', e.g.
// "127.0.0.1:*", "/run/uwsgi/*.sock", "@app-*") an address must match one of them; with none, it must be one of
// the configured targets' addresses (command line and --targets file).
// A refusal says which rule refused it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

class ProbeAllow {
public:
    ProbeAllow(std::vector<std::string> patterns, std::vector<std::string> configured_addresses)
        : patterns_(std::move(patterns)), configured_(std::move(configured_addresses)) {}

    // ok, or why `address` is refused (one line, naming the rule).
    Status check(std::string_view address) const;

private:
    std::vector<std::string> patterns_;
    std::vector<std::string> configured_;
};

}  // namespace uwsgitop
