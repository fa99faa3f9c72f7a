// tracebacker_text.cpp — uWSGI's tracebacker lines into frames (see tracebacker_text.hpp).
#include "uwsgitop/action/tracebacker_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop::action {

namespace {

constexpr std::string_view kThread = "thread_id = ";
constexpr std::string_view kFile = " filename = ";
constexpr std::string_view kLine = " lineno = ";
constexpr std::string_view kFunction = " function = ";
constexpr std::string_view kCode = " line = ";

// The escaped field, at most kMaxStackField bytes: escaped one character at
// a time, so a cut never falls inside a character or an escape.
std::string field(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
        char32_t cp = 0;
        const auto byte = static_cast<unsigned char>(raw[i]);
        const std::size_t len = byte < 0x80 ? 1 : std::max<std::size_t>(1, utf8_sequence(raw, i, cp));
        const std::size_t before = out.size();
        append_escaped(out, raw.substr(i, len));
        if (out.size() > kMaxStackField) {
            out.resize(before);
            break;
        }
        i += len;
    }
    return out;
}

// Splits `rest` at the first `marker`: what is before it goes to `before`,
// `rest` keeps what follows. Without the marker, everything goes to `before`
// and `rest` is left empty; false then.
bool take_until(std::string_view& rest, std::string_view marker, std::string_view& before) {
    const std::size_t at = rest.find(marker);
    if (at == std::string_view::npos) {
        before = rest;
        rest = {};
        return false;
    }
    before = rest.substr(0, at);
    rest.remove_prefix(at + marker.size());
    return true;
}

Int line_number(std::string_view digits) {
    int64_t v = 0;
    const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || res.ec != std::errc() || res.ptr != digits.data() + digits.size() || v < 0) return {};
    return v;
}

// One "thread_id = ..." line (its prefix already removed).
StackFrame frame_of(std::string_view rest) {
    StackFrame f;
    std::string_view part;
    bool more = take_until(rest, kFile, part);
    f.thread = field(part);
    if (!more) return f;
    more = take_until(rest, kLine, part);
    f.file = field(part);
    if (!more) return f;
    more = take_until(rest, kFunction, part);
    f.line = line_number(part);
    if (!more) return f;
    more = take_until(rest, kCode, part);
    f.function = field(part);
    if (more) f.code = field(rest);
    return f;
}

}  // namespace

std::vector<StackFrame> parse_tracebacker(std::string_view text) {
    std::vector<StackFrame> frames;
    while (!text.empty() && frames.size() < kMaxStackFrames) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.substr(0, kThread.size()) != kThread) continue;
        frames.push_back(frame_of(line.substr(kThread.size())));
    }
    return frames;
}

}  // namespace uwsgitop::action
