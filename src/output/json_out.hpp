// json_out.hpp — a minimal streaming JSON writer that tracks commas, and the loop that writes a record's field rows (private to output/).
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/model/fields.hpp"
#include "uwsgitop/model/stack.hpp"
#include "uwsgitop/output/dump.hpp"

namespace uwsgitop::detail {

class JsonOut {
public:
    explicit JsonOut(std::string& out) : out_(out) {}

    void begin_object() { value_prefix(); out_ += '{'; first_ = true; }
    void end_object() { out_ += '}'; first_ = false; }
    void begin_array() { value_prefix(); out_ += '['; first_ = true; }
    void end_array() { out_ += ']'; first_ = false; }
    // Any key: escaped (server text such as a lock's or metric's name).
    void key(std::string_view k) {
        if (!first_) out_ += ',';
        append_json_string(out_, k);
        out_ += ':';
        after_key_ = true;
    }
    // A key of a field table: plain bytes, nothing to escape (fields.hpp checks them).
    void plain_key(std::string_view k) {
        if (!first_) out_ += ',';
        out_ += '"';
        out_ += k;
        out_ += "\":";
        after_key_ = true;
    }
    void null() { value_prefix(); out_ += "null"; }
    void boolean(bool b) { value_prefix(); out_ += b ? "true" : "false"; }
    void integer(const Int& v) {
        value_prefix();
        if (v) append_int(out_, *v); else out_ += "null";
    }
    void number(double v, int decimals) {
        value_prefix();
        // Not finite, or too large for a fixed-point form (a recorded t of 1e300): null.
        const std::size_t at = out_.size();
        if (std::isfinite(v)) append_fixed(out_, v, decimals);
        if (out_.size() == at || (out_.size() == at + 1 && out_.back() == '-')) {
            out_.resize(at);
            out_ += "null";
        }
    }
    void string(std::string_view s) { value_prefix(); append_json_string(out_, s); }
    void string_or_null(std::string_view s, bool present) {
        if (present) string(s); else null();
    }

    void field(std::string_view k, const Int& v) { key(k); integer(v); }
    void field(std::string_view k, std::string_view s) { key(k); string(s); }
    void rate(std::string_view k, double v) { plain_key(k); number(v, 3); }

private:
    void value_prefix() {
        if (after_key_) {
            after_key_ = false;
        } else if (!first_) {
            out_ += ',';
        }
        first_ = false;
    }
    std::string& out_;
    bool first_ = true;
    bool after_key_ = false;
};

// A worker's stack as an array of {"thread","file","line","function","code"},
// outermost frame first (the JSON dump's workers[].stack, an event's "stack").
inline void write_frames(JsonOut& j, const std::vector<StackFrame>& frames) {
    j.begin_array();
    for (const StackFrame& f : frames) {
        j.begin_object();
        j.field("thread", f.thread);
        j.field("file", f.file);
        j.plain_key("line");
        j.integer(f.line);
        j.field("function", f.function);
        j.field("code", f.code);
        j.end_object();
    }
    j.end_array();
}

// Writes every row of `table` whose flags have none of `skip` and all of
// `only`, in the table's order, as "key":value; an Int row with kFieldJsonIfSet only when
// known, a string row with kFieldJsonNullIfEmpty as null when empty.
template <class T, std::size_t N>
void write_fields(JsonOut& j, const T& obj, const FieldTable<T, N>& table, uint8_t skip = 0,
                  uint8_t only = 0) {
    for (const FieldDef& f : table) {
        if ((f.flags & skip) != 0 || (f.flags & only) != only) {
            continue;
        }
        if (f.type == FieldType::Int) {
            const Int& v = int_field(obj, f);
            if ((f.flags & kFieldJsonIfSet) != 0 && !v) {
                continue;
            }
            j.plain_key(f.key);
            j.integer(v);
        } else {
            const std::string_view s = str_field(obj, f);
            j.plain_key(f.key);
            j.string_or_null(s, (f.flags & kFieldJsonNullIfEmpty) == 0 || !s.empty());
        }
    }
}

// Writes `items` as an array of objects, each one the rows of `table`.
template <class T, std::size_t N, class Items>
void write_records(JsonOut& j, const Items& items, const FieldTable<T, N>& table) {
    j.begin_array();
    for (const T& item : items) {
        j.begin_object();
        write_fields(j, item, table);
        j.end_object();
    }
    j.end_array();
}

}  // namespace uwsgitop::detail
