// unix_diag.hpp — which listening unix socket is bound at a file.
//
// A unix socket's file (what bind() made) and the socket itself (what a
// process's PID/fd links name, "socket:[INODE]") are two inodes; only the
// kernel knows which socket a file belongs to. listening_socket_bound_at()
// asks it (NETLINK_SOCK_DIAG, UNIX_DIAG_VFS: the device and inode of each
// listening socket's file) and returns the socket's inode.
//
// Contract: nullopt when no listening socket of this network namespace is
// bound at that file (a stale file, a socket in another namespace), or when
// the kernel cannot say (no unix_diag): the caller then refuses, never guesses.
// `dev` is the file's st_dev as stat() gives it. One netlink dump, bounded
// by the socket's own timeout (1 s); nothing is connected to.
#pragma once

#include <cstdint>
#include <optional>
#include <sys/types.h>

namespace uwsgitop::action {

std::optional<uint64_t> listening_socket_bound_at(dev_t dev, ino_t ino);

}  // namespace uwsgitop::action
