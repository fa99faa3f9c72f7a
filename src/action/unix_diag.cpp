// unix_diag.cpp — the sock_diag dump of listening unix sockets (see unix_diag.hpp).
#include "uwsgitop/action/unix_diag.hpp"

#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <vector>

#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop::action {

namespace {

constexpr unsigned kListen = 10;  // TCP_LISTEN, the state of a listening unix socket

bool send_dump_request(int fd) {
    struct {
        nlmsghdr nlh;
        unix_diag_req req;
    } msg{};
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nlh.nlmsg_seq = 1;
    msg.req.sdiag_family = AF_UNIX;
    msg.req.udiag_states = 1U << kListen;
    msg.req.udiag_show = UDIAG_SHOW_VFS;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    return ::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
           static_cast<ssize_t>(sizeof msg);
}

// The socket inode of one SOCK_DIAG_BY_FAMILY message (its payload), when the
// file it is bound at is DEV:INO. UNIX_DIAG_VFS gives the kernel's own dev_t
// (major << 20 | minor), not stat()'s encoding. Read with memcpy: the
// netlink macros cast constness away.
std::optional<uint64_t> socket_if_bound_at(const char* body, std::size_t size, dev_t dev, ino_t ino) {
    unix_diag_msg m{};
    if (size < sizeof m) return std::nullopt;
    std::memcpy(&m, body, sizeof m);
    for (std::size_t at = NLMSG_ALIGN(sizeof m); at + sizeof(rtattr) <= size;) {
        rtattr a{};
        std::memcpy(&a, body + at, sizeof a);
        if (a.rta_len < sizeof a || at + a.rta_len > size) return std::nullopt;
        if (a.rta_type == UNIX_DIAG_VFS && a.rta_len >= RTA_LENGTH(sizeof(unix_diag_vfs))) {
            unix_diag_vfs vfs{};
            std::memcpy(&vfs, body + at + RTA_LENGTH(0), sizeof vfs);
            const unsigned kmajor = vfs.udiag_vfs_dev >> 20, kminor = vfs.udiag_vfs_dev & 0xfffffU;
            if (vfs.udiag_vfs_ino == ino && kmajor == major(dev) && kminor == minor(dev)) return m.udiag_ino;
            return std::nullopt;
        }
        at += RTA_ALIGN(a.rta_len);
    }
    return std::nullopt;
}

// One recv() of the dump: Done with what was found once the kernel says so.
enum class Batch { More, Done, Failed };
Batch read_batch(const char* buf, std::size_t n, dev_t dev, ino_t ino, std::optional<uint64_t>& found) {
    for (std::size_t at = 0; at + sizeof(nlmsghdr) <= n;) {
        nlmsghdr h{};
        std::memcpy(&h, buf + at, sizeof h);
        if (h.nlmsg_len < sizeof h || at + h.nlmsg_len > n) return Batch::Failed;
        if (h.nlmsg_type == NLMSG_DONE) return Batch::Done;
        if (h.nlmsg_type == NLMSG_ERROR) return Batch::Failed;
        if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY && !found)
            found = socket_if_bound_at(buf + at + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN, dev, ino);
        at += NLMSG_ALIGN(h.nlmsg_len);
    }
    return Batch::More;
}

}  // namespace

std::optional<uint64_t> listening_socket_bound_at(dev_t dev, ino_t ino) {
    const UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (fd.get() < 0) return std::nullopt;
    const timeval bound{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    if (!send_dump_request(fd.get())) return std::nullopt;
    std::vector<char> buf(32768);
    std::optional<uint64_t> found;
    for (;;) {
        const ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
        if (n <= 0) return std::nullopt;  // an error or the timeout: not known
        switch (read_batch(buf.data(), static_cast<std::size_t>(n), dev, ino, found)) {
        case Batch::More: break;
        case Batch::Done: return found;
        case Batch::Failed: return std::nullopt;
        }
    }
}

}  // namespace uwsgitop::action
