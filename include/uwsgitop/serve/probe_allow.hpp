// probe_allow.hpp — which addresses /probe?target= may poll.
//
// A probe makes the exporter open a connection on the caller's behalf, so a
// target is first parsed, then checked, and what is polled is exactly what
// was checked:
//   1. normalize_probe_target() parses it as an ADDRESS (address.hpp) and
//      refuses what could make the text say one thing and the connection do
//      another: URL userinfo (http://a@b/), a fragment, a backslash, a path
//      (after percent-decoding, for URLs) with "." or ".." components, empty
//      components or a NUL, a relative socket path, standard input. The rest
//      is written in one normal form: lower-case scheme and host, IP
//      literals in their canonical spelling (127.1 -> 127.0.0.1, IPv6 as
//      inet_ntop writes it), the port as a plain number, ":PORT" as
//      "localhost:PORT", a URL path re-encoded (unreserved characters plain,
//      the rest %XX) and "/" when empty.
//   2. That normal form must match one --probe-allow PATTERN (repeatable;
//      fnmatch globs with FNM_PATHNAME: * ? and [...] never match '/', and
//      "**" is just two stars), e.g. "127.0.0.1:*", "/run/uwsgi/*.sock",
//      "@app-*", "http://127.0.0.1:*/"; with no pattern it must be the
//      normal form of one of the configured targets' addresses (command
//      line and --targets file).
// A refusal is one line naming the target and the rule that refused it. An
// http(s) probe follows no redirect (a 3xx is an error, uwsgi_up 0).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

// The normal form of `target` into `out` (see step 1), or why it is refused
// (a line without the target's text; ProbeAllow::check adds it).
Status normalize_probe_target(std::string_view target, std::string& out);

class ProbeAllow {
public:
    // Configured addresses that have no normal form can never be probed.
    ProbeAllow(std::vector<std::string> patterns, const std::vector<std::string>& configured_addresses);

    // ok with the normal form in `normalized` (the address to poll), or why
    // `target` is refused (one line, naming the rule).
    Status check(std::string_view target, std::string& normalized) const;

private:
    std::vector<std::string> patterns_;
    std::vector<std::string> configured_;   // normal forms
};

}  // namespace uwsgitop
