// pipeline.hpp — one address's refresh: fetch -> (record) -> parse -> rates.
//
// Contract of refresh(into, rates):
//   * makes one fetch through the Source (one connection at most), but see
//     "streamed" below;
//   * appends the frame to the recording, if one is open, before parsing
//     (a reply that does not parse is recorded too, byte-exact);
//   * on success `into` holds the new snapshot (its strings copied out of
//     the pipeline's one read buffer, which every refresh reuses) and
//     `rates` the rates against the previous successful refresh; `into.peer`
//     is the connection the snapshot came over (base/peer.hpp);
//   * on failure `into` is left cleared and the Status says why (address and
//     cause); the caller keeps showing its own last good snapshot.
// Streamed: once a source's last document was 256 KiB or more and its
// server is known to write plain JSON (Source::streamed), a refresh that
// parses everything and neither records nor keeps the raw bytes parses the
// reply while it arrives (Parser::parse_streamed) into a buffer that keeps
// only a few hundred KiB of it resident: a 4 MB document no longer sits in
// memory whole during the refresh. The outcome is the same as a whole read.
// When the streamed parse cannot take the reply (it needs the lenient path,
// a value is refused, it outgrew twice the last one) the refresh reads it
// again whole, one more connection within the same deadline (a refresh
// still ends within one timeout), and the next 100 refreshes read whole. A
// failure of the read itself (timeout, reset, cut short) is reported as a
// whole read reports it, without a second read.
// Not thread-safe: one thread drives a Pipeline.
#pragma once

#include <memory>
#include <string>

#include "uwsgitop/parse/parse.hpp"
#include "uwsgitop/rates/rates.hpp"
#include "uwsgitop/source/recording.hpp"
#include "uwsgitop/source/source.hpp"
#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop {

// A move through a recording (the screen's [ ] { } keys): `amount`
// snapshots, or `amount` seconds of recorded time, from the one shown; or
// (At, the b key and Enter on an event) to the first snapshot recorded at or
// after the recorded time `amount` (epoch seconds), the last if none is.
struct Travel {
    enum class Kind : uint8_t { Snapshots, Seconds, At } kind = Kind::Snapshots;
    double amount = 0;
};

class Pipeline {
public:
    explicit Pipeline(std::unique_ptr<Source> source);

    // Starts recording every frame read to `path` (JSON Lines, see
    // recording.hpp), rotated as `rotation` says.
    Status record_to(const std::string& path, const RecordRotation& rotation = {});
    // Keep a byte-exact copy of each frame (for --format raw).
    void keep_raw(bool on) { keep_raw_ = on; }
    // What the next refreshes parse (parse.hpp); ParseScope::Everything at first.
    void set_scope(ParseScope scope) { scope_ = scope; }

    Status refresh(Snapshot& into, Rates& rates);

    // refresh() in two halves, for an event loop (the fleet poller, see
    // Source::nonblocking): the caller fills frame() through the source's
    // NonblockingFetch, then complete() does the rest of refresh() with that
    // fetch's result: record, parse, rates (a failed fetch only clears
    // `into` and is returned). Live sources only (no seek(0) first).
    Frame& frame() { return frame_; }
    Status complete(const Status& fetched, Snapshot& into, Rates& rates);

    // Time travel (a source with positions, see Source::seek): shows record
    // `index` of the window with the rates a forward pass gives it — the rate
    // tracker starts over from the recorded snapshot before it (read and
    // parsed, not shown), so a step back recomputes them from its recorded
    // neighbour. Nothing is appended to a recording. The first refresh of a
    // recording is seek(0), so a window (--begin) starts with rates too.
    Status seek(std::size_t index, Snapshot& into, Rates& rates);
    // seek() to where `travel` leads from the record shown, clamped to the
    // window. Fails ("not a recording with times") for other sources.
    Status travel(const Travel& travel, Snapshot& into, Rates& rates);
    // The index travel() goes to from record `from` (not necessarily the
    // last one fetched: the screen travels from the one it shows).
    std::size_t travel_target(const RecordPosition& from, const Travel& travel) const;

    const std::string& label() const { return source_->label(); }
    Source& source() { return *source_; }
    double last_wall_time() const { return last_wall_; }
    const ByteBuffer& raw() const { return raw_; }

    // Between two refreshes the read buffer (a whole document), the parser's
    // copies and the rate tracker's next table are dead; this gives their
    // pages back to the kernel and keeps their capacity (page_release.hpp).
    // A long wait before the next fetch is worth it; the next refresh faults
    // the pages in again. raw() is kept when keep_raw() is on.
    void release_idle();

private:
    std::unique_ptr<Source> source_;
    Parser parser_;
    RateTracker tracker_;
    RecordWriter recorder_;
    Status fetch_parse(Snapshot& into, Rates& rates, bool record);
    // The streamed read (Source::streamed, Parser::parse_streamed), when it
    // applies: everything parsed, nothing recorded or kept raw, the last
    // document big enough, no fallback in the last refreshes.
    StreamedFetch* stream_for(bool record);
    enum class Streamed : uint8_t { Done, ReadWhole, NotTried };
    // Done: `st` is the refresh's outcome. ReadWhole: nothing was taken
    // from it, read the document whole (StreamedFetch::fetch_whole, within
    // the same deadline). NotTried: no room for it, nothing was read.
    Streamed fetch_streamed(StreamedFetch& fetch, Snapshot& into, Rates& rates, Status& st);
    Status parse_frame(Snapshot& into, Rates& rates, bool record);

    Frame frame_;
    Snapshot prime_snap_;   // the neighbour read before a seek's record
    Rates prime_rates_;
    bool refreshed_ = false;
    ByteBuffer raw_;
    bool keep_raw_ = false;
    ParseScope scope_ = ParseScope::Everything;
    double last_wall_ = 0;
    std::size_t last_size_ = 0;   // bytes of the last document parsed
    unsigned whole_left_ = 0;     // refreshes still read whole after a fallback
};

}  // namespace uwsgitop
