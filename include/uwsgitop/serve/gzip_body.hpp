// gzip_body.hpp — gzip content coding for the metrics server's answers.
//
// accepts_gzip(): true when an Accept-Encoding header value lets the answer
// be gzip-coded: a `gzip` (or `x-gzip`, or `*`) coding whose q value is not
// 0, with the explicit `gzip` entry deciding over `*`. Names are matched
// without regard to case; malformed parts are ignored (then: not accepted).
// gzip(): `text` as one gzip member (RFC 1952), zlib's fastest level: the
// text formats compress to about a fifth anyway, and an answer of several
// megabytes is compressed once per poll. Empty when zlib fails (out of
// memory) or the text is over 2 GiB: then send it plain.
#pragma once

#include <string>
#include <string_view>

namespace uwsgitop {

bool accepts_gzip(std::string_view accept_encoding);
std::string gzip(std::string_view text);

}  // namespace uwsgitop
