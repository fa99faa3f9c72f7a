// escape_keys.hpp — the bytes after an ESC read as one key.
//
// ncurses turns the sequences its terminfo entry names into key codes; any
// other sequence (Home as `ESC [ 1 ~` under TERM=xterm-256color inside tmux,
// `ESC [ 99 z`, a mouse report while the mouse is off) comes back as an ESC
// followed by its bytes one by one. The backend feeds those codes to an
// EscapeParser, so a whole CSI (`ESC [` parameters, intermediates, one final
// byte 0x40-0x7E) or SS3 (`ESC O` ... final) sequence is one key: the key it
// names when it is one of the common spellings below, else key::None (an
// unknown sequence does nothing and says nothing). Pure: no terminal in it.
//
// Named sequences (no modifier parameters): CSI A B C D (arrows), H and F
// (Home, End), Z (BackTab); CSI n ~ with n = 1 or 7 (Home), 4 or 8 (End),
// 3 (Delete), 5 (PageUp), 6 (PageDown), 11-15 17-21 23 24 (F1..F12, as
// key::fkey); SS3 A B C D H F, P Q R S (F1..F4).
// Anything else, `ESC [ 1 ; 5 A` (Ctrl-Up) included, is an unknown key; an
// X10 mouse report (`ESC [ M` and three bytes of any value) is one too.
#pragma once

#include <cstdint>
#include <string>

namespace uwsgitop::tui {

class EscapeParser {
public:
    enum class Step : uint8_t {
        More,    // the code belongs to the sequence; feed the next one
        Done,    // the sequence ended with this code: key() is what it names
        Reject,  // the code is not part of a sequence: the codes before it
                 // are dropped (none: the ESC was the Escape key by itself)
                 // and this code is a key of its own
    };

    // Forgets everything: the next feed() is the code right after an ESC.
    void reset();
    // The next code read after the ESC (a keys.hpp code: bytes and printable
    // characters as themselves, named keys at key::Base and above).
    Step feed(int code);
    // After Step::Done: the key the sequence names, or key::None.
    int key() const { return key_; }
    // True while no code after the ESC has been taken into a sequence (a
    // read that times out now means the ESC was the Escape key).
    bool lone() const { return state_ == State::Start; }

    // Longest parameter text kept; a longer one is read to its end and
    // names no key.
    static constexpr std::size_t kMaxParams = 16;

private:
    enum class State : uint8_t { Start, Csi, Ss3, X10 };
    int finish(int final_byte) const;

    State state_ = State::Start;
    bool overflow_ = false;
    bool intermediate_ = false;
    int x10_left_ = 0;  // bytes of an X10 mouse report still to come
    std::string params_;
    int key_ = -1;
};

}  // namespace uwsgitop::tui
