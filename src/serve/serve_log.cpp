// serve_log.cpp — the exporter's rate-limited log (see serve_log.hpp).
#include "uwsgitop/serve/serve_log.hpp"

#include <algorithm>
#include <cmath>

#include <cstdio>

namespace uwsgitop {

namespace {

// At most ServeLog::kMaxDetail bytes of `s`, cut before a UTF-8 continuation byte.
std::string_view clip(std::string_view s, bool& cut) {
    cut = s.size() > ServeLog::kMaxDetail;
    if (!cut) return s;
    std::size_t n = ServeLog::kMaxDetail;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

}  // namespace

ServeLog::ServeLog(LogLevel level, Sink sink) : level_(level), sink_(std::move(sink)) {
    if (!sink_) {
        sink_ = [](const std::string& line) {
            std::fwrite(line.data(), 1, line.size(), stderr);
            std::fflush(stderr);
        };
    }
}

void ServeLog::write(std::string_view text) {
    sink_(log_text("uwsgitop: ", text, "\n"));
}

void ServeLog::line(LogLevel level, std::string_view text) {
    if (!enabled(level)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    write(text);
}

void ServeLog::refused(std::string_view kind, std::string_view detail, double now) {
    refused_many(kind, 1, detail, now);
}

void ServeLog::refused_many(std::string_view kind, uint64_t count, std::string_view first_detail, double now) {
    if (count == 0 || !enabled(LogLevel::Warn)) return;
    std::lock_guard<std::mutex> lock(mutex_);
    flush_locked(now);
    bool cut = false;
    const std::string_view detail = clip(first_detail, cut);   // before `cut` is read
    const std::string head = log_text("refused (", kind, "): ", detail, cut ? "..." : "");
    if (enabled(LogLevel::Debug)) {
        write(count > 1 ? log_text(head, " (x", std::to_string(count), ")") : head);
        return;
    }
    auto it = windows_.find(kind);
    if (it != windows_.end()) {
        it->second.more += count;
        return;
    }
    windows_.emplace(std::string(kind), Window{now, count - 1});
    write(head);
}

void ServeLog::tick(double now) {
    std::lock_guard<std::mutex> lock(mutex_);
    flush_locked(now);
}

void ServeLog::finish(double now) {
    std::lock_guard<std::mutex> lock(mutex_);
    flush_locked(now, true);
}

// Ends the windows that are a minute old (`all`: every window, its length
// so far): one summary line for each that counted more than its first
// refusal.
void ServeLog::flush_locked(double now, bool all) {
    for (auto it = windows_.begin(); it != windows_.end();) {
        const double age = now - it->second.start;
        if (!all && age < kWindowSeconds) {
            ++it;
            continue;
        }
        const int seconds = all ? std::max(1, static_cast<int>(std::ceil(std::min(age, kWindowSeconds))))
                                : static_cast<int>(kWindowSeconds);
        if (it->second.more > 0) {
            write(log_text("refused (", it->first, "): ", std::to_string(it->second.more), " more in the last ",
                           std::to_string(seconds), " s"));
        }
        it = windows_.erase(it);
    }
}

}  // namespace uwsgitop
