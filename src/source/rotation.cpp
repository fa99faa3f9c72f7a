// rotation.cpp — rotated recording sets: names, zstd compression of a rotated file, finishing a rotation, listing a set (see rotation.hpp).
#include "rotation.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <vector>

#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop::detail {

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// What stands at `p`: 0 nothing, 1 a regular file, 2 a directory, 3 anything else.
int kind_at(const std::string& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return errno == ENOENT || errno == ENOTDIR ? 0 : 3;
    if (S_ISREG(st.st_mode)) return 1;
    return S_ISDIR(st.st_mode) ? 2 : 3;
}

const char* kind_problem(int kind) { return kind == 2 ? "is a directory" : "not a regular file"; }

// The highest K of a FILE.K.zst or FILE.K in FILE's directory (0: none).
int highest_rotated(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".";
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return 0;
    int highest = 0;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        std::size_t i = prefix.size();
        long k = 0;
        while (i < name.size() && name[i] >= '0' && name[i] <= '9' && k < 1000000) k = k * 10 + (name[i++] - '0');
        if (i == prefix.size() || k < 1 || k >= 1000000) continue;
        if (i == name.size() || name.compare(i, std::string::npos, ".zst") == 0) {
            highest = std::max(highest, static_cast<int>(k));
        }
    }
    ::closedir(d);
    return highest;
}

bool write_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

struct CCtx {
    ZSTD_CCtx* p = ZSTD_createCCtx();
    CCtx() = default;
    ~CCtx() { ZSTD_freeCCtx(p); }
    CCtx(const CCtx&) = delete;
    CCtx& operator=(const CCtx&) = delete;
};

}  // namespace

std::string rotated_name(const std::string& path, int k) {
    return k == 0 ? path + ".0" : path + "." + std::to_string(k) + ".zst";
}

bool zstd_holds_copy(const std::string& zst, const std::string& plain) {
    UniqueFd z(::open(zst.c_str(), O_RDONLY | O_CLOEXEC));
    UniqueFd p(::open(plain.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (z.get() < 0 || p.get() < 0 || ::fstat(p.get(), &st) != 0) return false;
    char head[18];  // ZSTD_FRAMEHEADERSIZE_MAX
    const ssize_t n = ::pread(z.get(), head, sizeof head, 0);
    if (n <= 0) return false;
    const unsigned long long size = ZSTD_getFrameContentSize(head, static_cast<std::size_t>(n));
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
        size != static_cast<unsigned long long>(st.st_size)) {
        return false;
    }
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    if (dctx == nullptr) return false;
    std::vector<char> ibuf(ZSTD_DStreamInSize()), obuf(ZSTD_DStreamOutSize()), pbuf(ZSTD_DStreamOutSize());
    uint64_t compared = 0;
    bool same = true, frame_done = false;
    while (same && !frame_done) {
        const ssize_t r = ::read(z.get(), ibuf.data(), ibuf.size());
        if (r <= 0) break;
        ZSTD_inBuffer input{ibuf.data(), static_cast<std::size_t>(r), 0};
        while (same && input.pos < input.size) {
            ZSTD_outBuffer output{obuf.data(), obuf.size(), 0};
            const std::size_t ret = ZSTD_decompressStream(dctx, &output, &input);
            if (ZSTD_isError(ret)) {
                same = false;
                break;
            }
            if (output.pos > 0) {
                const ssize_t got = ::pread(p.get(), pbuf.data(), output.pos, static_cast<off_t>(compared));
                same = got == static_cast<ssize_t>(output.pos) && std::memcmp(pbuf.data(), obuf.data(), output.pos) == 0;
                compared += output.pos;
            }
            if (ret == 0) {
                frame_done = true;
                break;
            }
        }
    }
    ZSTD_freeDCtx(dctx);
    return same && frame_done && compared == static_cast<uint64_t>(st.st_size);
}

Status zstd_compress_file(const std::string& src, const std::string& dst, int level) {
    UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.get() < 0) return Status::fail(src + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) return Status::fail(src + ": " + std::strerror(errno));
    UniqueFd out(::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (out.get() < 0) return Status::fail(dst + ": " + std::strerror(errno));
    CCtx cctx;
    if (cctx.p == nullptr) return Status::fail(dst + ": out of memory");
    ZSTD_CCtx_setParameter(cctx.p, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(cctx.p, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setPledgedSrcSize(cctx.p, static_cast<unsigned long long>(st.st_size));
    std::vector<char> ibuf(ZSTD_CStreamInSize());
    std::vector<char> obuf(ZSTD_CStreamOutSize());
    auto fail_out = [&](const std::string& cause) {
        ::unlink(dst.c_str());
        return Status::fail(dst + ": " + cause);
    };
    uint64_t left = static_cast<uint64_t>(st.st_size);
    for (;;) {
        std::size_t got = 0;
        if (left > 0) {
            const ssize_t r = ::read(in.get(), ibuf.data(), ibuf.size() < left ? ibuf.size() : left);
            if (r < 0) {
                if (errno == EINTR) continue;
                return fail_out(src + ": " + std::strerror(errno));
            }
            if (r == 0) return fail_out(src + " shrank while it was compressed");
            got = static_cast<std::size_t>(r);
            left -= got;
        }
        const ZSTD_EndDirective mode = left == 0 ? ZSTD_e_end : ZSTD_e_continue;
        ZSTD_inBuffer input{ibuf.data(), got, 0};
        for (;;) {
            ZSTD_outBuffer output{obuf.data(), obuf.size(), 0};
            const std::size_t remaining = ZSTD_compressStream2(cctx.p, &output, &input, mode);
            if (ZSTD_isError(remaining)) return fail_out(std::string("zstd: ") + ZSTD_getErrorName(remaining));
            if (!write_all(out.get(), obuf.data(), output.pos)) return fail_out(std::strerror(errno));
            if (mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size) break;
        }
        if (mode == ZSTD_e_end) break;
    }
    if (::fsync(out.get()) != 0) return fail_out(std::strerror(errno));
    if (::close(out.release()) != 0) return fail_out(std::strerror(errno));
    return Status::ok();
}

Status rotation_blocked(const std::string& path, int keep) {
    std::vector<std::string> names{rotated_name(path, 0)};
    if (keep > 0) names.push_back(rotated_name(path, 1) + ".tmp");
    for (int k = 1; k <= keep; ++k) names.push_back(rotated_name(path, k));
    for (const std::string& name : names) {
        const int kind = kind_at(name);
        if (kind >= 2) return Status::fail("--record rotation: " + name + ": " + kind_problem(kind) + ", not a file of the set");
    }
    return Status::ok();
}

Status finish_rotation(const std::string& path, int keep, bool fresh) {
    const std::string zero = rotated_name(path, 0);
    struct stat st {};
    if (::stat(zero.c_str(), &st) != 0) return Status::ok();
    if (Status bs = rotation_blocked(path, keep); !bs) return bs;
    const std::string first = rotated_name(path, 1);
    if (keep > 0 && !fresh && zstd_holds_copy(first, zero)) {
        // Compressed and renamed before an interruption: only the removal is left.
        ::unlink(zero.c_str());
        return Status::ok();
    }
    if (keep > 0) {
        const std::string tmp = first + ".tmp";
        Status cs = zstd_compress_file(zero, tmp);
        if (!cs) return Status::fail("--record rotation: " + cs.message());
        // Older files move up; the one past `keep` (and any left from a larger keep) go.
        for (int k = keep; exists(rotated_name(path, k)); ++k) ::unlink(rotated_name(path, k).c_str());
        for (int k = keep - 1; k >= 1; --k) {
            const std::string from = rotated_name(path, k);
            const std::string to = rotated_name(path, k + 1);
            if (exists(from) && ::rename(from.c_str(), to.c_str()) != 0) {
                const int err = errno;
                ::unlink(tmp.c_str());
                return Status::fail("--record rotation: " + from + " -> " + to + ": " + std::strerror(err));
            }
        }
        if (::rename(tmp.c_str(), first.c_str()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            return Status::fail("--record rotation: " + first + ": " + std::strerror(err));
        }
    }
    if (::unlink(zero.c_str()) != 0) return Status::fail("--record rotation: " + zero + ": " + std::strerror(errno));
    return Status::ok();
}

namespace {
const char* const kMissing = "missing (a gap in the rotated set)";
}  // namespace

std::vector<SetMember> recording_members(const std::string& path) {
    std::vector<SetMember> set;
    std::string first_usable;  // the newest rotated file read (FILE.1.zst when it is one)
    for (int k = highest_rotated(path); k >= 1; --k) {
        const std::string zst = rotated_name(path, k);
        const std::string plain = path + "." + std::to_string(k);
        const int zkind = kind_at(zst);
        const int pkind = zkind == 0 ? kind_at(plain) : 0;
        if (zkind == 1 || pkind == 1) {
            set.push_back(SetMember{zkind == 1 ? zst : plain, {}});
            if (k == 1) first_usable = set.back().path;
        } else if (zkind != 0 || pkind != 0) {
            set.push_back(SetMember{zkind != 0 ? zst : plain, kind_problem(zkind != 0 ? zkind : pkind)});
        } else if (!set.empty() && set.back().problem == kMissing) {
            std::string& run = set.back().path;  // "FILE.5.zst ... FILE.3.zst"
            run = run.substr(0, run.find(" ... ")) + " ... " + zst;
        } else {
            set.push_back(SetMember{zst, kMissing});
        }
    }
    const std::string zero = rotated_name(path, 0);
    if (exists(zero) && !(!first_usable.empty() && zstd_holds_copy(first_usable, zero))) {
        set.push_back(SetMember{zero, {}});
    }
    if (kind_at(path) != 0 || set.empty()) set.push_back(SetMember{path, {}});
    return set;
}

}  // namespace uwsgitop::detail
