// resolve.cpp — see resolve.hpp. The waiting side and the lookup thread share
// one Box (shared_ptr): whichever lets go last frees it, so a caller that gave
// up at its deadline leaves nothing dangling behind.
#include "uwsgitop/source/resolve.hpp"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "uwsgitop/source/frame.hpp"

namespace uwsgitop {

namespace {

struct Box {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    int rc = 0;
    int saved_errno = 0;
    std::vector<StreamEndpoint> endpoints;
};

addrinfo stream_hints(bool numeric_host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (numeric_host ? AI_NUMERICHOST : 0);
    return hints;
}

// Runs one lookup; fills endpoints; returns getaddrinfo's code (errno kept).
int run_lookup(LookupFunction lookup, const std::string& host, const std::string& port, bool numeric_host,
               std::vector<StreamEndpoint>& endpoints, int& saved_errno) {
    const addrinfo hints = stream_hints(numeric_host);
    addrinfo* list = nullptr;
    errno = 0;
    const int rc = lookup(host.c_str(), port.c_str(), &hints, &list);
    saved_errno = errno;
    if (rc != 0) return rc;
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_addr == nullptr || ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        StreamEndpoint ep;
        std::memcpy(&ep.addr, ai->ai_addr, ai->ai_addrlen);
        ep.len = ai->ai_addrlen;
        ep.family = ai->ai_family;
        endpoints.push_back(ep);
    }
    ::freeaddrinfo(list);
    return 0;
}

Status lookup_failure(int rc, int saved_errno) {
    if (rc == EAI_SYSTEM) {
        return Status::fail(std::string("cannot resolve host: ") +
                            (saved_errno != 0 ? std::strerror(saved_errno) : "system error"));
    }
    return Status::fail(std::string("cannot resolve host: ") + ::gai_strerror(rc));
}

}  // namespace

Status resolve_stream_endpoints_with(LookupFunction lookup, const std::string& host, uint16_t port,
                                     double deadline, std::vector<StreamEndpoint>& out) {
    out.clear();
    const std::string service = std::to_string(port);
    int saved_errno = 0;
    // Literals first: no network, no thread.
    if (run_lookup(::getaddrinfo, host, service, true, out, saved_errno) == 0) return Status::ok();
    out.clear();

    auto box = std::make_shared<Box>();
    try {
        std::thread([box, lookup, host, service] {
            std::vector<StreamEndpoint> found;
            int err = 0;
            const int rc = run_lookup(lookup, host, service, false, found, err);
            std::lock_guard<std::mutex> lock(box->mu);
            box->rc = rc;
            box->saved_errno = err;
            box->endpoints = std::move(found);
            box->done = true;
            box->cv.notify_all();
        }).detach();
    } catch (const std::system_error&) {
        // No thread to be had: look up here, unbounded, rather than fail.
        const int rc = run_lookup(lookup, host, service, false, out, saved_errno);
        return rc == 0 ? Status::ok() : lookup_failure(rc, saved_errno);
    }

    std::unique_lock<std::mutex> lock(box->mu);
    while (!box->done) {
        const double left = deadline - monotonic_seconds();
        if (left <= 0) return Status::fail(kNameLookupTimedOut);
        box->cv.wait_for(lock, std::chrono::duration<double>(left));
    }
    if (box->rc != 0) return lookup_failure(box->rc, box->saved_errno);
    out = std::move(box->endpoints);
    return Status::ok();
}

Status resolve_stream_endpoints(const std::string& host, uint16_t port, double deadline,
                                std::vector<StreamEndpoint>& out) {
    return resolve_stream_endpoints_with(::getaddrinfo, host, port, deadline, out);
}

}  // namespace uwsgitop
