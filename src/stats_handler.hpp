// stats_handler.hpp — the RapidJSON SAX handler behind Parser (private to parse.cpp).
//
// StatsHandler receives the reader's events and writes straight into a
// cleared Snapshot: each key is resolved once, through the compile-time
// tables of json_keys.hpp, to the Int / string_view it fills or to the child
// container it opens; unknown keys are skipped with a depth counter. Nesting
// (known frames + skipped levels) is capped at kMaxDepth. The value rules
// (null, duplicates, doubles, wrong types) are described in parse.cpp.
// Pointers kept in frames stay valid: a vector is only appended to while the
// frame of its parent is on top, and no context can contain itself.
#pragma once

#include <rapidjson/reader.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "json_keys.hpp"
#include "uwsgitop/model.hpp"
#include "uwsgitop/parse.hpp"

namespace uwsgitop::detail {

enum class Err : uint8_t {
    None,
    TopNotObject,
    TooDeep,
    ExpectNumber,
    ExpectInteger,
    OutOfRange,
    ExpectString,
    ExpectArray,
    ExpectObject,
    ArrayOfObjects,
    ArrayOfStrings,
    ObjectValues,
};

// What the next value of the current object is for (set by Key()).
enum class Pending : uint8_t { Skip, Int, Str, Child, Router };

// The kind of a scalar event, for the error rules of scalar().
enum class Scalar : uint8_t { Null, Bool, Number, NonIntegral, Huge, String };

// Name of an array context, for error messages about its elements.
inline constexpr std::string_view array_name(Ctx c) {
    switch (c) {
    case Ctx::Workers: return "workers";
    case Ctx::Apps: return "apps";
    case Ctx::Cores: return "cores";
    case Ctx::Vars: return "vars";
    case Ctx::Sockets: return "sockets";
    case Ctx::Locks: return "locks";
    case Ctx::Caches: return "caches";
    case Ctx::Spoolers: return "spoolers";
    case Ctx::Daemons: return "daemons";
    case Ctx::Crons: return "crons";
    case Ctx::Scanners: return "emperor";
    case Ctx::Vassals: return "vassals";
    case Ctx::Blacklist: return "blacklist";
    case Ctx::RouterSockets: return "router sockets";
    case Ctx::StaticNodes: return "static_nodes";
    case Ctx::Subscriptions: return "subscriptions";
    case Ctx::Nodes: return "nodes";
    default: return "list";
    }
}

inline constexpr bool is_string_array(Ctx c) {
    return c == Ctx::Vars || c == Ctx::Scanners || c == Ctx::RouterSockets;
}

template <class T>
uint32_t size32(const std::vector<T>& v) {
    return static_cast<uint32_t>(v.size());
}

class StatsHandler {
public:
    explicit StatsHandler(Snapshot& snap) : s_(snap) {}

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
        if (skip_ > 0) {
            return true;
        }
        if (depth_ == 0) {
            return fail(Err::TopNotObject);
        }
        Frame& f = frames_[depth_ - 1];
        std::string_view value(str, len);
        if (is_array_ctx(f.ctx)) {
            switch (f.ctx) {
            case Ctx::Vars: {
                auto* core = static_cast<Core*>(f.obj);
                s_.vars.push_back(value);
                ++core->vars.count;
                return true;
            }
            case Ctx::Scanners: s_.emperor_scanners.push_back(value); return true;
            case Ctx::RouterSockets: s_.router_sockets.push_back(value); return true;
            default: return scalar(Scalar::String);
            }
        }
        if (pend_ == Pending::Str) {
            *pend_str_ = value;
            return true;
        }
        return scalar(Scalar::String);
    }

    // The hot path: one switch, then the expected field of the object's
    // table (KeyTable::expected); everything else is out of line.
    bool Key(const char* str, rapidjson::SizeType len, bool) {
        if (skip_ > 0) {
            return true;
        }
        Frame& f = frames_[depth_ - 1];
        switch (f.ctx) {
        case Ctx::Worker: return resolve(kWorkerTable, f, str, len);
        case Ctx::App: return resolve(kAppTable, f, str, len);
        case Ctx::Core: return resolve(kCoreTable, f, str, len);
        case Ctx::ReqInfo: return resolve(kReqInfoTable, f, str, len);
        case Ctx::Socket: return resolve(kSocketTable, f, str, len);
        case Ctx::Cache: return resolve(kCacheTable, f, str, len);
        case Ctx::Metric: return resolve(kMetricTable, f, str, len);
        case Ctx::Spooler: return resolve(kSpoolerTable, f, str, len);
        case Ctx::Daemon: return resolve(kDaemonTable, f, str, len);
        case Ctx::Cron: return resolve(kCronTable, f, str, len);
        case Ctx::Vassal: return resolve(kVassalTable, f, str, len);
        case Ctx::BlacklistEntry: return resolve(kBlacklistTable, f, str, len);
        case Ctx::StaticNode: return resolve(kStaticNodeTable, f, str, len);
        case Ctx::Subscription: return resolve(kSubscriptionTable, f, str, len);
        case Ctx::Node: return resolve(kNodeTable, f, str, len);
        default: return other_key(f, std::string_view(str, len));
        }
    }

    bool StartObject() {
        if (skip_ > 0) {
            return enter_skip();
        }
        if (depth_ == 0) {
            return push(Ctx::Root, &s_);
        }
        Frame& f = frames_[depth_ - 1];
        if (is_array_ctx(f.ctx)) {
            return object_element(f);
        }
        switch (pend_) {
        case Pending::Child: return open_child(true);
        case Pending::Int: return fail(Err::ExpectNumber);
        case Pending::Str: return fail(Err::ExpectString);
        case Pending::Skip:
        case Pending::Router: break;
        }
        return enter_skip();
    }

    bool StartArray() {
        if (skip_ > 0) {
            return enter_skip();
        }
        if (depth_ == 0) {
            return fail(Err::TopNotObject);
        }
        Frame& f = frames_[depth_ - 1];
        if (is_array_ctx(f.ctx)) {
            pend_name_ = array_name(f.ctx);
            return fail(is_string_array(f.ctx) ? Err::ArrayOfStrings : Err::ArrayOfObjects);
        }
        switch (pend_) {
        case Pending::Child: return open_child(false);
        case Pending::Int: return fail(Err::ExpectNumber);
        case Pending::Str: return fail(Err::ExpectString);
        case Pending::Router:
            // The router's short-name key, e.g. "http": ["127.0.0.1:8080", ...].
            if (s_.router_name.empty() || s_.router_name == pend_key_) {
                s_.router_name = pend_key_;
                s_.router_sockets.clear();
                return push(Ctx::RouterSockets, nullptr);
            }
            break;
        case Pending::Skip: break;
        }
        return enter_skip();
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

    std::string reason() const {
        std::string field = "field \"" + std::string(pend_name_) + "\" ";
        switch (err_) {
        case Err::None: break;
        case Err::TopNotObject: return "the top level is not an object";
        case Err::TooDeep: return "nesting deeper than " + std::to_string(kMaxDepth) + " levels";
        case Err::ExpectNumber: return field + "expects a number";
        case Err::ExpectInteger: return field + "expects an integer";
        case Err::OutOfRange: return "number out of range for " + field.substr(0, field.size() - 1);
        case Err::ExpectString: return field + "expects a string";
        case Err::ExpectArray: return field + "expects an array";
        case Err::ExpectObject: return field + "expects an object";
        case Err::ArrayOfObjects: return field + "expects an array of objects";
        case Err::ArrayOfStrings: return field + "expects an array of strings";
        case Err::ObjectValues: return field + "expects objects as values";
        }
        return "rejected by the parser";
    }

private:
    struct Frame {
        Ctx ctx = Ctx::Root;
        void* obj = nullptr;  // the struct being filled, or an array's parent
        uint8_t hint = 0;     // KeyTable::find's guess of the next key
    };

    bool fail(Err e) {
        err_ = e;
        return false;
    }

    bool push(Ctx ctx, void* obj) {
        if (depth_ + skip_ >= kMaxDepth) {
            return fail(Err::TooDeep);
        }
        frames_[depth_++] = Frame{ctx, obj, 0};
        return true;
    }

    bool enter_skip() {
        if (depth_ + skip_ >= kMaxDepth) {
            return fail(Err::TooDeep);
        }
        ++skip_;
        return true;
    }

    bool leave() {
        if (skip_ > 0) {
            --skip_;
        } else if (depth_ > 0) {
            --depth_;
        }
        return true;
    }

    // Key() in an object with a key table.
    template <class T, std::size_t N>
    [[gnu::always_inline]] bool resolve(const KeyTable<T, N>& table, Frame& frame, const char* key,
                                        std::size_t len) {
        const Field<T>* f = table.expected(frame.hint, key, len);
        if (f == nullptr) [[unlikely]] {
            return resolve_hashed(table, frame, std::string_view(key, len));
        }
        ++frame.hint;
        expect(*f, frame.obj);
        return true;
    }

    template <class T, std::size_t N>
    [[gnu::noinline]] bool resolve_hashed(const KeyTable<T, N>& table, Frame& frame,
                                          std::string_view key) {
        const Field<T>* f = table.find(key);
        if (f == nullptr) {
            pend_ = Pending::Skip;
            return true;
        }
        frame.hint = static_cast<uint8_t>(table.index_of(f) + 1);
        expect(*f, frame.obj);
        return true;
    }

    // The next value is for field `f` of `obj`.
    template <class T>
    [[gnu::always_inline]] void expect(const Field<T>& f, void* obj) {
        T* o = static_cast<T*>(obj);
        pend_name_ = f.name;
        switch (f.kind) {
        case FieldKind::Int:
            pend_ = Pending::Int;
            pend_int_ = &(o->*(f.int_member));
            break;
        case FieldKind::Str:
            pend_ = Pending::Str;
            pend_str_ = &(o->*(f.str_member));
            break;
        case FieldKind::Child:
            pend_ = Pending::Child;
            pend_child_ = f.child;
            break;
        }
    }

    // Key() in the root, a lock or the metrics object (a few per document).
    [[gnu::noinline]] bool other_key(Frame& f, std::string_view key) {
        switch (f.ctx) {
        case Ctx::Root:
            resolve_hashed(kRootTable, f, key);
            if (pend_ == Pending::Skip &&
                (s_.active_sessions.has_value() || is_router_short_name(key))) {
                pend_ = Pending::Router;
                pend_key_ = key;
            }
            break;
        case Ctx::LockObj:
            // {"user 0":0}: the key is the lock's name, the value its holder.
            s_.locks.push_back(Lock{key, {}});
            pend_ = Pending::Int;
            pend_int_ = &s_.locks.back().pid;
            pend_name_ = "locks";
            break;
        case Ctx::MetricsObj:
            // {"core.busy_workers":{"type":1,"oid":"5.3","value":0}, ...}
            pend_ = Pending::Child;
            pend_child_ = Ctx::Metric;
            pend_key_ = key;
            pend_name_ = "metrics";
            break;
        default:
            pend_ = Pending::Skip;  // unreachable: arrays have no keys
            break;
        }
        return true;
    }

    [[gnu::always_inline]] bool integer(int64_t v) {
        if (skip_ == 0 && depth_ > 0 && pend_ == Pending::Int &&
            !is_array_ctx(frames_[depth_ - 1].ctx)) {
            // uWSGI prints every counter unsigned; only cron schedules/pids
            // and metric values are signed. A negative counter is not data.
            const Ctx ctx = frames_[depth_ - 1].ctx;
            if (v < 0 && ctx != Ctx::Cron && ctx != Ctx::Metric) {
                return fail(Err::OutOfRange);
            }
            *pend_int_ = v;
            return true;
        }
        return scalar(Scalar::Number);
    }

    // Every scalar that is not stored by the fast paths above.
    bool scalar(Scalar k) {
        if (skip_ > 0) {
            return true;
        }
        if (depth_ == 0) {
            return fail(Err::TopNotObject);
        }
        const Frame& f = frames_[depth_ - 1];
        if (is_array_ctx(f.ctx)) {
            if (k == Scalar::Null) {
                return true;  // a null element is ignored
            }
            pend_name_ = array_name(f.ctx);
            return fail(is_string_array(f.ctx) ? Err::ArrayOfStrings : Err::ArrayOfObjects);
        }
        switch (pend_) {
        case Pending::Skip:
        case Pending::Router: return true;
        case Pending::Int:
            switch (k) {
            case Scalar::Null: pend_int_->reset(); return true;
            case Scalar::Huge: return fail(Err::OutOfRange);
            case Scalar::NonIntegral: return fail(Err::ExpectInteger);
            default: return fail(Err::ExpectNumber);
            }
        case Pending::Str:
            if (k == Scalar::Null) {
                *pend_str_ = {};
                return true;
            }
            return fail(Err::ExpectString);
        case Pending::Child:
            if (k == Scalar::Null) {
                return true;  // a null list is an absent list
            }
            if (pend_child_ == Ctx::Metric) {
                return fail(Err::ObjectValues);
            }
            return fail(is_array_ctx(pend_child_) ? Err::ExpectArray : Err::ExpectObject);
        }
        return true;
    }

    // `"key": {` or `"key": [` for a known container key (pend_child_).
    bool open_child(bool is_object) {
        Ctx ctx = pend_child_;
        if (is_object == is_array_ctx(ctx)) {
            if (ctx == Ctx::Metric) {
                return fail(Err::ObjectValues);
            }
            return fail(is_object ? Err::ExpectArray : Err::ExpectObject);
        }
        void* parent = frames_[depth_ - 1].obj;
        switch (ctx) {
        case Ctx::Workers:
            // A repeated "workers" replaces the first (last key wins).
            s_.workers.clear();
            s_.cores.clear();
            s_.apps.clear();
            s_.vars.clear();
            saw_workers_ = true;
            break;
        case Ctx::Apps: {
            auto* w = static_cast<Worker*>(parent);
            if (w->apps.count > 0) {
                s_.apps.resize(w->apps.begin);
            }
            w->apps = Range{size32(s_.apps), 0};
            break;
        }
        case Ctx::Cores: {
            auto* w = static_cast<Worker*>(parent);
            if (w->cores.count > 0) {
                s_.vars.resize(s_.cores[w->cores.begin].vars.begin);
                s_.cores.resize(w->cores.begin);
            }
            w->cores = Range{size32(s_.cores), 0};
            w->has_cores = true;
            break;
        }
        case Ctx::Vars: {
            auto* c = static_cast<Core*>(parent);
            if (c->vars.count > 0) {
                s_.vars.resize(c->vars.begin);
            }
            c->vars = Range{size32(s_.vars), 0};
            break;
        }
        case Ctx::Nodes: {
            auto* sub = static_cast<Subscription*>(parent);
            if (sub->nodes.count > 0) {
                s_.router_nodes.resize(sub->nodes.begin);
            }
            sub->nodes = Range{size32(s_.router_nodes), 0};
            break;
        }
        case Ctx::Metric:
            s_.metrics.push_back(Metric{});
            s_.metrics.back().name = pend_key_;
            return push(Ctx::Metric, &s_.metrics.back());
        case Ctx::ReqInfo: break;  // fills the Core in `parent`
        case Ctx::Sockets: s_.sockets.clear(); break;
        case Ctx::Locks: s_.locks.clear(); break;
        case Ctx::Caches: s_.caches.clear(); break;
        case Ctx::MetricsObj:
            s_.metrics.clear();
            s_.has_metrics = true;
            break;
        case Ctx::Spoolers: s_.spoolers.clear(); break;
        case Ctx::Daemons: s_.daemons.clear(); break;
        case Ctx::Crons: s_.crons.clear(); break;
        case Ctx::Scanners: s_.emperor_scanners.clear(); break;
        case Ctx::Vassals:
            s_.vassals.clear();
            saw_vassals_ = true;
            break;
        case Ctx::Blacklist: s_.blacklist.clear(); break;
        case Ctx::StaticNodes: s_.static_nodes.clear(); break;
        case Ctx::Subscriptions:
            s_.subscriptions.clear();
            s_.router_nodes.clear();
            break;
        default: return enter_skip();  // not a child context
        }
        return push(ctx, parent);
    }

    // `{` as an element of a known list.
    bool object_element(const Frame& f) {
        switch (f.ctx) {
        case Ctx::Workers:
            s_.workers.emplace_back();
            return push(Ctx::Worker, &s_.workers.back());
        case Ctx::Apps: {
            auto* w = static_cast<Worker*>(f.obj);
            s_.apps.emplace_back();
            ++w->apps.count;
            return push(Ctx::App, &s_.apps.back());
        }
        case Ctx::Cores: {
            auto* w = static_cast<Worker*>(f.obj);
            Core& c = s_.cores.emplace_back();
            c.worker_index = static_cast<uint32_t>(w - s_.workers.data());
            c.vars = Range{size32(s_.vars), 0};
            ++w->cores.count;
            return push(Ctx::Core, &c);
        }
        case Ctx::Nodes: {
            auto* sub = static_cast<Subscription*>(f.obj);
            RouterNode& n = s_.router_nodes.emplace_back();
            n.subscription_index = static_cast<uint32_t>(sub - s_.subscriptions.data());
            ++sub->nodes.count;
            return push(Ctx::Node, &n);
        }
        case Ctx::Locks: return push(Ctx::LockObj, nullptr);
        case Ctx::Sockets: return push(Ctx::Socket, &s_.sockets.emplace_back());
        case Ctx::Caches: return push(Ctx::Cache, &s_.caches.emplace_back());
        case Ctx::Spoolers: return push(Ctx::Spooler, &s_.spoolers.emplace_back());
        case Ctx::Daemons: return push(Ctx::Daemon, &s_.daemons.emplace_back());
        case Ctx::Crons: return push(Ctx::Cron, &s_.crons.emplace_back());
        case Ctx::Vassals: return push(Ctx::Vassal, &s_.vassals.emplace_back());
        case Ctx::Blacklist: return push(Ctx::BlacklistEntry, &s_.blacklist.emplace_back());
        case Ctx::StaticNodes: return push(Ctx::StaticNode, &s_.static_nodes.emplace_back());
        case Ctx::Subscriptions:
            return push(Ctx::Subscription, &s_.subscriptions.emplace_back());
        default:
            pend_name_ = array_name(f.ctx);
            return fail(Err::ArrayOfStrings);
        }
    }

    Snapshot& s_;
    std::array<Frame, kMaxDepth> frames_{};
    unsigned depth_ = 0;  // frames in use
    unsigned skip_ = 0;   // depth inside an unknown container
    Pending pend_ = Pending::Skip;
    Ctx pend_child_ = Ctx::Root;
    uwsgitop::Int* pend_int_ = nullptr;
    std::string_view* pend_str_ = nullptr;
    std::string_view pend_key_;   // server bytes: never put into messages
    std::string_view pend_name_;  // static field name, for messages
    bool saw_workers_ = false;
    bool saw_vassals_ = false;
    Err err_ = Err::None;
};

}  // namespace uwsgitop::detail
