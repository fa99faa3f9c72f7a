// parse.cpp — uWSGI stats bytes -> Snapshot (see parse.hpp for the contract).
//
// One RapidJSON SAX pass, in place (kParseInsituFlag: strings are decoded
// where they lie in the caller's buffer), straight into the reused Snapshot;
// no DOM. The few strings the snapshot keeps are copied into its own
// Snapshot::storage (StatsHandler::keep), reserved before the pass to hold
// the whole input, which bounds them: each kept string is decoded from
// distinct input bytes, quotes included, and takes its length plus a NUL. So
// the storage never reallocates during a pass and every view stays valid,
// while the input buffer goes back to the caller for the next read: a
// snapshot costs the strings it keeps, not the whole document.
// Recursion: RapidJSON's recursive reader is used, not kParseIterativeFlag.
// Its recursion is bounded by StatsHandler, which refuses the StartObject /
// StartArray that would exceed kMaxDepth, and the reader calls that handler
// before it descends; so 10,000 nested brackets stop at level 64 with a few
// KB of stack. The iterative reader costs about 40% more time on a 4 MB
// document (measured: 16,000 cores), for no added safety.
// kParseTrailingCommasFlag is always on: uWSGI's router stats write
// `"http":["a","b",]` when another router owns the next gateway socket
// (plugins/corerouter/corerouter.c), and that comma carries no meaning.
//
// Decisions about values (the model's Int is "a known integer or unknown"):
//   * null is "unknown": it resets the field (so with duplicate keys a later
//     null wins too); a null container or list element is ignored.
//   * duplicate keys: the last one wins, for containers too (a repeated
//     "workers" list replaces the first one, with its cores, apps and vars).
//   * numbers: integers in int64 range; a double is accepted only when it is
//     integral and in range (1e3, 5.0: some proxies re-serialize that way),
//     otherwise "expects an integer" / "number out of range"; an unsigned
//     value above INT64_MAX is "number out of range". These checks apply to
//     known fields only; unknown keys may hold anything.
//   * a known field with the wrong JSON type (string for a number, number for
//     a string, scalar for a list, ...) fails, naming the field.
//   * pid fields (kFieldPid) are the exception: a pid is an integer written
//     as one, in [0, kMaxPid]; any other scalar (1.5e4, 15000.0, -1, 2^32+X,
//     a string, a bool) makes that pid unknown and the document still parses,
//     so nothing downstream ever sees a rounded or wrapped pid.
//   * unknown keys and containers are skipped at any depth (still counted
//     against kMaxDepth).
#include "uwsgitop/parse/parse.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "repair_detail.hpp"
#include "stats_handler.hpp"
#include "text_window.hpp"
#include "uwsgitop/parse/input_scan.hpp"
#include "uwsgitop/parse/repair.hpp"
#include "uwsgitop/base/page_release.hpp"

namespace uwsgitop {
namespace {

using detail::StatsHandler;
using detail::TextWindow;

struct Attempt {
    bool ok = false;
    bool refused = false;  // the handler rejected a value: repairing cannot help
    std::size_t offset = 0;
    std::string reason;
};

// Fewer bytes than the smallest core uWSGI writes (--stats-minified:
// {"id":0,"requests":0,...,"vars":[],"req_info":{}} is 156 bytes); a text
// of smaller cores just grows the table.
constexpr std::size_t kMinCoreBytes = 150;
constexpr std::size_t kReserveCoresFrom = 512 * 1024;  // bytes of text

constexpr unsigned kBaseFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseTrailingCommasFlag;

template <unsigned kFlags>
Attempt run_reader(char* text, std::size_t n, ParseScope scope, bool generic_cores, Snapshot& snap) {
    rapidjson::InsituStringStream stream(text);
    detail::CoreSkip skip;
    if (scope == ParseScope::NoCores) {
        skip = detail::CoreSkip{&stream.src_, text + n, false};
    } else if (!generic_cores) {
        skip = detail::CoreSkip{&stream.src_, text + n, true};
    }
    StatsHandler handler(snap, skip);
    rapidjson::Reader reader;
    rapidjson::ParseResult r = reader.Parse<kFlags>(stream, handler);
    Attempt a;
    if (!r.IsError()) {
        handler.finish();
        a.ok = true;
        return a;
    }
    a.offset = r.Offset();
    if (r.Code() == rapidjson::kParseErrorTermination && handler.refused()) {
        a.refused = true;
        a.reason = handler.reason();
    } else {
        a.reason = rapidjson::GetParseError_En(r.Code());
    }
    return a;
}

// Empties the storage and reserves `storage` bytes in it (keep()'s copies:
// it must not reallocate, see top) and, when the cores are read, room for
// as many cores as a text of `text` bytes could hold (one takes more than
// kMinCoreBytes). Reserved once, as the tables are reused frame after frame:
// the core table never grows by doubling, which would leave the smaller
// tables it outgrew in the fetch thread's malloc arena (touched memory,
// 1.4 MB at 16,000 cores). The table is then big enough to be mapped on its
// own, and pages it does not reach are never touched. Small texts (an
// exporter's many prefork targets) grow as before: their leftovers are small.
void reserve_tables(Snapshot& snap, std::size_t storage, std::size_t text, bool cores) {
    snap.storage.clear();
    snap.storage.reserve(storage);
    if (cores && text >= kReserveCoresFrom && snap.cores.capacity() < text / kMinCoreBytes) {
        snap.cores.reserve(text / kMinCoreBytes);
    }
}

// What a failed or declined parse leaves: an empty snapshot of no kind.
void discard(Snapshot& out) {
    out.clear();
    out.kind = SnapshotKind::Unknown;
}

// Parses all of `buf` in place, behind a NUL terminator that is pushed for
// the reader and popped afterwards (the views never include it). The buffers
// are reused frame after frame, so the headroom reserved here is allocated
// once, not per refresh.
Attempt run_in_place(ByteBuffer& buf, bool validate_utf8, ParseScope scope, bool generic_cores, Snapshot& snap) {
    if (buf.capacity() == buf.size()) {
        buf.reserve(buf.size() + buf.size() / 8 + 64);
    }
    // keep() copies at most the whole text (see top)
    reserve_tables(snap, buf.size() + 1, buf.size(), scope == ParseScope::Everything);
    const std::size_t n = buf.size();
    buf.push_back('\0');
    Attempt a = validate_utf8 ? run_reader<kBaseFlags | rapidjson::kParseValidateEncodingFlag>(
                                    buf.data(), n, scope, generic_cores, snap)
                              : run_reader<kBaseFlags>(buf.data(), n, scope, generic_cores, snap);
    buf.pop_back();  // no reallocation: every view stays valid
    return a;
}

bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

Status failure(Snapshot& out, std::size_t offset, std::string_view reason) {
    discard(out);
    std::string msg = "invalid stats JSON at byte ";
    msg += std::to_string(offset);
    msg += ": ";
    msg += reason;
    return Status::fail(std::move(msg));
}

// RapidJSON's in-place stream over a TextWindow: InsituStringStream's
// members (the fast reader moves src_, as there), plus reading on when the
// reader reaches the NUL at the window's end. Peek() and Take() test for NUL
// only; read_on() decides whether that NUL is the window's end (a NUL inside
// the text is the reader's own error, as with InsituStringStream). The text
// may move only between strings (PutBegin to PutEnd keeps RapidJSON's
// pointer to the string's start) and while the handler holds no key; the
// position is then the one pointer into it, moved back with it.
struct StreamedInsituStream {
    using Ch = char;

    StreamedInsituStream(TextWindow& w, const StatsHandler*& handler)
        : src_(w.begin()), dst_(nullptr), window_(w), handler_(handler) {}

    Ch Peek() {
        if (*src_ == '\0') [[unlikely]] read_on();
        return *src_;
    }
    Ch Take() {
        if (*src_ == '\0') [[unlikely]] read_on();
        return *src_++;
    }
    std::size_t Tell() const { return window_.dropped() + static_cast<std::size_t>(src_ - window_.begin()); }
    Ch* PutBegin() { return put_ = dst_ = src_; }
    void Put(Ch c) { *dst_++ = c; }
    std::size_t PutEnd(Ch* begin) {
        put_ = nullptr;
        return static_cast<std::size_t>(dst_ - begin);
    }
    void Flush() {}

    Ch* src_;
    Ch* dst_;

private:
    void read_on() {
        while (src_ == window_.end() && !window_.over()) {
            const bool movable = put_ == nullptr && (handler_ == nullptr || handler_->held_input() == nullptr);
            src_ -= window_.more(src_, movable, 1);
        }
    }

    TextWindow& window_;
    const StatsHandler*& handler_;
    Ch* put_ = nullptr;
};

}  // namespace

bool Parser::parse_streamed(ByteBuffer& bytes, ByteFeed& feed, std::size_t expect, Snapshot& out) {
    out.clear();
    TextWindow window(bytes, feed, streamed_move_from_ != 0 ? streamed_move_from_ : TextWindow::kMoveFrom);
    // The reservations of run_in_place, for twice the expected size (keep()
    // refuses what does not fit, and the parse is then declined).
    const std::size_t most = 2 * expect + 65536;
    reserve_tables(out, most, most, true);
    const StatsHandler* held_by = nullptr;
    StreamedInsituStream stream(window, held_by);
    detail::CoreSkip skip;
    if (!generic_cores_) skip = detail::CoreSkip{&stream.src_, nullptr, true, &window};
    StatsHandler handler(out, skip);
    held_by = &handler;
    // What parse() asks before parsing: the text is an object.
    rapidjson::SkipWhitespace(stream);
    if (stream.Peek() != '{') {
        discard(out);
        return false;
    }
    rapidjson::Reader reader;
    // Validating UTF-8 always: parse() validates when the text has a byte
    // above 0x7F, and without one validation finds nothing, so the result is
    // the same without the scan that needs the whole text first.
    const rapidjson::ParseResult r =
        reader.Parse<kBaseFlags | rapidjson::kParseValidateEncodingFlag>(stream, handler);
    // The reader stops at a NUL; only the one at the end of the whole text
    // ends it (a NUL byte in the text is parse()'s lenient path).
    const bool at_end = window.over() && stream.src_ == window.end();
    if (r.IsError() || !at_end || handler.storage_full()) {
        discard(out);
        return false;
    }
    handler.finish();
    return true;
}

void Parser::release_idle() {
    release_contents(scratch_);
}

Status Parser::parse(ByteBuffer& buf, Snapshot& out, ParseScope scope) {
    out.clear();
    const std::size_t n = buf.size();

    std::size_t first = 0;
    while (first < n && is_ws(buf[first])) {
        ++first;
    }
    if (first == n) {
        return failure(out, 0, "empty reply");
    }
    // Fail fast (and clearly) on what is not a JSON object at all: an HTML
    // error page, a stray HTTP response, megabytes of garbage.
    if (buf[first] != '{') {
        return failure(out, first, buf[first] == '<' ? "an HTML/XML page, not JSON"
                                                     : "expected '{' (not a uWSGI stats document)");
    }

    const InputScan scan = scan_input(std::string_view(buf.data(), n));

    // Strict attempt, unless raw control bytes make it pointless.
    //
    // An in-place parse that fails has modified the buffer, and the lenient
    // path must start from the original bytes:
    //   * with a backslash in the input, unescaping moved bytes around inside
    //     strings, which cannot be undone: the original is copied to scratch_
    //     first (one memcpy; a reused buffer, so no allocation when steady);
    //   * without one, the only change RapidJSON makes in place is writing a
    //     NUL over each closing quote (strings are decoded where they lie and
    //     numbers are never written to). The input had no NUL (a NUL would be
    //     has_control), so every NUL is put back as '"'.
    // Either way, after this block the original is in scratch_.
    if (!scan.has_control) {
        if (scan.has_backslash) {
            scratch_.assign(buf.begin(), buf.end());
        }
        Attempt strict = run_in_place(buf, scan.has_high, scope, generic_cores_, out);
        if (strict.ok) {
            return Status::ok();
        }
        if (strict.refused) {
            return failure(out, strict.offset, strict.reason);
        }
        if (!scan.has_backslash) {
            std::replace(buf.begin(), buf.end(), '\0', '"');
            scratch_.swap(buf);
        }
        // Repair changes only what lies inside strings: if no string had
        // started where the reader gave up, repair cannot change the outcome.
        std::size_t upto = std::min(strict.offset + 1, n);
        if (std::memchr(scratch_.data(), '"', upto) == nullptr) {
            return failure(out, strict.offset, strict.reason);
        }
    } else {
        scratch_.swap(buf);
    }

    // Lenient path: scratch_ holds the original, buf receives the repair.
    repair_json(std::string_view(scratch_.data(), scratch_.size()), buf);
    out.clear();
    Attempt lenient = run_in_place(buf, false, scope, generic_cores_, out);
    if (lenient.ok) {
        out.repaired = true;
        return Status::ok();
    }
    std::size_t at =
        detail::repair_input_offset(std::string_view(scratch_.data(), scratch_.size()), lenient.offset);
    return failure(out, at, lenient.reason);
}

}  // namespace uwsgitop
