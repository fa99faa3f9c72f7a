// answer_holds.cpp — connections writing shared answers (see answer_holds.hpp).
#include "uwsgitop/serve/answer_holds.hpp"

namespace uwsgitop {

std::size_t AnswerHolds::older_bytes_locked() const {
    std::size_t sum = 0;
    if (answers_.empty()) return 0;
    const unsigned long newest = answers_.rbegin()->first;
    for (const auto& [poll, answer] : answers_) {
        if (poll != newest) sum += answer.bytes;
    }
    return sum;
}

std::size_t AnswerHolds::older_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return older_bytes_locked();
}

std::vector<const void*> AnswerHolds::hold(const void* hold, const void* connection, unsigned long poll,
                                           std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    Answer& a = answers_[poll];
    a.bytes = bytes;
    a.holds[hold] = connection;
    poll_of_[hold] = poll;
    std::vector<const void*> end;
    std::size_t older = older_bytes_locked();
    for (const auto& [p, answer] : answers_) {
        if (older <= cap_ || p == answers_.rbegin()->first) break;
        for (const auto& [h, c] : answer.holds) {
            if (h != hold) end.push_back(c);
        }
        older -= answer.bytes;   // counted as gone: its connections are ended
    }
    return end;
}

void AnswerHolds::release(const void* hold) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = poll_of_.find(hold);
    if (it == poll_of_.end()) return;
    const auto a = answers_.find(it->second);
    poll_of_.erase(it);
    if (a == answers_.end()) return;
    a->second.holds.erase(hold);
    if (a->second.holds.empty()) answers_.erase(a);
}

}  // namespace uwsgitop
