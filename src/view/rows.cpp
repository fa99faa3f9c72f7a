// rows.cpp — row lists and their stable ordering (see rows.hpp).
#include "uwsgitop/view/rows.hpp"

#include <algorithm>
#include <limits>

#include "uwsgitop/base/text.hpp"

namespace uwsgitop {

namespace {

int64_t worker_id_of(const Snapshot& snap, RowRef r) {
    return snap.workers[r.worker].id.value_or(INT64_MAX);
}

int64_t core_id_of(const Snapshot& snap, RowRef r) {
    return r.is_core() ? snap.cores[r.core].id.value_or(INT64_MAX) : -1;
}

uint64_t clamp32(int64_t v) { return v < 0 ? 0 : v > 0xFFFFFFFE ? 0xFFFFFFFF : static_cast<uint64_t>(v); }

uint64_t pack(RowRef r) { return static_cast<uint64_t>(r.worker) << 32 | r.core; }
RowRef unpack(uint64_t v) { return RowRef{static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)}; }

// Orders keys[first, last) as a full sort would, the rest partitioned around.
template <class Key, class Less>
void arrange_keys(std::vector<Key>& keys, std::size_t first, std::size_t last, Less less) {
    const std::size_t n = keys.size();
    last = std::min(last, n);
    if (first >= last) return;
    const auto b = keys.begin();
    const auto at = [&](std::size_t i) { return b + static_cast<std::ptrdiff_t>(i); };
    if (first == 0 && last == n) {
        std::sort(b, at(n), less);
        return;
    }
    if (first > 0) std::nth_element(b, at(first), at(n), less);
    if (last < n) std::nth_element(at(first), at(last), at(n), less);
    std::sort(at(first), at(last), less);
}

}  // namespace

// Strict weak order: known before unknown; by value in the asked direction;
// then worker id, core id ascending; then snapshot indices (cheap workers
// all have id 0).
bool FlatOrder::keyed_less(const Keyed& a, const Keyed& b, bool descending) {
    if (a.value.known() != b.value.known()) return a.value.known();
    if (a.value.known()) {
        int cmp = 0;
        if (a.value.kind == Value::Kind::Text || b.value.kind == Value::Kind::Text) {
            const int t = a.value.text.compare(b.value.text);
            cmp = (t > 0) - (t < 0);
        } else {
            cmp = (a.value.number > b.value.number) - (a.value.number < b.value.number);
        }
        if (cmp != 0) return descending ? cmp > 0 : cmp < 0;
    }
    if (a.worker_id != b.worker_id) return a.worker_id < b.worker_id;
    if (a.core_id != b.core_id) return a.core_id < b.core_id;
    if (a.row.worker != b.row.worker) return a.row.worker < b.row.worker;
    return a.row.core < b.row.core;
}

// The same order for numbers, on a 24-byte key (a third of Keyed's size).
bool FlatOrder::compact_less(const Compact& a, const Compact& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.tie != b.tie) return a.tie < b.tie;
    return a.ref < b.ref;
}

void FlatOrder::compute(const std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec) {
    const ColumnDef& col = column(spec.column);
    descending_ = spec.descending;
    compact_ = true;
    compact_keys_.clear();
    keyed_.clear();
    compact_keys_.reserve(rows.size());
    for (const RowRef r : rows) {
        const Value v = column_value(col, ctx, r);
        if (v.kind == Value::Kind::Text) {
            compact_ = false;
            break;
        }
        const double k = v.known() ? (spec.descending ? -v.number : v.number) : std::numeric_limits<double>::infinity();
        // worker rows (core id -1) before their cores; ids clamped to 32 bits
        const int64_t cid = core_id_of(*ctx.snap, r);
        const uint64_t core_key = cid < 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(cid) + 1, 0xFFFFFFFFu);
        const uint64_t tie = clamp32(worker_id_of(*ctx.snap, r)) << 32 | core_key;
        compact_keys_.push_back({k, tie, pack(r)});
    }
    if (compact_) return;
    compact_keys_.clear();
    keyed_.reserve(rows.size());
    for (const RowRef r : rows) {
        keyed_.push_back({r, column_value(col, ctx, r), worker_id_of(*ctx.snap, r), core_id_of(*ctx.snap, r)});
    }
}

bool FlatOrder::before(std::size_t a, std::size_t b) const {
    if (compact_) return compact_less(compact_keys_[a], compact_keys_[b]);
    return keyed_less(keyed_[a], keyed_[b], descending_);
}

std::size_t FlatOrder::rank(std::size_t i) const {
    std::size_t n = 0;
    if (compact_) {
        const Compact& k = compact_keys_[i];
        for (const Compact& c : compact_keys_) n += compact_less(c, k);
    } else {
        const Keyed& k = keyed_[i];
        for (const Keyed& c : keyed_) n += keyed_less(c, k, descending_);
    }
    return n;
}

void FlatOrder::arrange(std::vector<RowRef>& rows, std::size_t first, std::size_t last) {
    if (compact_) {
        arrange_keys(compact_keys_, first, last, [](const Compact& a, const Compact& b) { return compact_less(a, b); });
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = unpack(compact_keys_[i].ref);
    } else {
        const bool desc = descending_;
        arrange_keys(keyed_, first, last, [desc](const Keyed& a, const Keyed& b) { return keyed_less(a, b, desc); });
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = keyed_[i].row;
    }
}

void build_rows(const Snapshot& snap, RowMode mode, std::vector<RowRef>& out) {
    out.clear();
    for (uint32_t wi = 0; wi < snap.workers.size(); ++wi) {
        const Worker& w = snap.workers[wi];
        if (mode != RowMode::Cores) out.push_back({wi, kNoCore});
        if (mode == RowMode::Workers) continue;
        for (uint32_t k = 0; k < w.cores.count; ++k) out.push_back({wi, w.cores.begin + k});
    }
}

void sort_rows(std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec, RowMode mode) {
    static thread_local FlatOrder order;  // keeps its capacity between calls
    const auto sort_flat = [&](std::vector<RowRef>& list) {
        order.compute(list, ctx, spec);
        order.arrange(list, 0, list.size());
    };
    if (mode != RowMode::WorkersTree) {
        sort_flat(rows);
        return;
    }
    // Tree: sort the worker rows, then emit each worker's cores (sorted) after it.
    std::vector<RowRef> workers;
    std::vector<RowRef> cores;
    for (RowRef r : rows) (r.is_core() ? cores : workers).push_back(r);
    sort_flat(workers);
    sort_flat(cores);
    // Group sorted cores by worker index, keeping their sorted order.
    std::stable_sort(cores.begin(), cores.end(),
                     [](RowRef a, RowRef b) { return a.worker < b.worker; });
    rows.clear();
    for (RowRef w : workers) {
        rows.push_back(w);
        auto first = std::lower_bound(cores.begin(), cores.end(), w.worker,
                                      [](RowRef c, uint32_t wi) { return c.worker < wi; });
        for (auto it = first; it != cores.end() && it->worker == w.worker; ++it) rows.push_back(*it);
    }
}

Status parse_sort(std::string_view text, bool reverse, SortSpec& out) {
    bool flip = reverse;
    if (!text.empty() && text.front() == '-') {
        flip = !flip;
        text.remove_prefix(1);
    }
    const ColumnDef* def = find_column(text);
    if (!def) {
        return Status::fail("unknown column \"" + escape_for_display(text) + "\" " + unknown_column_hint(text));
    }
    out.column = def->id;
    out.descending = def->default_desc != flip;
    return Status::ok();
}

}  // namespace uwsgitop
