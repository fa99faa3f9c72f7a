// json_string.cpp — JSON string literals: escaped, invalid UTF-8 replaced by U+FFFD (see dump.hpp).
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/output/dump.hpp"

namespace uwsgitop {

void append_json_string(std::string& out, std::string_view s) {
    static const char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c < 0x20 || c == 0x7F) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // One valid UTF-8 sequence is copied; anything else becomes U+FFFD.
        char32_t cp = 0;
        const std::size_t len = utf8_sequence(s, i, cp);
        if (len != 0) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

}  // namespace uwsgitop
