// rotation.cpp — rotated recording sets: names, zstd compression of a rotated file, finishing a rotation, listing a set (see rotation.hpp).
#include "rotation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "uwsgitop/base/unique_fd.hpp"

namespace uwsgitop::detail {

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
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

Status finish_rotation(const std::string& path, int keep, bool fresh) {
    const std::string zero = rotated_name(path, 0);
    struct stat st {};
    if (::stat(zero.c_str(), &st) != 0) return Status::ok();
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
            if (exists(from) && ::rename(from.c_str(), rotated_name(path, k + 1).c_str()) != 0) {
                const int err = errno;
                ::unlink(tmp.c_str());
                return Status::fail("--record rotation: " + from + ": " + std::strerror(err));
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

std::vector<std::string> recording_set(const std::string& path) {
    std::vector<std::string> older;
    for (int k = 1;; ++k) {
        const std::string zst = rotated_name(path, k);
        const std::string plain = path + "." + std::to_string(k);
        if (exists(zst)) older.push_back(zst);
        else if (exists(plain)) older.push_back(plain);
        else break;
    }
    std::vector<std::string> set(older.rbegin(), older.rend());
    const std::string zero = rotated_name(path, 0);
    if (exists(zero) && !(!older.empty() && zstd_holds_copy(older.front(), zero))) {
        set.push_back(zero);
    }
    if (exists(path) || set.empty()) set.push_back(path);
    return set;
}

}  // namespace uwsgitop::detail
