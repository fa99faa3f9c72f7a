// frame.hpp — one snapshot's bytes as a source delivered them.
//
// `bytes` holds exactly the JSON document (HTTP headers already removed);
// `wall_time` is seconds since the epoch when it was read (or recorded), and
// `mono_time` a monotonic clock in seconds used for rates (for a replayed
// recording both are the recorded time, so rates match the original run).
// `peer` says who sent it, for the action stage's proof (kept with the
// snapshot parsed from it).
// Buffers are reused: callers clear() and refill, keeping capacity.
#pragma once

#include <vector>
#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/peer.hpp"

namespace uwsgitop {

struct Frame {
    ByteBuffer bytes;
    double wall_time = 0;
    double mono_time = 0;
    Peer peer;  // the connection it came over (base/peer.hpp); Kind::None for files, recordings, http(s)
};

}  // namespace uwsgitop
