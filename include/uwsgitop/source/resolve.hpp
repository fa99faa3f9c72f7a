// resolve.hpp — host-name lookup that keeps to the fetch's deadline.
//
// getaddrinfo() takes no timeout: a dead DNS server can hold it for the
// resolver's own timeouts and retries (tens of seconds), far past --timeout.
// resolve_stream_endpoints() therefore:
//   * resolves numeric hosts (IPv4 and IPv6 literals) at once, on the calling
//     thread: they never touch the network;
//   * runs any other lookup on a thread of its own and waits for it at most
//     until `deadline` (monotonic_seconds() time). When the deadline comes
//     first it returns a "name lookup timed out" failure; the thread finishes
//     its lookup later, alone, and frees what it owns (nothing is shared with
//     the caller but a reference-counted result box).
// On success `out` holds every address found (SOCK_STREAM, the order
// getaddrinfo gave), each at most sizeof(sockaddr_storage) bytes.
// Failure messages start with "cannot resolve host: " (the resolver's reason)
// or are exactly kNameLookupTimedOut.
//
// resolve_stream_endpoints_with() is the same with the lookup function passed
// in (getaddrinfo's signature and contract, freeaddrinfo() for what it
// returns), so tests can stand in a slow or failing resolver.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "uwsgitop/base/status.hpp"

namespace uwsgitop {

struct StreamEndpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = AF_UNSPEC;
};

inline constexpr const char* kNameLookupTimedOut = "name lookup timed out";

using LookupFunction = int (*)(const char* host, const char* service, const addrinfo* hints, addrinfo** result);

Status resolve_stream_endpoints(const std::string& host, uint16_t port, double deadline,
                                std::vector<StreamEndpoint>& out);

Status resolve_stream_endpoints_with(LookupFunction lookup, const std::string& host, uint16_t port,
                                     double deadline, std::vector<StreamEndpoint>& out);

}  // namespace uwsgitop
