// http.cpp — HTTP: decoding a raw HTTP/1.x reply in place (used by the
// socket and file sources) and the libcurl source for http:// and https://.
//
// CurlSource keeps one easy handle for its whole life (connection reuse is
// pointless for uWSGI, which closes, but option setup and TLS state are not
// redone), writes straight into the frame's vector with the size cap, asks
// for gzip, follows at most 3 redirects and treats non-2xx as an error.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>

#include "config.h"
#include "connector.hpp"
#include "curl_loader.hpp"
#include "uwsgitop/base/text.hpp"

namespace uwsgitop {
namespace detail {

namespace {

bool equals_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

bool contains_nocase(std::string_view hay, std::string_view needle) {
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (equals_nocase(hay.substr(i, needle.size()), needle)) return true;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// "HTTP 404 Not Found" with the server's reason escaped and kept short.
std::string http_status_text(long code, std::string_view reason) {
    std::string msg = "HTTP " + std::to_string(code);
    reason = trim(reason);
    if (!reason.empty()) {
        msg += ' ';
        append_escaped(msg, reason.substr(0, 80));
    }
    return msg;
}

Status too_large(std::size_t max_body) {
    return Status::fail("reply larger than " + size_limit_text(max_body));
}

// Decodes a chunked body that starts at `r`, writing it from offset 0.
Status decode_chunked(ByteBuffer& bytes, std::size_t r, std::size_t max_body) {
    char* d = bytes.data();
    const std::size_t n = bytes.size();
    std::size_t w = 0;
    for (;;) {
        const char* nl = static_cast<const char*>(std::memchr(d + r, '\n', n - r));
        if (nl == nullptr) return Status::fail("HTTP chunked reply cut short");
        const std::size_t line_end = static_cast<std::size_t>(nl - d);
        std::size_t size = 0;
        const char* p = d + r;
        const auto res = std::from_chars(p, d + line_end, size, 16);
        if (res.ec == std::errc::result_out_of_range) return too_large(max_body);
        if (res.ec != std::errc() || res.ptr == p) return Status::fail("HTTP chunked reply: bad chunk size");
        r = line_end + 1;
        if (size == 0) break;  // trailers, if any, are ignored
        if (size > max_body || w + size > max_body) return too_large(max_body);
        if (n - r < size) return Status::fail("HTTP chunked reply cut short");
        std::memmove(d + w, d + r, size);
        w += size;
        r += size;
        if (r < n && d[r] == '\r') ++r;
        if (r >= n) return Status::fail("HTTP chunked reply cut short");
        if (d[r] != '\n') return Status::fail("HTTP chunked reply: bad chunk framing");
        ++r;
    }
    bytes.resize(w);
    return Status::ok();
}

}  // namespace

Status decode_http_reply(ByteBuffer& bytes, std::size_t max_body) {
    constexpr std::size_t kMaxHeaders = 64 * 1024;
    const char* d = bytes.data();
    const std::size_t n = bytes.size();
    if (!looks_like_http_reply(d, n)) return Status::fail("not an HTTP reply");

    // End of the header block: an empty line (CRLF or bare LF).
    std::size_t body = 0;
    const std::size_t scan = n < kMaxHeaders ? n : kMaxHeaders;
    for (std::size_t i = 0; i < scan; ++i) {
        if (d[i] != '\n') continue;
        if (i + 1 < n && d[i + 1] == '\n') {
            body = i + 2;
            break;
        }
        if (i + 2 < n && d[i + 1] == '\r' && d[i + 2] == '\n') {
            body = i + 3;
            break;
        }
    }
    if (body == 0) {
        return Status::fail(n >= kMaxHeaders ? "HTTP headers too long" : "HTTP reply cut short in the headers");
    }

    const std::string_view head(d, body);
    std::size_t line_end = head.find('\n');
    const std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.x NNN reason"
    long code = 0;
    if (status_line.size() < 12 || status_line[8] != ' ' ||
        std::from_chars(status_line.data() + 9, status_line.data() + 12, code).ptr != status_line.data() + 12) {
        return Status::fail("bad HTTP status line");
    }
    if (code < 200 || code > 299) return Status::fail(http_status_text(code, status_line.substr(12)));

    bool chunked = false;
    bool have_length = false;
    std::size_t content_length = 0;
    std::size_t pos = line_end + 1;
    while (pos < body) {
        line_end = head.find('\n', pos);
        const std::string_view line = head.substr(pos, line_end - pos);
        pos = line_end + 1;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (equals_nocase(name, "transfer-encoding")) {
            chunked = contains_nocase(value, "chunked");
        } else if (equals_nocase(name, "content-length")) {
            const auto res = std::from_chars(value.data(), value.data() + value.size(), content_length);
            if (res.ec == std::errc::result_out_of_range) return too_large(max_body);
            if (res.ec != std::errc()) return Status::fail("bad HTTP Content-Length");
            have_length = true;
        } else if (equals_nocase(name, "content-encoding") && !equals_nocase(value, "identity")) {
            std::string msg = "HTTP reply with unsupported Content-Encoding ";
            append_escaped(msg, value.substr(0, 40));
            return Status::fail(std::move(msg));
        }
    }

    if (chunked) return decode_chunked(bytes, body, max_body);
    std::size_t len = n - body;
    if (have_length) {
        if (content_length > max_body) return too_large(max_body);
        if (len < content_length) {
            return Status::fail("HTTP reply cut short (" + std::to_string(len) + " of " +
                                std::to_string(content_length) + " bytes)");
        }
        len = content_length;
    }
    if (len > max_body) return too_large(max_body);
    std::memmove(bytes.data(), bytes.data() + body, len);
    bytes.resize(len);
    return Status::ok();
}

namespace {

class CurlSource final : public Source {
public:
    CurlSource(const Address& address, const FetchLimits& limits) : label_(address.text), limits_(limits) {
        if (api_.error.empty()) easy_ = api_.easy_init();
        if (easy_ == nullptr) return;
        const long timeout_ms = static_cast<long>(limits_.timeout_seconds * 1000 + 0.5);
        api_.easy_setopt(easy_, CURLOPT_URL, address.url.c_str());
        api_.easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
        api_.easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
        api_.easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
        api_.easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, limits_.follow_redirects ? 1L : 0L);
        api_.easy_setopt(easy_, CURLOPT_MAXREDIRS, 3L);
        api_.easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");
        api_.easy_setopt(easy_, CURLOPT_USERAGENT, "uwsgitop/" UWSGITOP_VERSION);
        api_.easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
#if LIBCURL_VERSION_NUM >= 0x075500
        api_.easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
        api_.easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
        if (limits_.max_bytes < static_cast<std::size_t>(INT64_MAX)) {
            api_.easy_setopt(easy_, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits_.max_bytes));
        }
        api_.easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlSource::on_body);
        api_.easy_setopt(easy_, CURLOPT_WRITEDATA, this);
        api_.easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlSource::on_header);
        api_.easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    }

    ~CurlSource() override {
        if (easy_ != nullptr) api_.easy_cleanup(easy_);
    }

    const std::string& label() const override { return label_; }

    Status fetch(Frame& frame) override {
        frame.bytes.clear();
        if (easy_ == nullptr) {
            return Status::fail(label_ + ": " + (api_.error.empty() ? std::string("cannot initialise libcurl") : api_.error));
        }
        out_ = &frame.bytes;
        over_limit_ = false;
        reason_.clear();
        errbuf_[0] = '\0';
        const double wall0 = wall_clock_seconds();
        const double mono0 = monotonic_seconds();
        const CURLcode rc = api_.easy_perform(easy_);
        out_ = nullptr;
        if (rc != CURLE_OK) return Status::fail(label_ + ": " + describe(rc));

        long code = 0;
        api_.easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &code);
        if (code < 200 || code > 299) return Status::fail(label_ + ": " + http_status_text(code, reason_));
        if (frame.bytes.empty()) return Status::fail(label_ + ": empty reply");

        // The document was generated when the first byte left the server.
        curl_off_t first_byte_us = 0;
        api_.easy_getinfo(easy_, CURLINFO_STARTTRANSFER_TIME_T, &first_byte_us);
        const double offset = static_cast<double>(first_byte_us) / 1e6;
        frame.wall_time = wall0 + offset;
        frame.mono_time = mono0 + offset;
        return Status::ok();
    }

private:
    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto* self = static_cast<CurlSource*>(user);
        const std::size_t n = size * count;
        ByteBuffer& out = *self->out_;
        if (n > self->limits_.max_bytes - std::min(out.size(), self->limits_.max_bytes)) {
            self->over_limit_ = true;
            return 0;  // aborts the transfer with CURLE_WRITE_ERROR
        }
        out.insert(out.end(), data, data + n);
        return n;
    }

    // Keeps the reason phrase of the last status line (after redirects).
    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto* self = static_cast<CurlSource*>(user);
        const std::size_t n = size * count;
        const std::string_view line(data, n);
        if (looks_like_http_reply(data, n) && n > 12) {
            self->reason_.assign(trim(line.substr(12)));
            while (!self->reason_.empty() && (self->reason_.back() == '\n' || self->reason_.back() == '\r')) {
                self->reason_.pop_back();
            }
        }
        return n;
    }

    std::string describe(CURLcode rc) const {
        switch (rc) {
            case CURLE_WRITE_ERROR:
            case CURLE_FILESIZE_EXCEEDED:
                if (over_limit_ || rc == CURLE_FILESIZE_EXCEEDED) {
                    return "reply larger than " + size_limit_text(limits_.max_bytes);
                }
                break;
            case CURLE_OPERATION_TIMEDOUT:
                return "timed out after " + seconds_text(limits_.timeout_seconds);
            case CURLE_COULDNT_RESOLVE_HOST:
                return "cannot resolve the host name";
            case CURLE_COULDNT_CONNECT: {
                long os_errno = 0;
                api_.easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno != 0) return errno_text(static_cast<int>(os_errno));
                return "cannot connect";
            }
            case CURLE_TOO_MANY_REDIRECTS:
                return "too many redirects (more than 3)";
            case CURLE_GOT_NOTHING:
                return "empty reply";
            case CURLE_RECV_ERROR: {
                long os_errno = 0;
                api_.easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno == ECONNRESET) return "connection reset";
                break;
            }
            case CURLE_PARTIAL_FILE:
                return "reply cut short";
            default:
                break;
        }
        std::string msg = errbuf_[0] != '\0' ? std::string(errbuf_) : std::string(api_.easy_strerror(rc));
        return escape_for_display(msg);
    }

    const CurlApi& api_ = curl_api();
    CURL* easy_ = nullptr;
    std::string label_;
    FetchLimits limits_;
    ByteBuffer* out_ = nullptr;
    bool over_limit_ = false;
    std::string reason_;
    char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::unique_ptr<Source> make_curl_source(const Address& address, const FetchLimits& limits) {
    return std::make_unique<CurlSource>(address, limits);
}

}  // namespace detail
}  // namespace uwsgitop
