// libFuzzer target: any bytes through the parser (strict and lenient paths)
// and, when they parse, through every dump format. The JSON output must
// always be valid UTF-8 JSON, a second parse of the same bytes into the
// reused Snapshot must give the same JSON, and the snapshot must not point
// into the input buffer (it is freed before the dumps). The same bytes also
// go through a parse without cores (ParseScope::NoCores, on every input);
// when the full parse needed no repair, that one must succeed too and give
// the same worker rows. And a parse with RapidJSON reading the cores too
// (Parser::set_generic_cores) must fail with the same line or give the same
// JSON: the fast core reader (src/parse/core_reader.hpp) changes nothing.
// Last, the bytes are parsed while they "arrive" (Parser::parse_streamed, in
// steps and with the text moved often, both chosen from the input): it must
// give the same JSON when the parse needed no repair and decline otherwise.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;

namespace {

// The input into the streamed parser's buffer, `step` bytes at a time.
class StepFeed final : public ByteFeed {
public:
    StepFeed(const uint8_t* data, size_t size, uwsgitop::ByteBuffer& buf, size_t step)
        : data_(data), size_(size), buf_(buf), step_(step) {}
    bool more(size_t want) override {
        size_t added = 0;
        do {
            if (at_ == size_) return false;
            const size_t room = buf_.capacity() - 1 - buf_.size();
            if (room == 0) return false;
            size_t n = step_ < room ? step_ : room;
            if (n > size_ - at_) n = size_ - at_;
            buf_.insert(buf_.end(), data_ + at_, data_ + at_ + n);
            at_ += n;
            added += n;
        } while (added < want);
        return at_ < size_;
    }
    void forget(size_t) override {}

private:
    const uint8_t* data_;
    size_t size_;
    uwsgitop::ByteBuffer& buf_;
    size_t step_;
    size_t at_ = 0;
};

// parse_streamed on the input: 1 = took it, 0 = declined; `out` filled.
bool parse_streamed(const uint8_t* data, size_t size, Snapshot& out) {
    static Parser streamer;
    const unsigned char knob = size > 0 ? data[size - 1] : 0;
    streamer.set_streamed_move_from(16 + knob % 61);
    uwsgitop::ByteBuffer room;
    room.reserve(size + 2);  // never full: a decline is the parser's
    StepFeed feed(data, size, room, 1 + knob % 23);
    return streamer.parse_streamed(room, feed, size, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Parser parser;
    static Snapshot snap;
    static RateTracker tracker;
    static Rates rates;
    static Snapshot lean;
    bool lean_ok = false;
    {
        uwsgitop::ByteBuffer bytes(data, data + size);
        lean_ok = parser.parse(bytes, lean, ParseScope::NoCores).is_ok();
    }
    static Parser generic = [] {
        Parser p;
        p.set_generic_cores(true);
        return p;
    }();
    static Snapshot reference;
    Status ref_status = Status::ok();
    {
        uwsgitop::ByteBuffer bytes(data, data + size);
        ref_status = generic.parse(bytes, reference);
    }
    {
        // The input buffer is freed before anything reads the snapshot: a
        // view left pointing into it would be a use-after-free for ASan.
        uwsgitop::ByteBuffer bytes(data, data + size);
        const Status st = parser.parse(bytes, snap);
        if (st.is_ok() != ref_status.is_ok() || st.message() != ref_status.message()) std::abort();
        static Snapshot streamed;
        const bool took = parse_streamed(data, size, streamed);
        if (took != (st.is_ok() && !snap.repaired)) std::abort();
        if (took) {
            DumpOptions opt;
            std::string a, b;
            dump_json(snap, nullptr, 0, opt, a);
            dump_json(streamed, nullptr, 0, opt, b);
            if (a != b) std::abort();
        }
        if (!st.is_ok()) return 0;
    }
    {
        DumpOptions opt;
        std::string fast_json, ref_json;
        dump_json(snap, nullptr, 0, opt, fast_json);
        dump_json(reference, nullptr, 0, opt, ref_json);
        if (fast_json != ref_json || snap.repaired != reference.repaired) std::abort();
    }
    if (!snap.repaired) {
        // Valid JSON: the skipped lists were valid too, so nothing else differs.
        if (!lean_ok || !lean.cores.empty()) std::abort();
        DumpOptions rows;
        rows.format = OutputFormat::Tsv;
        std::string full_rows, lean_rows;
        dump_delimited(snap, nullptr, 0, rows, full_rows);
        dump_delimited(lean, nullptr, 0, rows, lean_rows);
        if (full_rows != lean_rows) std::abort();
    }
    tracker.update(snap, static_cast<double>(size), rates);
    DumpOptions opt;
    std::string json;
    dump_json(snap, &rates, 0, opt, json);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str());
    if (d.HasParseError()) std::abort();
    std::string other;
    opt.format = OutputFormat::Tsv;
    dump_delimited(snap, &rates, 0, opt, other);
    opt.cores = true;
    dump_table(snap, &rates, 0, opt, other);
    for (char c : other) {
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') std::abort();
    }
    uwsgitop::ByteBuffer again(data, data + size);
    Snapshot snap2;
    if (!parser.parse(again, snap2).is_ok()) std::abort();
    std::string json2;
    opt = DumpOptions();
    dump_json(snap2, &rates, 0, opt, json2);
    if (json2 != json) std::abort();
    return 0;
}
