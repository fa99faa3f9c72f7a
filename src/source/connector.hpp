// connector.hpp — private pieces shared by the source/*.cpp files.
//
// The concrete sources (socket, libcurl, file, stdin) are built only through
// make_source(); this header lets factory.cpp reach them and gives
// them common message helpers. Not part of the public include/ contracts.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "uwsgitop/source/source.hpp"
#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/source/resolve.hpp"

namespace uwsgitop::detail {

std::unique_ptr<Source> make_socket_source(const Address& address, const FetchLimits& limits);
// The same with the host-name lookup passed in (resolve.hpp), for tests.
std::unique_ptr<Source> make_socket_source_with_lookup(const Address& address, const FetchLimits& limits,
                                                       LookupFunction lookup);
std::unique_ptr<Source> make_curl_source(const Address& address, const FetchLimits& limits);
std::unique_ptr<Source> make_file_source(const Address& address, const FetchLimits& limits);
std::unique_ptr<Source> make_stdin_source(const Address& address, const FetchLimits& limits);

// True when `bytes` begins like an HTTP/1.x response ("HTTP/1.").
inline bool looks_like_http_reply(const char* data, std::size_t size) {
    return size >= 7 && std::memcmp(data, "HTTP/1.", 7) == 0;
}

// Turns a whole HTTP/1.x response held in `bytes` into its body, in place
// (memmove, no second buffer): checks the status (non-2xx -> "HTTP 404 Not
// Found", the reason escaped), strips the headers, decodes
// Transfer-Encoding: chunked, honours Content-Length (a shorter body is "cut
// short"), and fails if the body exceeds `max_body`. Messages carry no label.
// Implemented in http.cpp.
Status decode_http_reply(ByteBuffer& bytes, std::size_t max_body);

// "256 MiB" when a whole number of MiB, else "1000 bytes".
inline std::string size_limit_text(std::size_t bytes) {
    constexpr std::size_t kMiB = std::size_t{1} << 20;
    if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
    return std::to_string(bytes) + " bytes";
}

// "3.0s", "0.5s", "0.25s".
inline std::string seconds_text(double seconds) {
    char buf[32];
    if (seconds * 10 == static_cast<double>(static_cast<long long>(seconds * 10))) {
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    } else {
        std::snprintf(buf, sizeof buf, "%.2gs", seconds);
    }
    return buf;
}

// Short lower-case cause for an errno from connect/recv/open.
inline std::string errno_text(int err) {
    switch (err) {
        case ECONNREFUSED: return "connection refused";
        case ENOENT: return "no such socket";
        case EACCES:
        case EPERM: return "permission denied";
        case ECONNRESET: return "connection reset";
        case ETIMEDOUT: return "timed out";
        case EHOSTUNREACH: return "host unreachable";
        case ENETUNREACH: return "network unreachable";
        case EADDRNOTAVAIL: return "address not available";
        case EAFNOSUPPORT: return "address family not supported";
        case EPIPE: return "connection closed by the server";
        case ENOTDIR: return "a path component is not a directory";
        default: break;
    }
    std::string text = std::strerror(err);
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && (text.size() < 2 || text[1] > 'Z')) {
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    }
    return text;
}

// Grows `bytes` (size unchanged) so that at least `want` more bytes fit, by
// doubling; never beyond `cap` total. Returns the room now available.
inline std::size_t make_room(ByteBuffer& bytes, std::size_t want, std::size_t cap) {
    if (bytes.capacity() - bytes.size() < want && bytes.capacity() < cap) {
        std::size_t next = bytes.capacity() < 65536 ? 65536 : bytes.capacity() * 2;
        if (next > cap) next = cap;
        bytes.reserve(next);
    }
    const std::size_t limit = cap < bytes.capacity() ? cap : bytes.capacity();
    return limit > bytes.size() ? limit - bytes.size() : 0;
}

}  // namespace uwsgitop::detail
