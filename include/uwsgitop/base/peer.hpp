// peer.hpp — who was at the other end of the connection that delivered a
// snapshot, as the kernel said on that very connection.
//
// Contract: filled by the socket source right after its connect succeeded
// (source/socket.cpp), carried by the Frame and then by the Snapshot parsed
// from it, and read by the action stage's proof (action/safety.hpp), which
// never looks an address or a path up again. Kind::None means no proof is
// possible: an http(s) source through libcurl, a file, a recording, or a
// kernel that would not say.
#pragma once

#include <array>
#include <cstdint>

namespace uwsgitop {

struct Peer {
    enum class Kind : uint8_t { None, Unix, Tcp };
    Kind kind = Kind::None;
    // Unix and abstract sockets: SO_PEERCRED of our connected socket, the
    // process that called listen() on the server's socket (0 = unknown).
    int32_t pid = 0;
    uint32_t uid = 0;
    // That process's start time (/proc/PID/stat field 22, clock ticks after
    // boot), read while the kernel's pidfd of the listener (SO_PEERPIDFD)
    // said it was alive: pid and start time name one process, whatever
    // reuses the pid later. 0 = not known. `listener_exited`: the process
    // that listened had exited when we connected (the socket was inherited,
    // and who answers cannot be proved).
    uint64_t start_time = 0;
    bool listener_exited = false;
    // TCP: getpeername() of our connected socket, the exact address and port
    // we reached (not a name resolved again). `v6` tells which; a v4 address
    // is in the first four bytes of `addr`, network byte order.
    bool v6 = false;
    std::array<uint8_t, 16> addr{};
    uint16_t port = 0;

    bool operator==(const Peer&) const = default;
};

}  // namespace uwsgitop
