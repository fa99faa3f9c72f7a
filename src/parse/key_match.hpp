// key_match.hpp — compile-time key tables and the key matcher of the stats parser (private to parse/).
//
// Each JSON object the parser understands (the root, a worker, a core, ...)
// has one KeyTable (built in key_tables.hpp): the known keys of that object,
// each an Entry that says what its value is for (an Int or string_view
// member, by its byte offset in the object's struct, or a child container).
// StatsHandler keeps, per open object, a pointer to the entry after the one
// matched last (the hint; at first the table's first entry): uWSGI writes
// each object's keys in a fixed order, the order of the table, so a key is
// first compared with the hinted entry only: one length compare and two or
// three word compares of the key against words computed at compile time.
// Every entries array ends with an entry no key matches (kNoKeyLen), so the
// hint needs no bounds check; objects without a table (and skipped
// containers) use kNoKeys, which is that end entry alone. Otherwise, out of
// line: one constant-time hash, one probe of a 64-slot open-addressed table
// (linear probing, so colliding keys still work) and the same compare.
// Tables are built at compile time (consteval).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "contexts.hpp"

namespace uwsgitop::detail {

// Constant time whatever the key's length: the length and three of its
// bytes, mixed. Collisions are harmless (probing, then a full compare); the
// tables below are small, and a key that is not in a table usually lands on
// an empty slot or fails the 32-bit compare without touching its bytes.
constexpr uint32_t key_hash(std::string_view key) {
    const std::size_t n = key.size();
    if (n == 0) {
        return 0;
    }
    uint32_t h = static_cast<uint32_t>(n) * 0x9E3779B1u;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[0])) * 0x85EBCA77u;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[n - 1])) * 0xC2B2AE3Du;
    h ^= static_cast<uint32_t>(static_cast<unsigned char>(key[n / 2])) * 0x27D4EB2Fu;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 13;
    return h;
}

// One key of a table: what its value is for (KeyTable makes an Entry of it).
struct Key {
    const char* name = "";   // NUL-terminated (messages print it)
    Pending kind = Pending::Skip;
    uint16_t offset = 0;     // of the member in its struct (Int, SignedInt, Str)
    Ctx child = Ctx::Top;    // the container a Child key opens
};

inline constexpr std::size_t kMaxKeyLen = 24;
// The length in the entry that ends a table: a key's length comes from a
// 32-bit SizeType, so no key has this one.
inline constexpr std::size_t kNoKeyLen = std::numeric_limits<std::size_t>::max();

// A table entry: the key's bytes as at most three machine words, for
// comparing a key with a few loads of the key only (the words are computed at
// compile time), and what the key's value is for. Overlapping loads cover
// [0, n) without reading outside the key: n < 4: bytes 0, n/2, n-1; n < 8:
// the first and last 4 bytes; n <= 24: the first, last and (n > 16) middle
// 8 bytes.
struct Entry {
    uint64_t a = 0, b = 0, c = 0;
    std::size_t len = kNoKeyLen;
    const char* name = "";   // for messages
    uint16_t offset = 0;     // of the Int / string_view in the object (Int, SignedInt, Str)
    Pending kind = Pending::Skip;
    Ctx child = Ctx::Top;    // the container a Child key opens
};

// The value a native load of `count` bytes at s[from] gives (compile time).
constexpr uint64_t pack(std::string_view s, std::size_t from, std::size_t count) {
    uint64_t v = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t shift =
            8 * (std::endian::native == std::endian::little ? i : count - 1 - i);
        v |= static_cast<uint64_t>(static_cast<unsigned char>(s[from + i])) << shift;
    }
    return v;
}

constexpr Entry make_entry(const Key& f) {
    const std::string_view key(f.name);
    const std::size_t n = key.size();
    Entry e;
    e.len = n;
    if (n >= 8) {
        e.a = pack(key, 0, 8);
        e.b = pack(key, n - 8, 8);
        e.c = n > 16 ? pack(key, 8, 8) : 0;
    } else if (n >= 4) {
        e.a = pack(key, 0, 4) | pack(key, n - 4, 4) << 32;
    } else if (n > 0) {
        e.a = pack(key, 0, 1) | pack(key, n / 2, 1) << 8 | pack(key, n - 1, 1) << 16;
    }
    e.name = f.name;
    e.offset = f.offset;
    e.kind = f.kind;
    e.child = f.child;
    return e;
}

[[gnu::always_inline]] inline uint64_t load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
[[gnu::always_inline]] inline uint64_t load4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
[[gnu::always_inline]] inline uint64_t load1(const char* p) {
    return static_cast<unsigned char>(*p);
}

// Is the key at [p, p + n) the one `e` was made from? Branches on e.len,
// which is the same for every key at the same place of uWSGI's output.
[[gnu::always_inline]] inline bool same(const Entry& e, const char* p, std::size_t n) {
    if (n != e.len) {
        return false;
    }
    if (n >= 8) {
        return load8(p) == e.a && load8(p + n - 8) == e.b && (n <= 16 || load8(p + 8) == e.c);
    }
    if (n >= 4) {
        return (load4(p) | load4(p + n - 4) << 32) == e.a;
    }
    if (n > 0) {
        return (load1(p) | load1(p + n / 2) << 8 | load1(p + n - 1) << 16) == e.a;
    }
    return true;
}

inline constexpr std::size_t kSlots = 64;

// A table's hashed index, without its size (what find() needs).
struct KeyIndex {
    const Entry* entries = nullptr;
    const uint32_t* hashes = nullptr;
    const uint8_t* slots = nullptr;  // 0: empty, else entry index + 1

    // The entry named `key`, or nullptr for a key this object does not know.
    const Entry* find(std::string_view key) const {
        const uint32_t h = key_hash(key);
        std::size_t slot = h & (kSlots - 1);
        while (slots[slot] != 0) {
            if (hashes[slot] == h) {
                const Entry& e = entries[slots[slot] - 1u];
                if (same(e, key.data(), key.size())) {
                    return &e;
                }
            }
            slot = (slot + 1) & (kSlots - 1);
        }
        return nullptr;
    }
};

// Keys are listed in the order uWSGI writes them (see the top).
template <std::size_t N>
class KeyTable {
public:
    static_assert(N <= kSlots / 2, "keep the table at most half full");

    consteval explicit KeyTable(const std::array<Key, N>& keys) {
        for (std::size_t i = 0; i < N; ++i) {
            const std::string_view name(keys[i].name);
            if (name.empty() || name.size() > kMaxKeyLen) {
                throw "key empty or longer than kMaxKeyLen";  // fails the build
            }
            for (std::size_t k = 0; k < i; ++k) {
                if (name == std::string_view(keys[k].name)) {
                    throw "key listed twice";  // fails the build
                }
            }
            entries_[i] = make_entry(keys[i]);
            const uint32_t h = key_hash(name);
            std::size_t slot = h & (kSlots - 1);
            while (slots_[slot] != 0) {
                slot = (slot + 1) & (kSlots - 1);
            }
            slots_[slot] = static_cast<uint8_t>(i + 1);
            hashes_[slot] = h;
        }
    }
    consteval KeyTable() = default;  // no keys: the end entry alone

    // N entries, then the end entry (len kNoKeyLen).
    constexpr const Entry* entries() const { return entries_.data(); }
    constexpr KeyIndex index() const { return KeyIndex{entries_.data(), hashes_.data(), slots_.data()}; }

private:
    std::array<Entry, N + 1> entries_{};
    std::array<uint32_t, kSlots> hashes_{};
    std::array<uint8_t, kSlots> slots_{};
};

}  // namespace uwsgitop::detail
