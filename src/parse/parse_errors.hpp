// parse_errors.hpp — why the stats parser refused a document, as a one-line message (private to parse/).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "contexts.hpp"
#include "uwsgitop/parse/parse.hpp"

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
    case Ctx::Legions: return "legions";
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

// The message for `err`; `name` is the field (or list) it is about.
inline std::string error_text(Err err, std::string_view name) {
    std::string field = "field \"" + std::string(name) + "\" ";
    switch (err) {
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

}  // namespace uwsgitop::detail
