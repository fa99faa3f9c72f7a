// record_line.hpp — reading one line of a --record file: its time and where its document is (private, for the replay source).
//
// A line is one JSON object (recording.hpp) with a numeric "t" and either a
// "stats" value (the document, embedded) or a "b64" string (the document's
// bytes in base64). Our writer's layout, {"t":..,"address":"..","stats":..},
// is read by a structure scan (a 4 MB line costs no SAX pass); anything else
// (keys reordered, say by jq) by a RapidJSON SAX pass with no DOM. Nothing
// is copied but the base64 text.
#pragma once

#include <cstddef>
#include <limits>
#include <string>

#include <rapidjson/reader.h>

namespace uwsgitop::detail {

// What one record line holds. stats_begin/stats_end are byte offsets of the
// "stats" value inside the line (its first byte, one past its last).
struct RecordLine {
    double t = std::numeric_limits<double>::quiet_NaN();  // NaN when absent
    bool has_stats = false;
    std::size_t stats_begin = 0;
    std::size_t stats_end = 0;
    bool has_b64 = false;
    std::string b64;
};

class RecordLineReader {
public:
    // Fills `out` (reset first) from the line data[0..size); true if it is a
    // whole object with "stats" or "b64". `t` may still be NaN when true.
    bool read(const char* data, std::size_t size, RecordLine& out);

private:
    rapidjson::Reader reader_;  // reused: its stack keeps its capacity
};

// The number in `{"t":NUMBER,` at the start of a line (white space before
// it allowed; our writer's order), or NaN when the line does not start so.
// Reads only p[0..n): the indexer hands it the first bytes of each line.
double leading_record_time(const char* p, std::size_t n);

}  // namespace uwsgitop::detail
