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
#include <rapidjson/document.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "uwsgitop/output/dump.hpp"
#include "uwsgitop/parse/parse.hpp"

using namespace uwsgitop;

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
