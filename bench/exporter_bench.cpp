// exporter_bench.cpp — what a scrape of `uwsgitop --serve-metrics` costs:
// N fake stats servers on loopback (fake_fleet.hpp: one forked child, one
// epoll loop, prefork-1/-2.json in turn), the real uwsgitop binary serving them, and this
// process scraping /metrics: one scraper, then two at once (an HA pair).
//
// Measured on the exporter process alone (/proc/PID/stat utime+stime, and
// VmRSS/VmHWM from /proc/PID/status): CPU per scrape round and the scrape's
// wall time (medians, maxima), the polls the rounds caused (the exporter's
// uwsgitop_polls_total: two concurrent scrapers should cost one), and memory
// after the runs and with 500 idle connections open. Every process started
// here is stopped by its pid. Exit 1 when a scrape failed or a target was down.
//
//   exporter_bench BINARY [--targets N] [--rounds N] [--quick] [--uwsgi-exporter PATH] [--promtool PATH]
// A round is one scrape, or two at once; CPU is summed over all rounds (the
// kernel counts in 10 ms ticks) and divided by their number.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fake_fleet.hpp"
#include "uwsgitop/base/clock.hpp"

using namespace uwsgitop;

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double maximum(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

// utime + stime of `pid`, seconds.
double cpu_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = s.rfind(')');
    if (paren == std::string::npos) return 0;
    std::istringstream rest(s.substr(paren + 2));
    std::string field;
    double ut = 0, st = 0;
    for (int i = 3; rest >> field; ++i) {
        if (i == 14) ut = std::atof(field.c_str());
        if (i == 15) {
            st = std::atof(field.c_str());
            break;
        }
    }
    return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long status_kib(pid_t pid, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key));
    }
    return 0;
}

int connect_to(uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// GET /metrics; the body ("" on failure).
std::string scrape(uint16_t port) {
    const int fd = connect_to(port);
    if (fd < 0) return "";
    const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        ::close(fd);
        return "";
    }
    std::string raw;
    char buf[65536];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 30000) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (raw.compare(0, 12, "HTTP/1.1 200") != 0) return "";
    const auto body = raw.find("\r\n\r\n");
    return body == std::string::npos ? "" : raw.substr(body + 4);
}

uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ::close(fd);
    return ntohs(sa.sin_port);
}

// uwsgi_exporter (one target per process, as it is built), side by side on
// the same fake servers: each process scraped once per round, one after the
// other; CPU and RSS summed over the processes.
void run_uwsgi_exporter(const std::string& path, const std::vector<uint16_t>& target_ports, int rounds) {
    std::vector<pid_t> pids;
    std::vector<uint16_t> ports;
    for (uint16_t tp : target_ports) {
        const uint16_t p = free_port();
        const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(p);
        const std::string uri = "--stats.uri=tcp://127.0.0.1:" + std::to_string(tp);
        const pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            const int devnull = ::open("/dev/null", O_WRONLY);
            dup2(devnull, 2);
            execl(path.c_str(), path.c_str(), listen.c_str(), uri.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        pids.push_back(pid);
        ports.push_back(p);
    }
    int failures = 0;
    for (uint16_t p : ports) {
        bool ok = false;
        for (int i = 0; i < 100 && !ok; ++i) {
            ok = !scrape(p).empty();
            if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        failures += ok ? 0 : 1;
    }
    for (int i = 0; i < 3; ++i) {
        for (uint16_t p : ports) scrape(p);   // warm-up
    }
    auto total_cpu = [&] {
        double c = 0;
        for (pid_t pid : pids) c += cpu_of(pid);
        return c;
    };
    std::vector<double> wall;
    std::size_t bytes = 0;
    const double c0 = total_cpu();
    for (int r = 0; r < rounds; ++r) {
        const double t0 = monotonic_seconds();
        bytes = 0;
        for (uint16_t p : ports) {
            const std::string body = scrape(p);
            if (body.find("uwsgi_up 1") == std::string::npos && body.find("uwsgi_workers") == std::string::npos) ++failures;
            bytes += body.size();
        }
        wall.push_back((monotonic_seconds() - t0) * 1e3);
    }
    const double cpu = (total_cpu() - c0) * 1e3 / rounds;
    long rss = 0;
    for (pid_t pid : pids) rss += status_kib(pid, "VmRSS:");
    for (pid_t pid : pids) kill(pid, SIGTERM);
    for (pid_t pid : pids) waitpid(pid, nullptr, 0);
    std::printf("  uwsgi_exporter %zu processes, every one scraped once per round: wall median %8.2f ms  max %8.2f ms   "
                "CPU %7.2f ms/round   VmRSS sum %ld KiB   %zu bytes per round   failures %d\n",
                pids.size(), median(wall), maximum(wall), cpu, rss, bytes, failures);
}

long polls_in(const std::string& body) {
    const auto at = body.find("\nuwsgitop_polls_total ");
    return at == std::string::npos ? -1 : std::atol(body.c_str() + at + 22);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: exporter_bench BINARY [--targets N] [--rounds N] [--quick]\n");
        return 2;
    }
    const std::string binary = argv[1];
    int targets = 100, rounds = 20;
    std::string uwsgi_exporter;   // --uwsgi-exporter PATH: also run it, one process per target
    std::string promtool;         // --promtool PATH: `promtool check metrics` on one scrape
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (a == "--targets") targets = std::clamp(std::atoi(next().c_str()), 1, 4000);
        else if (a == "--rounds") rounds = std::clamp(std::atoi(next().c_str()), 1, 10000);
        else if (a == "--quick") { targets = 10; rounds = 3; }
        else if (a == "--uwsgi-exporter") uwsgi_exporter = next();
        else if (a == "--promtool") promtool = next();
        else return 2;
    }
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    const auto docs = bench::prefork_documents(FLEET_BENCH_FIXTURES);
    if (docs.empty()) return 2;
    bench::FakeFleet fake;   // one child, one epoll loop for every port (fake_fleet.hpp)
    std::string error;
    if (!fake.start(targets, 0, docs, error)) {
        std::fprintf(stderr, "exporter_bench: %s\n", error.c_str());
        return 2;
    }
    const std::vector<uint16_t>& target_ports = fake.ports();
    char dir[] = "/tmp/uwsgitop-exporter-bench-XXXXXX";
    if (!mkdtemp(dir)) return 2;
    const std::string targets_file = std::string(dir) + "/targets";
    {
        std::ofstream out(targets_file);
        for (int i = 0; i < targets; ++i) out << "fake-" << i << "=127.0.0.1:" << target_ports[static_cast<std::size_t>(i)] << "\n";
    }

    const uint16_t port = free_port();
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    const pid_t exporter = fork();
    if (exporter == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        execl(binary.c_str(), binary.c_str(), "--serve-metrics", listen.c_str(), "--targets", targets_file.c_str(),
              "--web-max-connections", "1000", "--web-max-connections-per-ip", "0", "--web-idle-timeout", "60",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    int failures = 0;
    auto stop_all = [&] {
        fake.stop();
        std::remove(targets_file.c_str());
        rmdir(dir);
    };
    for (int i = 0; i < 100 && scrape(port).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));

    // Every target up in a good answer.
    auto check_body = [&](const std::string& body) {
        std::size_t ups = 0;
        bool down = false;
        std::istringstream lines(body);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("uwsgi_up{", 0) != 0) continue;
            ++ups;
            down = down || line.compare(line.size() - 2, 2, " 1") != 0;
        }
        if (body.empty() || ups != static_cast<std::size_t>(targets) || down) ++failures;
    };
    for (int i = 0; i < 3; ++i) check_body(scrape(port));   // warm-up

    // CPU ticks are 10 ms: CPU is the total over the rounds, per round.
    std::vector<double> one_wall, two_wall;
    long first = -1, last = -1;
    std::size_t body_bytes = 0;
    double c0 = cpu_of(exporter);
    for (int r = 0; r < rounds; ++r) {
        const double t0 = monotonic_seconds();
        const std::string body = scrape(port);
        one_wall.push_back((monotonic_seconds() - t0) * 1e3);
        check_body(body);
        body_bytes = body.size();
        if (first < 0) first = polls_in(body);
        last = polls_in(body);
    }
    const double one_cpu = (cpu_of(exporter) - c0) * 1e3 / rounds;
    const double polls_one = rounds > 1 ? static_cast<double>(last - first) / (rounds - 1) : 1;
    const long before_two = last;
    c0 = cpu_of(exporter);
    for (int r = 0; r < rounds; ++r) {
        const double t0 = monotonic_seconds();
        std::string a, b;
        std::thread t1([&] { a = scrape(port); });
        std::thread t2([&] { b = scrape(port); });
        t1.join();
        t2.join();
        two_wall.push_back((monotonic_seconds() - t0) * 1e3);
        check_body(a);
        check_body(b);
        last = std::max({last, polls_in(a), polls_in(b)});
    }
    const double two_cpu = (cpu_of(exporter) - c0) * 1e3 / rounds;
    const double polls_two = static_cast<double>(last - before_two) / rounds;
    const long rss = status_kib(exporter, "VmRSS:"), hwm = status_kib(exporter, "VmHWM:");
    std::vector<int> idle;
    for (int i = 0; i < 500; ++i) {
        const int fd = connect_to(port);
        if (fd >= 0 && ::send(fd, "GET /metr", 9, MSG_NOSIGNAL) == 9) idle.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double t0 = monotonic_seconds();
    const std::string with_idle = scrape(port);
    const double idle_scrape_ms = (monotonic_seconds() - t0) * 1e3;
    check_body(with_idle);
    const long rss_idle = status_kib(exporter, "VmRSS:");
    for (int fd : idle) ::close(fd);
    kill(exporter, SIGTERM);
    waitpid(exporter, nullptr, 0);

    std::printf("exporter_bench: %d targets, %d rounds, body %zu bytes (classic text)\n", targets, rounds, body_bytes);
    std::printf("  one scraper    wall median %8.2f ms  max %8.2f ms   exporter CPU %7.2f ms/round  polls/round %.2f\n",
                median(one_wall), maximum(one_wall), one_cpu, polls_one);
    std::printf("  two at once    wall median %8.2f ms  max %8.2f ms   exporter CPU %7.2f ms/round  polls/round %.2f\n",
                median(two_wall), maximum(two_wall), two_cpu, polls_two);
    std::printf("  memory         VmRSS %ld KiB, VmHWM %ld KiB; with %zu idle connections VmRSS %ld KiB, scrape %.2f ms\n",
                rss, hwm, idle.size(), rss_idle, idle_scrape_ms);
    std::printf("  failed scrapes or targets down: %d\n", failures);
    if (!promtool.empty()) {
        const std::string body_file = std::string(dir) + "/metrics.txt";
        std::ofstream(body_file) << with_idle;
        const std::string cmd = promtool + " check metrics < " + body_file + " >/dev/null 2>&1";
        const int rc = std::system(cmd.c_str());
        std::printf("  promtool check metrics: %s\n", rc == 0 ? "clean" : "PROBLEMS");
        if (rc != 0) ++failures;
        std::remove(body_file.c_str());
    }
    if (!uwsgi_exporter.empty()) run_uwsgi_exporter(uwsgi_exporter, target_ports, rounds);
    stop_all();
    return failures == 0 ? 0 : 1;
}
