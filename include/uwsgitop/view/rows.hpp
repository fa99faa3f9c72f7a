// rows.hpp — which rows a table shows, and in what order.
//
// build_rows() lists worker rows, core rows, or both (each worker followed by
// its cores). sort_rows() orders them by one column, in either direction,
// with unknown values always last and ties broken by worker id then core id,
// so rows keep their place between refreshes. In tree mode (cores under their
// worker) the workers are sorted and each keeps its cores beneath it, the
// cores sorted by the same column.
//
// The flat order is total and depends only on the rows, not on where they
// stand in the list (the last tie is the snapshot indices). FlatOrder gives
// that same order one window at a time, for a screen that shows 50 of 64,000
// core rows: O(n + k log k) instead of O(n log n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "uwsgitop/view/columns.hpp"

namespace uwsgitop {

enum class RowMode : uint8_t {
    Workers,       // one row per worker
    Cores,         // one row per core (WID:CID)
    WorkersTree,   // each worker, then its cores beneath it
};

void build_rows(const Snapshot& snap, RowMode mode, std::vector<RowRef>& out);

struct SortSpec {
    ColumnId column = ColumnId::Id;
    bool descending = false;
};

void sort_rows(std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec, RowMode mode);

// The order sort_rows() gives a flat list (RowMode::Workers or Cores), with
// each row's key computed once. Positions below are positions in the list
// given to compute(), as permuted by the arrange() calls since.
class FlatOrder {
public:
    // Computes the key of every row of `rows` (any order): one getter call per row.
    void compute(const std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec);
    std::size_t size() const { return compact_ ? compact_keys_.size() : keyed_.size(); }
    // True when the row at position `a` comes before the one at `b`.
    bool before(std::size_t a, std::size_t b) const;
    // Where the row at position `i` stands in the full order: how many rows come before it. O(n).
    std::size_t rank(std::size_t i) const;
    // Permutes `rows` so that positions [first, last) hold, in order, exactly
    // the rows sort_rows() puts there; the rows before `first` are the ones it
    // puts before (in no particular order), likewise after `last`.
    // O(n + k log k) for k = last - first; [0, size()) is a full sort.
    void arrange(std::vector<RowRef>& rows, std::size_t first, std::size_t last);

private:
    struct Compact {          // numeric columns
        double key;           // the value, negated when descending; +inf when unknown
        uint64_t tie;         // worker id << 32 | (core id + 1), ids clamped to 32 bits
        uint64_t ref;         // RowRef: worker index << 32 | core index
    };
    struct Keyed {            // text columns
        RowRef row;
        Value value;
        int64_t worker_id;
        int64_t core_id;
    };
    static bool compact_less(const Compact& a, const Compact& b);
    static bool keyed_less(const Keyed& a, const Keyed& b, bool descending);

    bool compact_ = true;
    bool descending_ = false;
    std::vector<Compact> compact_keys_;
    std::vector<Keyed> keyed_;
};

// Parses "--sort NAME" / "-NAME" (reverse of the natural direction).
// `reverse` flips the direction once more (--reverse).
Status parse_sort(std::string_view text, bool reverse, SortSpec& out);

}  // namespace uwsgitop
