// status.hpp — the result type for operations that can fail in ordinary use.
//
// Contract: a Status is either ok (empty message) or carries ONE line of text
// that names what was wrong, ready to be printed after "uwsgitop: ". Messages
// never contain raw server bytes (callers escape them with text::escape).
#pragma once

#include <string>
#include <utility>

namespace uwsgitop {

class [[nodiscard]] Status {
public:
    Status() = default;
    static Status ok() { return Status(); }
    static Status fail(std::string message) {
        Status s;
        s.message_ = message.empty() ? std::string("unknown error") : std::move(message);
        return s;
    }
    bool is_ok() const { return message_.empty(); }
    explicit operator bool() const { return is_ok(); }
    const std::string& message() const { return message_; }

private:
    std::string message_;
};

}  // namespace uwsgitop
