// parse.hpp — uWSGI stats bytes -> Snapshot.
//
// Fast path: RapidJSON's SAX reader runs in place (kParseInsituFlag) over the
// bytes, straight into the reused Snapshot; no DOM is built.
// Lenient path: uWSGI 2.0.x writes strings without escaping them, so a cwd
// containing `"` or `\`, raw control bytes and invalid UTF-8 in request vars
// are real output. Input that is not strict JSON is rewritten once by
// repair.hpp (escaping what the structure shows to be inside a string,
// replacing invalid UTF-8 with U+FFFD) and parsed again; Snapshot::repaired
// is then true.
// Truly broken input (empty, truncated, HTML, overflowing numbers, nesting
// deeper than kMaxDepth, wrong types for known fields) fails with one line
// that gives the byte offset: "invalid stats JSON at byte 1234: ...".
// Unknown keys and containers are skipped.
// Scope: a caller that shows no cores (the interactive worker table) parses
// with ParseScope::NoCores: each worker's "cores" list is then passed over by
// a bracket scan (skip_container.hpp) instead of parsed, which is most of the
// work on a big async instance (16,000 cores are ~95% of its 4 MB). Those
// workers keep has_cores with an empty range and the snapshot says
// cores_skipped. Only the skipped list's brackets and strings are checked,
// so a list that is broken inside in other ways is an error only when parsed,
// and bytes that would need the lenient path only inside it (invalid UTF-8
// in request vars) do not make the snapshot `repaired`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop {

constexpr unsigned kMaxDepth = 64;

// Bytes that arrive while they are parsed (Parser::parse_streamed), appended
// to the parser's buffer by whoever reads them (Pipeline: a StreamedFetch).
class ByteFeed {
public:
    virtual ~ByteFeed() = default;
    // Appends at least `want` bytes to the buffer, or fewer (maybe none) once
    // the document is over; false once it is over. Never grows the buffer
    // past its capacity less one byte, so the buffer never moves.
    virtual bool more(std::size_t want) = 0;
    // The parser dropped the first `n` bytes of the buffer (and moved the
    // rest to its front): the document so far is n bytes longer than the
    // buffer says.
    virtual void forget(std::size_t n) = 0;
};

enum class ParseScope : uint8_t {
    Everything,
    NoCores,  // pass over every worker's "cores" list (see above)
};

class Parser {
public:
    // Parses `bytes` into `out`. `bytes` is parsed in place, so afterwards it
    // is no longer the server's JSON (nor, after a repair, even the same
    // buffer): the caller reuses it for the next read. The strings the
    // snapshot keeps are copied into `out.storage`, so `out` does not depend
    // on `bytes` (no allocation in steady state). On failure `out` is left
    // cleared (kind Unknown) and the error names the offset.
    Status parse(ByteBuffer& bytes, Snapshot& out, ParseScope scope = ParseScope::Everything);

    // Parses the document that `feed` appends to `bytes` while it arrives,
    // all of it (ParseScope::Everything), dropping what it has passed (the
    // rest moves to the front of `bytes`, see parse/text_window.hpp): a 4 MB
    // document takes a few hundred KiB where parse() holds all of it. `bytes`
    // starts empty with the capacity it may use (it never grows; 1 MiB is
    // plenty); `expect` is the size the document is expected to have (the
    // last one's), which sizes the snapshot's tables. Strict JSON only: true
    // when `out` holds what parse() gives for the same bytes; false, with
    // `out` cleared, when it does not (the feed ended early, a string too
    // long for the room, more strings than twice `expect` holds, bytes that
    // need the lenient path, a refused value, ...): the caller then reads the
    // document again and uses parse(), which keeps the original for the
    // repair and says what is wrong.
    bool parse_streamed(ByteBuffer& bytes, ByteFeed& feed, std::size_t expect, Snapshot& out);
    // Cores in uWSGI's own shape are read by a reader of that one shape
    // (core_reader.hpp), the rest by RapidJSON; the result is the same. On:
    // RapidJSON reads everything (the reference the tests and the bench hold
    // the fast reader to).
    void set_generic_cores(bool on) { generic_cores_ = on; }

    // parse_streamed() moves the text to the front once it passed this many
    // bytes (parse/text_window.hpp: 64 KiB); less makes the tests and the
    // fuzzer move it often. 0: the default.
    void set_streamed_move_from(std::size_t bytes) { streamed_move_from_ = bytes; }
    // Gives back the pages of the lenient path's copy (dead between parses).
    void release_idle();

private:
    ByteBuffer scratch_;  // reused by the lenient path
    bool generic_cores_ = false;
    std::size_t streamed_move_from_ = 0;
};

}  // namespace uwsgitop
