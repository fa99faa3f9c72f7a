// text_window.hpp — a document parsed while it is read (private to parse/).
//
// Parser::parse_streamed reads the document from a ByteFeed into one buffer
// whose allocation never changes. The text read so far and not yet dropped
// is [begin(), end()), NUL terminated at end(); more() reads on and moves
// end(). So that a 4 MB document takes a few hundred KiB, more() also drops
// what the parse has passed: when the caller's position lies kMoveFrom or
// more into the buffer and nothing else points into the text (`movable`:
// no in-place string open, no key held by the handler), the text from the
// position on is moved to the front, the feed is told (ByteFeed::forget),
// and more() returns how far it moved: the caller moves its position back
// by that much. The same pages are written again and again: a streamed
// parse faults in no new memory once the buffer is warm.
#pragma once

#include <cstddef>

#include "uwsgitop/base/byte_buffer.hpp"
#include "uwsgitop/parse/parse.hpp"

namespace uwsgitop::detail {

class TextWindow {
public:
    static constexpr std::size_t kMoveFrom = 64 * 1024;

    // `buf` is emptied; its capacity is all the room the window has.
    // `move_from`: kMoveFrom, or less for the tests and the fuzzer.
    TextWindow(ByteBuffer& buf, ByteFeed& feed, std::size_t move_from = kMoveFrom);

    char* begin() const { return buf_.data(); }
    const char* end() const { return buf_.data() + buf_.size(); }
    bool over() const { return over_; }
    // Bytes dropped before begin(): the offset of begin() in the document.
    std::size_t dropped() const { return dropped_; }

    // Reads until at least `want` more bytes follow end() (fewer once the
    // feed is over), first moving the text from `pos` to the front when
    // that is allowed and worth it (see the top). Returns the distance the
    // text moved back (0 if it did not).
    std::size_t more(const char* pos, bool movable, std::size_t want);

private:
    void terminate();  // the NUL at end()

    ByteBuffer& buf_;
    ByteFeed& feed_;
    std::size_t move_from_;
    std::size_t dropped_ = 0;
    bool over_ = false;
};

}  // namespace uwsgitop::detail
