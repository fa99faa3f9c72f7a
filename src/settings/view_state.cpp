// view_state.cpp — writing the saved view atomically (see view_state.hpp).
#include "uwsgitop/settings/view_state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <toml++/toml.h>

#include "uwsgitop/base/file_read.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/settings/toml_depth.hpp"
#include "uwsgitop/view/fleet_columns.hpp"

namespace uwsgitop {

namespace {

Status failure(const std::string& path, const char* what, int err) {
    return Status::fail("cannot save the view to " + escape_for_display(path) + ": " + what + " (" +
                        std::strerror(err) + ")");
}

// Creates the missing directories of `dir` (mode 0700).
Status make_dirs(const std::string& path, const std::string& dir) {
    struct stat sb;
    if (dir.empty() || ::stat(dir.c_str(), &sb) == 0) return Status::ok();
    const auto slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        Status st = make_dirs(path, dir.substr(0, slash));
        if (!st) return st;
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return failure(path, "cannot create its directory", errno);
    return Status::ok();
}

// The keys of the saved view already at `path`; none when it is missing or
// does not read as TOML (it is then replaced whole).
toml::table saved_keys(const std::string& path) {
    std::string text;
    if (!read_regular_file(path, 1 << 20, text) || !check_toml_depth(text, path)) return {};
    try {
        return toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error&) {
        return {};
    }
}

std::string view_text(const toml::table& t) {
    std::ostringstream out;
    out << "# uwsgitop saved view, written by the screen's save key (s).\n"
           "# Read after config.toml and before the environment and the command line;\n"
           "# --no-config skips it; the screen says at start that it is in effect and\n"
           "# --show-config names each setting it decided. Delete this file to forget the view.\n"
        << toml::toml_formatter(t, toml::format_flags::none) << "\n";
    return out.str();
}

void put_view(toml::table& t, const SavedView& view) {
    auto names = [](const std::vector<ColumnId>& ids) {
        toml::array out;
        for (ColumnId id : ids) out.push_back(std::string(column(id).name));
        return out;
    };
    const ColumnDef& sorted = column(view.sort.column);
    t.insert_or_assign("columns", names(view.columns));
    if (!view.core_columns.empty()) t.insert_or_assign("core-columns", names(view.core_columns));
    std::string sort(sorted.name);
    if (view.sort.descending != sorted.default_desc) sort.insert(sort.begin(), '-');
    t.insert_or_assign("sort", sort);
    t.insert_or_assign("reverse", false);
    constexpr const char* kRows[] = {"workers", "cores", "tree"};  // in RowMode order
    t.insert_or_assign("rows", kRows[static_cast<std::size_t>(view.rows)]);
    t.insert_or_assign("pane", view.pane);
    // The filter only when asked (a second s); otherwise config.toml's, if any.
    if (view.keep_filter) t.insert_or_assign("filter", view.filter);
    else t.erase("filter");
    t.insert_or_assign("interval", view.interval);
    t.insert_or_assign("color", view.color);
}

Status write_view(const std::string& path, const std::string& text) {
    if (path.empty()) return Status::fail("cannot save the view: no state directory (set HOME or XDG_STATE_HOME)");
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    Status st = make_dirs(path, slash == std::string::npos ? "" : dir);
    if (!st) return st;
    std::string tmp = dir + "/.view.toml.XXXXXX";
    const int fd = ::mkstemp(tmp.data());  // mode 0600
    if (fd < 0) return failure(path, "cannot create a file there", errno);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return failure(path, "write failed", err);
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    int err = errno;
    const bool closed = ::close(fd) == 0;
    if (!closed && synced) err = errno;
    if (!synced || !closed) {
        ::unlink(tmp.c_str());
        return failure(path, "write failed", err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int rename_err = errno;
        ::unlink(tmp.c_str());
        return failure(path, "rename failed", rename_err);
    }
    return Status::ok();
}

}  // namespace

std::string saved_view_text(const SavedView& view) {
    toml::table t;
    put_view(t, view);
    return view_text(t);
}

Status save_view(const std::string& path, const SavedView& view) {
    toml::table t = path.empty() ? toml::table{} : saved_keys(path);
    put_view(t, view);
    return write_view(path, view_text(t));
}

Status save_fleet_columns(const std::string& path, const std::vector<int>& columns) {
    toml::table t = path.empty() ? toml::table{} : saved_keys(path);
    toml::array names;
    for (int c : columns) names.push_back(std::string(fleet_screen_column_name(c)));
    t.insert_or_assign("fleet-columns", std::move(names));
    return write_view(path, view_text(t));
}

}  // namespace uwsgitop
