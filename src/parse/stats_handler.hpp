// stats_handler.hpp — the RapidJSON SAX handler behind Parser (private to parse.cpp).
//
// StatsHandler receives the reader's events and writes straight into a
// cleared Snapshot: each key is resolved once, through the compile-time
// tables of key_tables.hpp, to the Int / string_view it fills or to the child
// container it opens; unknown containers are skipped, one Skip frame per
// level. Nesting (known and skipped containers) is capped at kMaxDepth. The
// value rules (null, duplicates, doubles, wrong types) are described in
// parse.cpp. Pointers kept in frames stay valid: a vector is only appended to
// while the frame of its parent is on top, and no context can contain itself.
// A key's value goes into the object of the top frame (value_at()); nothing
// is appended between a key and its value.
#pragma once

#include <rapidjson/reader.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "key_tables.hpp"
#include "parse_errors.hpp"
#include "skip_container.hpp"
#include "text_window.hpp"
#include "uwsgitop/model/model.hpp"
#include "uwsgitop/parse/parse.hpp"

namespace uwsgitop::detail {

template <class T>
uint32_t size32(const std::vector<T>& v) {
    return static_cast<uint32_t>(v.size());
}

// Set unless the caller asked for the generic reader only: the reader's
// position, which the handler moves from just after the `[` of each "cores"
// list, and the end of the text (NUL terminated). With `fast` false
// (ParseScope::NoCores) it moves to the list's `]` (skip_container.hpp);
// with `fast` true the cores in uWSGI's own shape are read there and the
// position moves past them (core_reader.hpp). With `window` set the text is
// still arriving (Parser::parse_streamed, fast only): its end is the
// window's, and the fast reader reads on through it.
struct CoreSkip {
    char** pos = nullptr;
    const char* end = nullptr;
    bool fast = false;
    TextWindow* window = nullptr;
};

namespace core_text {
struct Cursor;
}

// The text between a core's values as the first core of the document had it
// (core_reader.hpp): pieces 0-7 end where numbers 0-7 start (id ...
// in_request), piece 8 runs to just after the `[` of "vars", piece kTail
// from just after its `]` to the core's `}` when req_info is empty, piece
// kIdle from the end of in_request to the core's `}` when vars and req_info
// are both empty (an idle core: most of them).
struct CoreGlue {
    static constexpr std::size_t kNumbers = 8;
    static constexpr std::size_t kTail = 9;
    static constexpr std::size_t kIdle = 10;
    static constexpr std::size_t kPieces = 11;
    static constexpr std::size_t kMaxGlue = 96;  // a multiple of 16
    std::array<std::array<char, kMaxGlue>, kPieces> text;
    std::array<uint8_t, kPieces> len{};
    std::array<uint8_t, kPieces> steps{};       // 16-byte steps of the compare
    std::array<uint32_t, kPieces> last_mask{};  // the bytes of the last step that count
    bool tried_head = false, head = false;  // pieces 0-8 learnt
    bool tried_tail = false, tail = false;  // kTail learnt
    bool tried_idle = false, idle = false;  // kIdle learnt
    bool learn(std::size_t i, const char* from, const char* to);
};

class StatsHandler {
public:
    explicit StatsHandler(Snapshot& snap, CoreSkip skip = {}) : s_(snap), skip_(skip) {
        frames_[0] = Frame{kNoKeys.entries(), nullptr, Ctx::Top};
    }

    bool Null() { return scalar(Scalar::Null); }
    bool Bool(bool) { return scalar(Scalar::Bool); }
    bool Int(int v) { return integer(v); }
    bool Uint(unsigned v) { return integer(v); }
    bool Int64(int64_t v) { return integer(v); }
    bool Uint64(uint64_t v) {
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            return scalar(Scalar::Huge);
        }
        return integer(static_cast<int64_t>(v));
    }
    bool Double(double d) {
        if (pend_->kind == Pending::Pid) {
            return scalar(Scalar::NonIntegral);  // 1.5e4 is no pid (kFieldPid)
        }
        // [-2^63, 2^63) holds exactly the doubles that convert to int64.
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
            return scalar(std::isnan(d) ? Scalar::NonIntegral : Scalar::Huge);
        }
        if (std::trunc(d) != d) {
            return scalar(Scalar::NonIntegral);
        }
        return integer(static_cast<int64_t>(d));
    }
    bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }  // flag never set

    bool String(const char* str, rapidjson::SizeType len, bool) {
        if (pend_->kind == Pending::Str) [[likely]] {
            *reinterpret_cast<std::string_view*>(value_at()) = keep(str, len);
            return true;
        }
        return other_string(std::string_view(str, len));
    }

    // The hot path: the expected entry of the object's table (the hint, see
    // key_match.hpp); no switch, no bounds check (the end entry matches no
    // key). Everything else (another order, unknown keys, root specials,
    // locks, metrics, skipped containers) is out of line.
    bool Key(const char* str, rapidjson::SizeType len, bool) {
        Frame& f = *top_;
        const Entry& e = *f.next;
        if (same(e, str, len)) [[likely]] {
            f.next = &e + 1;
            pend_ = &e;
            return true;
        }
        return other_key(std::string_view(str, len));
    }

    bool StartObject() {
        const Frame& f = *top_;
        if (is_array_ctx(f.ctx)) {
            return object_element(f);
        }
        switch (pend_->kind) {
        case Pending::Child: return open_child(true);
        case Pending::Int:
        case Pending::SignedInt:
        case Pending::Pid: return fail(Err::ExpectNumber);
        case Pending::Str: return fail(Err::ExpectString);
        case Pending::Skip:
        case Pending::Router: break;
        }
        return f.ctx == Ctx::Top ? push(Ctx::Root, &s_) : push(Ctx::Skip, nullptr);
    }

    bool StartArray() {
        const Frame& f = *top_;
        if (is_array_ctx(f.ctx)) {
            return fail(is_string_array(f.ctx) ? Err::ArrayOfStrings : Err::ArrayOfObjects);
        }
        switch (pend_->kind) {
        case Pending::Child: return open_child(false);
        case Pending::Int:
        case Pending::SignedInt:
        case Pending::Pid: return fail(Err::ExpectNumber);
        case Pending::Str: return fail(Err::ExpectString);
        case Pending::Router:
            // The router's short-name key, e.g. "http": ["127.0.0.1:8080", ...].
            if (s_.router_name.empty() || s_.router_name == pend_key_) {
                s_.router_name = keep(pend_key_);
                s_.router_sockets.clear();
                return push(Ctx::RouterSockets, nullptr);
            }
            break;
        case Pending::Skip: break;
        }
        return f.ctx == Ctx::Top ? fail(Err::TopNotObject) : push(Ctx::Skip, nullptr);
    }

    // The input byte a later event still reads, if any: the key of a router
    // list or of a metric is kept until its value opens (streamed parse:
    // the window must not give it back).
    bool storage_full() const { return storage_full_; }
    const char* held_input() const {
        return pend_ == &kRouterEntry || pend_ == &kMetricsEntry ? pend_key_.data() : nullptr;
    }

    bool EndObject(rapidjson::SizeType) { return leave(); }
    bool EndArray(rapidjson::SizeType) { return leave(); }

    void finish() {
        if (saw_workers_) {
            s_.kind = SnapshotKind::Master;
        } else if (saw_vassals_) {
            s_.kind = SnapshotKind::Emperor;
        } else if (s_.active_sessions.has_value()) {
            s_.kind = SnapshotKind::Router;
        } else {
            s_.kind = SnapshotKind::Unknown;
        }
    }

    bool refused() const { return err_ != Err::None; }

    std::string reason() const { return error_text(err_, err_name_); }

private:
    // One open container. frames_[0] is Top (below the document), so top_
    // always points at a frame.
    struct Frame {
        const Entry* next = nullptr;  // the hint: the entry after the last matched
                                      // (at first the table's first entry, or kNoKeys')
        void* obj = nullptr;          // the struct being filled, or an array's parent
        Ctx ctx = Ctx::Top;
    };

    // Records the error; the field it names is the one whose value is
    // pending, or for an element of a list, the list.
    [[gnu::noinline]] bool fail(Err e) {
        err_ = e;
        const Ctx c = top_->ctx;
        err_name_ = is_array_ctx(c) ? array_name(c) : std::string_view(pend_->name);
        return false;
    }

    // Every new container starts with no value pending, and so does the one
    // below after it ends: a stale pending field is never filled.
    bool push(Ctx ctx, void* obj) {
        if (top_ == &frames_[kMaxDepth]) [[unlikely]] {
            return fail(Err::TooDeep);
        }
        *++top_ = Frame{key_index(ctx).entries, obj, ctx};
        pend_ = &kSkipEntry;
        return true;
    }

    bool leave() {
        if (top_ != &frames_[0]) {
            --top_;
        }
        pend_ = &kSkipEntry;
        return true;
    }

    // A copy of server bytes the snapshot keeps, in its storage, followed by
    // a NUL. Parser reserves the storage to hold the whole input before the
    // pass (the bound is argued in parse.cpp), so this never reallocates and
    // the views handed out earlier stay valid.
    // A streamed parse (parse_streamed) cannot bound the storage by the
    // input: there a string that would not fit is not kept, and
    // storage_full() makes the parse fail instead.
    [[gnu::always_inline]] std::string_view keep(const char* p, std::size_t n) {
        ByteBuffer& store = s_.storage;
        const std::size_t at = store.size();
        if (store.capacity() - at < n + 1) [[unlikely]] {
            storage_full_ = true;
            return {};
        }
        store.resize(at + n + 1);
        char* dst = store.data() + at;
        std::memcpy(dst, p, n);
        dst[n] = '\0';
        return std::string_view(dst, n);
    }
    std::string_view keep(std::string_view v) { return keep(v.data(), v.size()); }

    // Where the pending Int / string_view is: in the object on top.
    [[gnu::always_inline]] char* value_at() const { return static_cast<char*>(top_->obj) + pend_->offset; }

    // Key() when the hinted entry is not the key.
    [[gnu::noinline]] bool other_key(std::string_view key) {
        Frame& f = *top_;
        switch (f.ctx) {
        case Ctx::Skip: return true;  // pend_ stays kSkipEntry
        case Ctx::LockObj:
            s_.locks.push_back(Lock{keep(key), {}});
            f.obj = &s_.locks.back();  // the lock the value goes to
            pend_ = &kLockEntry;
            return true;
        case Ctx::MetricsObj:
            pend_ = &kMetricsEntry;
            pend_key_ = key;
            return true;
        default: break;
        }
        if (const Entry* e = key_index(f.ctx).find(key)) {
            f.next = e + 1;
            pend_ = e;
            return true;
        }
        pend_ = &kSkipEntry;
        if (f.ctx == Ctx::Root && (s_.active_sessions.has_value() || is_router_short_name(key))) {
            pend_ = &kRouterEntry;
            pend_key_ = key;
        }
        return true;
    }

    [[gnu::always_inline]] bool integer(int64_t v) {
        if (pend_->kind == Pending::Int && v >= 0) [[likely]] {
            *reinterpret_cast<uwsgitop::Int*>(value_at()) = v;
            return true;
        }
        return other_integer(v);
    }

    // uWSGI prints every counter unsigned; only cron schedules/pids and
    // metric values are signed (Pending::SignedInt). A negative counter is
    // not data.
    [[gnu::noinline]] bool other_integer(int64_t v) {
        switch (pend_->kind) {
        case Pending::SignedInt: *reinterpret_cast<uwsgitop::Int*>(value_at()) = v; return true;
        case Pending::Int: return fail(Err::OutOfRange);  // v < 0
        case Pending::Pid:
            if (v >= 0 && v <= kMaxPid) {
                *reinterpret_cast<uwsgitop::Int*>(value_at()) = v;
            } else {
                reinterpret_cast<uwsgitop::Int*>(value_at())->reset();
            }
            return true;
        default: return scalar(Scalar::Number);
        }
    }

    // A string that is not the value of a string field.
    [[gnu::noinline]] bool other_string(std::string_view value) {
        const Frame& f = *top_;
        switch (f.ctx) {
        case Ctx::Vars: {
            auto* core = static_cast<Core*>(f.obj);
            s_.vars.push_back(keep(value));
            ++core->vars.count;
            return true;
        }
        case Ctx::Scanners: s_.emperor_scanners.push_back(keep(value)); return true;
        case Ctx::RouterSockets: s_.router_sockets.push_back(keep(value)); return true;
        default: return scalar(Scalar::String);
        }
    }

    // Every scalar that is not stored by the fast paths above.
    bool scalar(Scalar k) {
        const Frame& f = *top_;
        if (f.ctx == Ctx::Skip) {
            return true;
        }
        if (f.ctx == Ctx::Top) {
            return fail(Err::TopNotObject);
        }
        if (is_array_ctx(f.ctx)) {
            if (k == Scalar::Null) {
                return true;  // a null element is ignored
            }
            return fail(is_string_array(f.ctx) ? Err::ArrayOfStrings : Err::ArrayOfObjects);
        }
        switch (pend_->kind) {
        case Pending::Skip:
        case Pending::Router: return true;
        case Pending::Pid: reinterpret_cast<uwsgitop::Int*>(value_at())->reset(); return true;  // kFieldPid
        case Pending::Int:
        case Pending::SignedInt:
            switch (k) {
            case Scalar::Null: reinterpret_cast<uwsgitop::Int*>(value_at())->reset(); return true;
            case Scalar::Huge: return fail(Err::OutOfRange);
            case Scalar::NonIntegral: return fail(Err::ExpectInteger);
            default: return fail(Err::ExpectNumber);
            }
        case Pending::Str:
            if (k == Scalar::Null) {
                *reinterpret_cast<std::string_view*>(value_at()) = {};
                return true;
            }
            return fail(Err::ExpectString);
        case Pending::Child:
            if (k == Scalar::Null) {
                return true;  // a null list is an absent list
            }
            if (pend_->child == Ctx::Metric) {
                return fail(Err::ObjectValues);
            }
            return fail(is_array_ctx(pend_->child) ? Err::ExpectArray : Err::ExpectObject);
        }
        return true;
    }

    // `"key": {` or `"key": [` for a known container key (pend_->child).
    // The two of every core (req_info, vars the first time) here, the rest
    // in open_container().
    bool open_child(bool is_object) {
        const Ctx ctx = pend_->child;
        if (is_object == is_array_ctx(ctx)) [[unlikely]] {
            return wrong_container(ctx, is_object);
        }
        void* parent = top_->obj;
        if (ctx == Ctx::ReqInfo) {
            return push(ctx, parent);  // fills the Core in `parent`
        }
        if (ctx == Ctx::Vars && static_cast<Core*>(parent)->vars.count == 0) {
            static_cast<Core*>(parent)->vars = Range{size32(s_.vars), 0};
            return push(ctx, parent);
        }
        return open_container(ctx, parent);
    }

    // Where each list's elements go (stats_handler_lists.hpp).
    bool wrong_container(Ctx ctx, bool is_object);   // noinline
    bool open_container(Ctx ctx, void* parent);      // noinline
    void skip_cores();
    void read_cores_fast(Worker& w);  // core_reader.hpp
    int core_head(core_text::Cursor& c, Core& core, const char*& numbers_end);
    template <bool kRoom>
    int glued_head(core_text::Cursor& c, uwsgitop::Int* const* values, const char*& numbers_end);
    bool core_tail(core_text::Cursor& c, Core& core, bool& empty);
    bool object_element(const Frame& f);

    Snapshot& s_;
    CoreSkip skip_;
    CoreGlue glue_;
    std::array<Frame, kMaxDepth + 1> frames_{};  // [0]: Top; then up to kMaxDepth containers
    Frame* top_ = &frames_[0];
    // The value after the last key: what it is for (and where it goes:
    // value_at()).
    const Entry* pend_ = &kSkipEntry;
    std::string_view pend_key_;   // server bytes: never put into messages
    std::string_view err_name_;   // static field name, for messages
    bool storage_full_ = false;   // keep() found no room (streamed parse only)
    bool saw_workers_ = false;
    bool saw_vassals_ = false;
    Err err_ = Err::None;
};

}  // namespace uwsgitop::detail

#include "stats_handler_lists.hpp"  // IWYU pragma: keep (the out-of-line members above)
#include "core_reader.hpp"          // IWYU pragma: keep (read_cores_fast)
