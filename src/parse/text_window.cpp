// text_window.cpp — reading on and dropping what was passed (see text_window.hpp).
#include "text_window.hpp"

#include <cstring>

namespace uwsgitop::detail {

TextWindow::TextWindow(ByteBuffer& buf, ByteFeed& feed, std::size_t move_from)
    : buf_(buf), feed_(feed), move_from_(move_from) {
    buf_.clear();
    if (buf_.capacity() < 2) buf_.reserve(2);  // room for the NUL: the feed may add nothing
    terminate();
}

void TextWindow::terminate() {
    // Within the capacity (the feed leaves one byte free): no reallocation.
    buf_.push_back('\0');
    buf_.pop_back();
}

std::size_t TextWindow::more(const char* pos, bool movable, std::size_t want) {
    std::size_t moved = 0;
    const auto at = static_cast<std::size_t>(pos - buf_.data());
    if (movable && at >= move_from_ && at > 0) {
        const std::size_t rest = buf_.size() - at;
        std::memmove(buf_.data(), buf_.data() + at, rest);
        buf_.resize(rest);
        feed_.forget(at);
        dropped_ += at;
        moved = at;
        terminate();
    }
    if (!over_) {
        if (!feed_.more(want)) over_ = true;
        terminate();
    }
    return moved;
}

}  // namespace uwsgitop::detail
