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

#include <cstdint>
#include <vector>

#include "uwsgitop/model/model.hpp"
#include "uwsgitop/base/status.hpp"
#include "uwsgitop/base/byte_buffer.hpp"

namespace uwsgitop {

constexpr unsigned kMaxDepth = 64;

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

    // Cores in uWSGI's own shape are read by a reader of that one shape
    // (core_reader.hpp), the rest by RapidJSON; the result is the same. On:
    // RapidJSON reads everything (the reference the tests and the bench hold
    // the fast reader to).
    void set_generic_cores(bool on) { generic_cores_ = on; }

    // Gives back the pages of the lenient path's copy (dead between parses).
    void release_idle();

private:
    ByteBuffer scratch_;  // reused by the lenient path
    bool generic_cores_ = false;
};

}  // namespace uwsgitop
