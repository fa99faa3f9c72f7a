// rows.cpp — row lists and their stable ordering (see rows.hpp).
#include "uwsgitop/rows.hpp"

#include <algorithm>
#include <limits>

#include "uwsgitop/text.hpp"

namespace uwsgitop {

namespace {

struct Keyed {
    RowRef row;
    Value value;
    int64_t worker_id;
    int64_t core_id;
};

int64_t worker_id_of(const Snapshot& snap, RowRef r) {
    return snap.workers[r.worker].id.value_or(INT64_MAX);
}

int64_t core_id_of(const Snapshot& snap, RowRef r) {
    return r.is_core() ? snap.cores[r.core].id.value_or(INT64_MAX) : -1;
}

// Strict weak order: known before unknown; by value in the asked direction;
// then worker id, core id ascending; then position (stable for cheap id 0 rows).
bool keyed_less(const Keyed& a, const Keyed& b, bool descending) {
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

struct Compact {
    double key;      // the value, negated when descending; +inf when unknown
    uint64_t tie;    // worker id << 32 | (core id + 1), ids clamped to 32 bits
    uint32_t pos;    // position in `rows` before sorting
};

uint64_t clamp32(int64_t v) { return v < 0 ? 0 : v > 0xFFFFFFFE ? 0xFFFFFFFF : static_cast<uint64_t>(v); }

bool sort_compact(std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec) {
    static thread_local std::vector<Compact> keys;
    static thread_local std::vector<RowRef> tmp;
    const ColumnDef& col = column(spec.column);
    keys.clear();
    keys.reserve(rows.size());
    for (uint32_t i = 0; i < rows.size(); ++i) {
        const RowRef r = rows[i];
        const Value v = column_value(col, ctx, r);
        if (v.kind == Value::Kind::Text) return false;
        double k = v.known() ? (spec.descending ? -v.number : v.number) : std::numeric_limits<double>::infinity();
        // worker rows (core id -1) before their cores; ids clamped to 32 bits
        const int64_t cid = core_id_of(*ctx.snap, r);
        const uint64_t core_key = cid < 0 ? 0 : std::min<uint64_t>(static_cast<uint64_t>(cid) + 1, 0xFFFFFFFFu);
        const uint64_t tie = clamp32(worker_id_of(*ctx.snap, r)) << 32 | core_key;
        keys.push_back({k, tie, i});
    }
    std::sort(keys.begin(), keys.end(), [](const Compact& a, const Compact& b) {
        if (a.key != b.key) return a.key < b.key;
        if (a.tie != b.tie) return a.tie < b.tie;
        return a.pos < b.pos;
    });
    tmp.assign(rows.begin(), rows.end());
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = tmp[keys[i].pos];
    return true;
}

void sort_flat(std::vector<RowRef>& rows, const RowContext& ctx, const SortSpec& spec,
               std::vector<Keyed>& keyed) {
    if (sort_compact(rows, ctx, spec)) return;
    const ColumnDef& col = column(spec.column);
    keyed.clear();
    keyed.reserve(rows.size());
    for (RowRef r : rows) {
        keyed.push_back({r, column_value(col, ctx, r), worker_id_of(*ctx.snap, r), core_id_of(*ctx.snap, r)});
    }
    std::sort(keyed.begin(), keyed.end(),
              [&](const Keyed& a, const Keyed& b) { return keyed_less(a, b, spec.descending); });
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].row;
}

}  // namespace

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
    static thread_local std::vector<Keyed> keyed;
    if (mode != RowMode::WorkersTree) {
        sort_flat(rows, ctx, spec, keyed);
        return;
    }
    // Tree: sort the worker rows, then emit each worker's cores (sorted) after it.
    std::vector<RowRef> workers;
    std::vector<RowRef> cores;
    for (RowRef r : rows) (r.is_core() ? cores : workers).push_back(r);
    sort_flat(workers, ctx, spec, keyed);
    sort_flat(cores, ctx, spec, keyed);
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
        return Status::fail("unknown sort column \"" + escape_for_display(text) + "\" (valid: " +
                            column_names() + ")");
    }
    out.column = def->id;
    out.descending = def->default_desc != flip;
    return Status::ok();
}

}  // namespace uwsgitop
