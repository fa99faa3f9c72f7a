// Tests for action.hpp: the table's invariants, --action parsing, channels and explanations.
#include <doctest/doctest.h>

#include <csignal>
#include <set>
#include <string>

#include "uwsgitop/action/action.hpp"

namespace act = uwsgitop::action;

TEST_CASE("the table: unique short lowercase names and unique letters") {
    std::set<std::string> names;
    std::set<char> keys;
    for (const act::ActionSpec& a : act::action_table()) {
        INFO(a.name);
        CHECK(names.insert(std::string(a.name)).second);
        CHECK(keys.insert(a.key).second);
        for (char c : a.name) CHECK(((c >= 'a' && c <= 'z') || c == '-'));
        if (a.target == act::Target::Worker) {
            CHECK(a.worker_signal != 0);
        } else {
            CHECK((a.fifo_letter != 0 || a.master_signal != 0));
        }
        CHECK(!a.explain.empty());
    }
    for (const char* n : {"reload-worker", "kill-worker", "log-worker", "reload", "brutal-reload", "chain-reload",
                          "reload-workers", "pause", "add-worker", "remove-worker", "reopen-logs", "log-stats"})
        CHECK_MESSAGE(act::find_action(n) != nullptr, n);
}

TEST_CASE("uWSGI's facts: worker and master signals, FIFO letters") {
    CHECK(act::find_action("reload-worker")->worker_signal == SIGHUP);
    CHECK(act::find_action("kill-worker")->worker_signal == SIGTERM);
    CHECK_FALSE(act::find_action("kill-worker")->graceful);
    CHECK(act::find_action("log-worker")->worker_signal == SIGUSR2);
    CHECK(act::find_action("reload")->master_signal == SIGHUP);
    CHECK(act::find_action("reload")->fifo_letter == 'r');
    CHECK(act::find_action("brutal-reload")->master_signal == SIGTERM);
    CHECK(act::find_action("brutal-reload")->fifo_letter == 'R');
    CHECK(act::find_action("chain-reload")->fifo_letter == 'c');
    CHECK(act::find_action("chain-reload")->master_signal == 0);
    CHECK(act::find_action("pause")->master_signal == SIGTSTP);
    CHECK(act::find_action("add-worker")->fifo_letter == '+');
    CHECK(act::find_action("remove-worker")->fifo_letter == '-');
    CHECK(act::find_action("log-stats")->master_signal == SIGUSR1);
}

TEST_CASE("the first worker action and the first instance action are graceful (the menu's default)") {
    bool seen_worker = false, seen_instance = false;
    for (const act::ActionSpec& a : act::action_table()) {
        if (a.target == act::Target::Worker && !seen_worker) {
            CHECK(a.graceful);
            seen_worker = true;
        }
        if (a.target == act::Target::Instance && !seen_instance) {
            CHECK(a.graceful);
            seen_instance = true;
        }
    }
    CHECK(seen_worker);
    CHECK(seen_instance);
}

TEST_CASE("parse_request: NAME[:WORKER_ID]") {
    act::Request r;
    REQUIRE(act::parse_request("reload-worker:3", r).is_ok());
    CHECK(r.spec->name == "reload-worker");
    CHECK(r.worker_id == 3);
    REQUIRE(act::parse_request("chain-reload", r).is_ok());
    CHECK(r.spec->name == "chain-reload");
    CHECK_FALSE(r.worker_id.has_value());

    const uwsgitop::Status unknown = act::parse_request("explode", r);
    CHECK(unknown.message().find("unknown action 'explode'") != std::string::npos);
    CHECK(unknown.message().find("chain-reload") != std::string::npos);
    CHECK(act::parse_request("reload-worker", r).message().find("needs a worker id") != std::string::npos);
    CHECK(act::parse_request("reload-worker:", r).message().find("not a number") != std::string::npos);
    CHECK(act::parse_request("reload-worker:0", r).message().find("not a number") != std::string::npos);
    CHECK(act::parse_request("reload-worker:3x", r).message().find("not a number") != std::string::npos);
    CHECK(act::parse_request("pause:2", r).message().find("takes no worker id") != std::string::npos);
}

TEST_CASE("channel_for: FIFO when known, master signal otherwise, or why not") {
    std::string why;
    CHECK(act::channel_for(*act::find_action("reload"), true, &why) == act::Channel::Fifo);
    CHECK(act::channel_for(*act::find_action("reload"), false, &why) == act::Channel::MasterSignal);
    CHECK(act::channel_for(*act::find_action("kill-worker"), true, &why) == act::Channel::WorkerSignal);
    CHECK_FALSE(act::channel_for(*act::find_action("chain-reload"), false, &why).has_value());
    CHECK(why.find("--master-fifo") != std::string::npos);
}

TEST_CASE("explain fills the template") {
    CHECK(act::explain(*act::find_action("reload-worker"), 3, 4711, act::Channel::WorkerSignal) ==
          "SIGHUP to worker 3, pid 4711: it finishes its request, exits, and the master starts a new one");
    CHECK(act::explain(*act::find_action("chain-reload"), 0, 10, act::Channel::Fifo).rfind("'c' to the master FIFO", 0) == 0);
    CHECK(act::explain(*act::find_action("reload"), 0, 10, act::Channel::MasterSignal).rfind("SIGHUP to the master, pid 10", 0) == 0);
}
