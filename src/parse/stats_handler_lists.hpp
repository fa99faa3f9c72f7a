// stats_handler_lists.hpp — StatsHandler's containers: what opening a known list or object does, and where each element goes (private to parse/).
//
// Included at the end of stats_handler.hpp: these are its members, kept
// inline so that the per-core element path stays as fast as in the class.
#pragma once

#include "stats_handler.hpp"

namespace uwsgitop::detail {

[[gnu::noinline]] inline bool StatsHandler::wrong_container(Ctx ctx, bool is_object) {
    if (ctx == Ctx::Metric) {
        return fail(Err::ObjectValues);
    }
    return fail(is_object ? Err::ExpectArray : Err::ExpectObject);
}

[[gnu::noinline]] inline bool StatsHandler::open_container(Ctx ctx, void* parent) {
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
        if (skip_.pos != nullptr) {
            if (skip_.fast) {
                read_cores_fast(*w);
            } else {
                skip_cores();
            }
        }
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
        s_.metrics.back().name = keep(pend_key_);
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
    case Ctx::Legions: s_.legions.clear(); break;
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
    default: return push(Ctx::Skip, nullptr);  // not a child context
    }
    return push(ctx, parent);
}

// Moves the reader to the `]` of the "cores" list it just opened, so the
// next event is its EndArray. This leans on how RapidJSON's reader works
// (reader.h, ParseArray): it takes the `[`, calls StartArray, then reads
// on from the stream it was given, by reference; the tests of
// ParseScope::NoCores in test_parse.cpp fail if that changes. The list's elements may nest as deep as
// they could when parsed (the list's own frame is pushed next); when the
// brackets do not check out, nothing moves and the reader parses the list
// (and reports what is wrong with it).
inline void StatsHandler::skip_cores() {
    const auto level = static_cast<unsigned>(top_ - frames_.data()) + 1;
    char* at = *skip_.pos;
    const std::size_t close =
        skip_array(at, static_cast<std::size_t>(skip_.end - at), kMaxDepth - level);
    if (close != kNoSkip) {
        *skip_.pos = at + close;
        s_.cores_skipped = true;
    }
}

// `{` as an element of a known list.
inline bool StatsHandler::object_element(const Frame& f) {
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
        // Core{} is aggregate init; emplace_back() would value-initialize
        // (zero all 88 bytes, then set every member).
        Core& c = s_.cores.emplace_back(Core{});
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
    case Ctx::Legions: return push(Ctx::Legion, &s_.legions.emplace_back());
    case Ctx::Vassals: return push(Ctx::Vassal, &s_.vassals.emplace_back());
    case Ctx::Blacklist: return push(Ctx::BlacklistEntry, &s_.blacklist.emplace_back());
    case Ctx::StaticNodes: return push(Ctx::StaticNode, &s_.static_nodes.emplace_back());
    case Ctx::Subscriptions:
        return push(Ctx::Subscription, &s_.subscriptions.emplace_back());
    default: return fail(Err::ArrayOfStrings);
    }
}

}  // namespace uwsgitop::detail
