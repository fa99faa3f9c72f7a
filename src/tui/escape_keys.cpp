// escape_keys.cpp — the bytes after an ESC read as one key (see escape_keys.hpp).
#include "uwsgitop/tui/escape_keys.hpp"

#include "uwsgitop/tui/keys.hpp"

namespace uwsgitop::tui {

namespace {

bool parameter_byte(int c) { return c >= 0x30 && c <= 0x3F; }
bool intermediate_byte(int c) { return c >= 0x20 && c <= 0x2F; }
bool final_byte(int c) { return c >= 0x40 && c <= 0x7E; }

// The key of a final letter shared by CSI and SS3 (arrows, Home, End).
int letter_key(int final_byte) {
    switch (final_byte) {
        case 'A': return key::Up;
        case 'B': return key::Down;
        case 'C': return key::Right;
        case 'D': return key::Left;
        case 'H': return key::Home;
        case 'F': return key::End;
        default: return key::None;
    }
}

// The key of `CSI n ~` (the VT220 editing keys as xterm, tmux, screen and
// the Linux console send them).
int tilde_key(const std::string& n) {
    if (n == "1" || n == "7") return key::Home;
    if (n == "4" || n == "8") return key::End;
    if (n == "3") return key::Delete;
    if (n == "5") return key::PageUp;
    if (n == "6") return key::PageDown;
    // F1..F12: 11-15, 17-21, 23-24 (the gaps are the VT220's).
    int f = 0;
    for (char c : n) f = c >= '0' && c <= '9' && f < 100 ? f * 10 + (c - '0') : 1000;
    if (f >= 11 && f <= 15) return key::fkey(f - 10);
    if (f >= 17 && f <= 21) return key::fkey(f - 11);
    if (f == 23 || f == 24) return key::fkey(f - 12);
    return key::None;
}

}  // namespace

void EscapeParser::reset() {
    state_ = State::Start;
    overflow_ = false;
    intermediate_ = false;
    x10_left_ = 0;
    params_.clear();
    key_ = key::None;
}

EscapeParser::Step EscapeParser::feed(int code) {
    if (state_ == State::X10) {  // the button, column and row bytes of an X10 mouse report
        if (--x10_left_ > 0) return Step::More;
        key_ = key::None;
        return Step::Done;
    }
    if (state_ == State::Start) {
        if (code == '[') state_ = State::Csi;
        else if (code == 'O') state_ = State::Ss3;
        else return Step::Reject;
        return Step::More;
    }
    if (parameter_byte(code) && !intermediate_) {
        if (params_.size() < kMaxParams) params_ += static_cast<char>(code);
        else overflow_ = true;
        return Step::More;
    }
    if (intermediate_byte(code)) {
        intermediate_ = true;
        return Step::More;
    }
    if (final_byte(code)) {
        if (code == 'M' && state_ == State::Csi && params_.empty() && !intermediate_) {
            state_ = State::X10;
            x10_left_ = 3;
            return Step::More;
        }
        key_ = finish(code);
        return Step::Done;
    }
    // A control character, a parameter after an intermediate, a non-ASCII
    // character or a named key: not a sequence (the part read is dropped).
    key_ = key::None;
    return Step::Reject;
}

int EscapeParser::finish(int final_byte) const {
    if (overflow_ || intermediate_) return key::None;
    if (state_ == State::Ss3) {
        if (!params_.empty()) return key::None;
        if (final_byte >= 'P' && final_byte <= 'S') return key::fkey(final_byte - 'P' + 1);  // F1..F4
        return letter_key(final_byte);
    }
    if (final_byte == '~') return tilde_key(params_);
    if (!params_.empty() && params_ != "1") return key::None;  // modifiers, a mouse report...
    if (final_byte == 'Z') return params_.empty() ? key::BackTab : key::None;
    return letter_key(final_byte);
}

}  // namespace uwsgitop::tui
