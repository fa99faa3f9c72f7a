// action_menu.cpp — the action menu: scope, frozen target, entries, keys, the
// one delivery in flight on its own thread, and drawing (see action_menu.hpp).
#include "uwsgitop/tui/action_menu.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <mutex>
#include <thread>

#include "uwsgitop/base/clock.hpp"
#include "uwsgitop/base/text.hpp"
#include "uwsgitop/tui/signals.hpp"

namespace uwsgitop::tui {

namespace {

std::string seconds_text(double s) {
    std::string out;
    append_duration_s(out, s);
    return out;
}

const Worker* find_worker(const Snapshot& s, int64_t id) {
    for (const Worker& w : s.workers)
        if (w.id.value_or(INT64_MIN) == id) return &w;
    return nullptr;
}

// The worker in the details when they are open, else the selected row's.
const Worker* selected_worker(const ViewModel& vm) {
    const Snapshot* s = vm.snapshot();
    if (s == nullptr || vm.pane() != PaneId::Workers) return nullptr;
    if (vm.overlay() == Overlay::Detail) return find_worker(*s, vm.detail_worker());
    if (vm.overlay() != Overlay::None || vm.worker_rows().empty()) return nullptr;
    const auto sel = static_cast<std::size_t>(std::max(0, vm.state().selected));
    return sel < vm.worker_rows().size() ? &s->workers[vm.worker_rows()[sel].worker] : nullptr;
}

// Why `w` cannot be signalled ("" = it can).
std::string not_signallable(const Worker* w) {
    if (w == nullptr) return "no worker selected (select one in the worker table)";
    if (w->id.value_or(0) <= 0 || w->pid.value_or(0) <= 0) return "the selected worker has no id or pid in the snapshot";
    if (w->status == "cheap") return "worker " + std::to_string(*w->id) + " is cheap (no process to signal)";
    return "";
}

}  // namespace

ActionScope action_scope(const Options& o) {
    if (o.addresses.size() == 1 || o.demo || !o.replay_path.empty() || o.read_only)
        return action_scope(o, o.addresses.empty() ? std::string() : o.addresses.front());
    ActionScope s;
    s.fifo = o.master_fifo;
    s.wait = o.action_wait;
    s.refusal = "actions work on the screen of one instance (uwsgitop ADDRESS, or Enter on it in the fleet)";
    return s;
}

ActionScope action_scope(const Options& o, const std::string& address) {
    ActionScope s;
    s.read_only = o.read_only;
    s.fifo = o.master_fifo;
    s.wait = o.action_wait;
    if (o.read_only) {
        s.refusal = "--read-only: no actions (x is off)";
    } else if (o.demo) {
        s.refusal = action::check_source_live(s.address, {.demo = true}).message();
    } else if (!o.replay_path.empty()) {
        s.address.text = o.replay_path;
        s.refusal = action::check_source_live(s.address, {.replay = true}).message();
    } else if (Status st = parse_address(address, s.address); !st) {
        s.refusal = st.message();
    } else if (st = action::check_source_live(s.address, {}); !st) {
        s.refusal = st.message();
    } else if (st = action::check_address_local(s.address); !st) {
        s.refusal = st.message();
    }
    return s;
}

// One delivery on a thread of its own; done() once it has returned.
struct ActionMenu::Runner {
    std::mutex mu;
    bool finished = false;
    Status result = Status::ok();
    std::string sent;
    std::thread thread;

    Runner(const Deliver& deliver, action::Aim aim) {
        // Without the screen's signals, so they reach the UI thread's sleep (signals.hpp).
        thread = start_without_screen_signals([this, deliver, aim = std::move(aim)] {
            std::string s;
            Status st = deliver(aim, s);
            const std::lock_guard<std::mutex> lock(mu);
            result = std::move(st);
            sent = std::move(s);
            finished = true;
        });
    }
    ~Runner() {
        if (thread.joinable()) thread.join();
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    bool done() {
        const std::lock_guard<std::mutex> lock(mu);
        return finished;
    }
};

ActionMenu::ActionMenu(ActionScope scope, Deliver deliver) : scope_(std::move(scope)), deliver_(std::move(deliver)) {
    if (!deliver_) {
        const action::ProcRoot proc = scope_.proc;
        deliver_ = [proc](const action::Aim& aim, std::string& sent) { return action::deliver(proc, aim, sent); };
    }
}

ActionMenu::~ActionMenu() = default;

std::string ActionMenu::open_on(const ViewModel& vm) {
    if (!scope_.refusal.empty()) return "x: " + scope_.refusal;
    if (in_flight()) {
        return "x: one action at a time: " + std::string(flight_spec_->name) + " is " +
               (flight_ == Flight::Sending ? "being sent" : "waiting for a snapshot to confirm it");
    }
    const Snapshot* s = vm.snapshot();
    if (s == nullptr) return "x: no snapshot yet; no action";
    if (s->kind != SnapshotKind::Master) return "x: not a uWSGI master's stats; no action";

    // Freeze the target: the tagged workers, else the selected one.
    target_ = {};
    for (int64_t id : tags_) {
        const Worker* t = find_worker(*s, id);
        if (not_signallable(t).empty()) target_.tagged.emplace_back(static_cast<long>(id), static_cast<pid_t>(*t->pid));
    }
    const Worker* w = selected_worker(vm);
    std::string no_worker = not_signallable(w);
    if (no_worker.empty()) {
        target_.has_worker = true;
        target_.worker_id = static_cast<long>(*w->id);
        target_.pid = static_cast<pid_t>(*w->pid);
    }
    if (!tags_.empty() && target_.tagged.empty()) no_worker = "no tagged worker is running (t tags and untags)";
    freeze_instance(*s);
    const double at = vm.feed().shown_at > 0 ? vm.feed().shown_at : vm.feed().last_good;
    const double age = vm.feed().have_data ? vm.mono_now() - at : 1e9;
    if (target_.unavailable.empty()) target_.unavailable = too_old(age, vm.interval());

    build_entries(false, no_worker);
    chosen_ = -1;
    stage_ = Stage::Choosing;
    return "";
}

void ActionMenu::freeze_instance(const Snapshot& s) {
    target_.master = static_cast<pid_t>(s.pid.value_or(0));
    target_.peer = s.peer;
    target_.cheap_seen = std::any_of(s.workers.begin(), s.workers.end(), [](const Worker& w) { return w.status == "cheap"; });
    target_.other_pids = action::other_pids(s);
    read_master(target_.master);
}

void ActionMenu::read_master(pid_t master) {
    target_.fifo = scope_.fifo;
    if (master == 1) target_.unavailable = "the snapshot names pid 1 (init) as its master";
    if (master <= 1) return;
    // Another user's master: say so now, not at y (a master that is gone is
    // refused at y, by the delivery's own checks).
    if (Status st = action::check_master_readable(scope_.proc, master, "master pid " + std::to_string(master));
        !st && st.message().find("permission denied") != std::string::npos)
        target_.unavailable = st.message();
    // What it was started with, only once it is proven to be the sender: the
    // config files its command line names are opened (master_config.hpp).
    if (!action::check_peer_is_master(scope_.proc, master, scope_.address, target_.peer)) return;
    target_.config = action::read_master_config(scope_.proc, master);
    if (target_.fifo.empty()) target_.fifo = target_.config.master_fifo.value_or("");
}

std::string ActionMenu::too_old(double age_s, double interval) {
    if (age_s < 2 * interval) return "";
    return "the snapshot is " + seconds_text(age_s) + " old (paused or stale; actions need one younger than " +
           seconds_text(2 * interval) + ")";
}

std::string ActionMenu::instance_entry(const action::ActionSpec& spec, bool& available) const {
    std::string why;
    const auto channel = action::channel_for(spec, !target_.fifo.empty(), &why);
    available = false;
    if (!channel) return why;
    if (Status st = action::check_fits_instance(spec, *channel, target_.config, target_.cheap_seen); !st) {
        const std::string& m = st.message();
        const std::size_t colon = m.find(": ");
        return colon == std::string::npos ? m : m.substr(colon + 2);
    }
    available = true;
    return action::explain(spec, 0, target_.master, *channel);
}

void ActionMenu::build_entries(bool instance_only, const std::string& no_worker) {
    entries_.clear();
    highlight_ = -1;
    for (const action::ActionSpec& spec : action::action_table()) {
        if (instance_only && spec.target == action::Target::Worker) continue;
        MenuEntry e;
        e.spec = &spec;
        if (!target_.unavailable.empty()) {
            e.text = target_.unavailable;
        } else if (spec.target == action::Target::Worker && !target_.tagged.empty()) {
            e.available = true;
            e.text = action::signal_name(spec.worker_signal) + " to the " + std::to_string(target_.tagged.size()) +
                     " tagged workers, one after another, each once the previous one " +
                     (spec.worker_signal == SIGUSR2 ? "was signalled" : "respawned") + ": workers";
            for (const auto& [id, pid] : target_.tagged) {
                e.text += ' ';
                e.text += std::to_string(id);
                e.text += " (pid ";
                e.text += std::to_string(pid);
                e.text += ')';
            }
        } else if (spec.target == action::Target::Worker && !tags_.empty()) {
            e.text = no_worker;
        } else if (spec.target == action::Target::Worker) {
            e.available = target_.has_worker;
            e.text = e.available ? action::explain(spec, target_.worker_id, target_.pid, action::Channel::WorkerSignal)
                                 : no_worker;
        } else if (target_.master <= 0) {
            e.text = "the snapshot names no master pid (run uWSGI with --master)";
        } else {
            e.text = instance_entry(spec, e.available);
        }
        if (highlight_ < 0 && e.available && spec.graceful) highlight_ = static_cast<int>(entries_.size());
        entries_.push_back(std::move(e));
    }
    if (highlight_ < 0) highlight_ = 0;
}

std::string ActionMenu::open_on_instance(const InstanceNow& now) {
    if (!scope_.refusal.empty()) return "x: " + scope_.refusal;
    if (in_flight()) {
        return "x: one action at a time: " + std::string(flight_spec_->name) + " is " +
               (flight_ == Flight::Sending ? "being sent" : "waiting for a snapshot to confirm it");
    }
    if (!now.has_data) return "x: " + now.name + " is down (no snapshot yet); no action";
    if (!now.live) return "x: " + now.name + " is stale (its latest poll failed); no action";
    if (!now.master_kind) return "x: " + now.name + " is not a uWSGI master's stats; no action";
    target_ = {};
    target_.instance = now.name;
    target_.master = now.master;
    target_.peer = now.peer;
    target_.cheap_seen = now.cheap_seen;
    read_master(target_.master);
    if (target_.unavailable.empty()) target_.unavailable = too_old(now.age_s, now.interval);
    build_entries(true, "");
    chosen_ = -1;
    stage_ = Stage::Choosing;
    return "";
}

std::string ActionMenu::key(int k, const InstanceNow& now) {
    if (stage_ == Stage::Choosing) return choose(k);
    if (stage_ == Stage::Confirming) {
        stage_ = Stage::Closed;
        if (k == 'y') return confirm(now);
        return "cancelled: nothing sent";
    }
    return "";
}

std::string ActionMenu::confirm(const InstanceNow& now) {
    const std::string name(entries_[static_cast<std::size_t>(chosen_)].spec->name);
    if (!now.has_data || now.observed == nullptr) return name + ": " + target_.instance + " is down; nothing sent";
    if (!now.live) return name + ": " + target_.instance + " is stale (its latest poll failed); nothing sent";
    if (now.master != target_.master)
        return name + ": the master changed meanwhile: pid " + std::to_string(target_.master) + " is gone; nothing sent";
    target_.peer = now.peer;  // the newest row's connection is the proof
    queue_.clear();
    return launch(*now.observed, now.age_s, now.interval);
}

std::string ActionMenu::key(int k, const ViewModel& vm) {
    if (stage_ == Stage::Choosing) return choose(k);
    if (stage_ == Stage::Confirming) {
        stage_ = Stage::Closed;
        if (k == 'y') return confirm(vm);
        return "cancelled: nothing sent";
    }
    return "";
}

std::string ActionMenu::choose(int k) {
    const int n = static_cast<int>(entries_.size());
    if (k == key::Up || k == key::Down) {
        highlight_ = std::clamp(highlight_ + (k == key::Up ? -1 : 1), 0, n - 1);
        return "";
    }
    int pick = -1;
    if (k == key::Enter || k == '\r') {
        pick = highlight_;
    } else {
        for (int i = 0; i < n; ++i)
            if (entries_[static_cast<std::size_t>(i)].spec->key == k) pick = i;
    }
    if (pick < 0) {
        stage_ = Stage::Closed;
        return "action menu closed: nothing sent";
    }
    const MenuEntry& e = entries_[static_cast<std::size_t>(pick)];
    if (!e.available) {
        stage_ = Stage::Closed;
        return std::string(e.spec->name) + ": " + e.text + "; nothing sent";
    }
    chosen_ = pick;
    highlight_ = pick;
    stage_ = Stage::Confirming;
    return "";
}

std::string ActionMenu::confirm(const ViewModel& vm) {
    const MenuEntry& e = entries_[static_cast<std::size_t>(chosen_)];
    const std::string name(e.spec->name);
    const Snapshot* s = vm.snapshot();
    if (s == nullptr) return name + ": no snapshot; nothing sent";
    const auto master = static_cast<pid_t>(s->pid.value_or(0));
    if (master != target_.master)
        return name + ": the master changed meanwhile: pid " + std::to_string(target_.master) + " is gone; nothing sent";
    // The snapshot acted on is the newest: its connection is the proof.
    target_.peer = s->peer;
    target_.other_pids = action::other_pids(*s);
    queue_.clear();
    if (e.spec->target == action::Target::Worker) {
        if (!target_.tagged.empty()) queue_ = target_.tagged;
        else queue_.emplace_back(target_.worker_id, target_.pid);
        for (const auto& [id, pid] : queue_) {
            const Worker* w = find_worker(*s, id);
            if (w == nullptr || w->pid.value_or(0) != pid)
                return "worker " + std::to_string(id) + " was respawned meanwhile: pid " + std::to_string(pid) +
                       " is gone; nothing sent";
        }
    }
    // The age of the snapshot on screen, the one the user chose from.
    const double at = vm.feed().shown_at > 0 ? vm.feed().shown_at : vm.feed().last_good;
    const double age = vm.feed().have_data ? vm.mono_now() - at : 1e9;
    return launch(action::observe(*s), age, vm.interval());
}

std::string ActionMenu::launch(const action::Observed& obs, double age, double interval) {
    const MenuEntry& e = entries_[static_cast<std::size_t>(chosen_)];
    aim_ = {};
    aim_.spec = e.spec;
    aim_.address = scope_.address;
    aim_.peer = target_.peer;
    aim_.master = target_.master;
    aim_.fifo = target_.fifo;
    aim_.cheap_seen = target_.cheap_seen;
    aim_.other_pids = target_.other_pids;
    // The interval the screen fetches at now (+ and - change it, f too).
    aim_.interval_ms = static_cast<int64_t>(std::llround(interval * 1000));
    flight_spec_ = e.spec;
    step_ = 0;
    const std::string started = start_step(obs, static_cast<int64_t>(std::llround(std::max(0.0, age) * 1000)));
    return started.empty() ? "sending: " + e.text : started;
}

std::string ActionMenu::step_label() const {
    if (queue_.size() < 2) return "";
    return " (" + std::to_string(step_ + 1) + " of " + std::to_string(queue_.size()) + ")";
}

std::string ActionMenu::start_step(const action::Observed& obs, int64_t age_ms) {
    action::Aim aim = aim_;
    aim.age_ms = age_ms;
    if (!queue_.empty()) {
        const auto [id, pid] = queue_[step_];
        const auto it = obs.running.find(id);
        if (it == obs.running.end() || it->second != pid)
            return finish("worker " + std::to_string(id) + " was respawned meanwhile: pid " + std::to_string(pid) +
                          " is gone; stopped after " + std::to_string(step_) + " of " + std::to_string(queue_.size()));
        aim.worker_id = id;
        aim.pid = pid;
        flight_worker_ = id;
    } else {
        flight_worker_.reset();
    }
    before_ = obs;
    flight_ = Flight::Sending;
    sent_.clear();
    progress_.clear();
    runner_ = std::make_unique<Runner>(deliver_, std::move(aim));
    return "";
}

std::string ActionMenu::finish(std::string message) {
    flight_ = Flight::None;
    flight_spec_ = nullptr;
    queue_.clear();
    return message;
}

std::string ActionMenu::tick(double mono_now) {
    if (flight_ == Flight::Sending && runner_ && runner_->done()) {
        const Status st = runner_->result;
        const std::string sent = runner_->sent;
        runner_.reset();  // joins the finished thread
        if (!st) {
            if (queue_.size() > 1)
                return finish(st.message() + "; stopped after " + std::to_string(step_) + " of " + std::to_string(queue_.size()));
            return finish(st.message());
        }
        sent_ = sent + step_label();
        before_.sent_at = wall_clock_seconds();
        flight_ = Flight::Watching;
        watch_from_ = mono_now;
        deadline_ = mono_now + scope_.wait;
        return "sent: " + sent_;
    }
    if (flight_ == Flight::Watching && mono_now >= deadline_) {
        return finish(std::string(flight_spec_->name) + ": sent, but no snapshot within " + seconds_text(scope_.wait) +
                      " showed it" + (progress_.empty() ? "" : " (" + progress_ + ")") + step_label());
    }
    return "";
}

std::string ActionMenu::observe(const Snapshot& snap, double mono_now) {
    if (std::string m = tick(mono_now); !m.empty() && flight_ != Flight::Watching) return m;
    if (flight_ != Flight::Watching) return "";
    return observe(action::observe(snap), mono_now);
}

std::string ActionMenu::observe(const action::Observed& now, double mono_now, double taken_at) {
    const bool dated = taken_at >= 0;  // a fleet row, perhaps read late
    const double at = dated ? std::min(taken_at, mono_now) : mono_now;
    if (flight_ == Flight::Sending || !dated) {
        // The delivery's result; on a screen's own snapshot, also the timeout.
        if (std::string m = tick(mono_now); !m.empty() && flight_ != Flight::Watching) return m;
    }
    if (flight_ != Flight::Watching) return "";
    // A row fetched before the delivery returned cannot show its effect.
    if (dated && at < watch_from_) return "";
    std::string what;
    if (action::confirmed(flight_spec_->name, flight_worker_, before_, now, what)) {
        what += step_label();
        if (queue_.size() <= step_ + 1) return finish(what);
        ++step_;
        // The next step is checked against how old this snapshot is.
        const std::string stopped = start_step(now, std::llround(std::max(0.0, mono_now - at) * 1000));
        return stopped.empty() ? what + "; next: worker " + std::to_string(queue_[step_].first) : what + "; " + stopped;
    }
    if (!what.empty()) progress_ = what;
    // A dated row from after the deadline that shows nothing yet: the wait is over.
    if (dated && at >= deadline_) return tick(at);
    return progress_.empty() ? "sent: " + sent_ : progress_;
}

std::string ActionMenu::toggle_tag(const ViewModel& vm) {
    if (!scope_.refusal.empty()) return "t: " + scope_.refusal;
    const Worker* w = selected_worker(vm);
    if (const std::string why = not_signallable(w); !why.empty()) return "t: " + why;
    const int64_t id = *w->id;
    const auto it = std::lower_bound(tags_.begin(), tags_.end(), id);
    const bool on = it == tags_.end() || *it != id;
    if (on) tags_.insert(it, id);
    else tags_.erase(it);
    return "worker " + std::to_string(id) + (on ? " tagged" : " untagged") + " (" + std::to_string(tags_.size()) +
           " tagged" + (tags_.empty() ? ")" : "; x acts on them one after another)");
}

bool ActionMenu::tagged(int64_t worker_id) const { return std::binary_search(tags_.begin(), tags_.end(), worker_id); }

// --- drawing ---------------------------------------------------------------------

namespace {

void draw_tags(const ActionMenu& menu, const ViewModel& vm, Grid& grid) {
    const Snapshot* s = vm.snapshot();
    if (menu.tag_count() == 0 || s == nullptr || vm.pane() != PaneId::Workers || vm.overlay() != Overlay::None) return;
    const ScreenAreas& a = vm.areas();
    const auto& rows = vm.worker_rows();
    for (int r = 0; r < a.table_rows; ++r) {
        const auto i = static_cast<std::size_t>(vm.state().top + r);
        if (i >= rows.size()) break;
        const int y = a.table_top + r;
        if (y >= grid.height() || !menu.tagged(s->workers[rows[i].worker].id.value_or(INT64_MIN))) continue;
        const Cell& c = grid.at(0, y);
        if (c.len == 0 || (c.len == 1 && c.text[0] == ' ')) grid.put(0, y, "*", c.style);
    }
}

}  // namespace

void draw_action_menu(const ActionMenu& menu, const ViewModel& vm, Grid& grid) {
    draw_tags(menu, vm, grid);
    if (!menu.open()) return;
    const ScreenAreas& a = vm.areas();
    draw_action_menu(menu, grid, std::max(a.summary_lines, a.tabs_row + 1),
                     a.status_row < 0 ? grid.height() : a.status_row);
}

void draw_action_menu(const ActionMenu& menu, Grid& grid, int top, int bottom) {
    if (!menu.open()) return;
    // Below the summary and the tabs; over them when the terminal is short.
    const int needed = static_cast<int>(menu.entries().size()) + 3;
    if (bottom - top < needed) top = std::max(0, bottom - needed);
    if (bottom <= top) return;
    for (int y = top; y < bottom; ++y) grid.fill(0, y, grid.width(), Style::Normal);
    int y = top;
    std::string line;
    auto put = [&](const std::string& text, Style style) {
        if (y >= bottom) return;
        if (style == Style::Selected || style == Style::Header) grid.fill(0, y, grid.width(), style);
        grid.put(0, y, text, style);
        ++y;
    };
    const MenuTarget& t = menu.target();
    line = " Actions on ";
    if (!t.instance.empty()) line += "instance " + t.instance + " (master pid " + std::to_string(t.master) + ")";
    else if (!t.tagged.empty()) line += std::to_string(t.tagged.size()) + " tagged workers, and on ";
    else if (menu.tag_count() > 0) line += "no running tagged worker, and on ";
    else if (t.has_worker) line += "worker " + std::to_string(t.worker_id) + ", pid " + std::to_string(t.pid) + ", and on ";
    if (t.instance.empty()) line += "the instance (master pid " + std::to_string(t.master) + ")";
    put(line, Style::Header);
    if (menu.stage() == ActionMenu::Stage::Confirming) {
        const MenuEntry& e = menu.entries()[static_cast<std::size_t>(menu.highlighted())];
        put("", Style::Normal);
        line = " Send ";
        line += e.spec->name;
        line += e.spec->graceful ? "?" : "? (brutal)";
        put(line, Style::Title);
        line = "   ";
        append_escaped(line, e.text);
        put(line, Style::Normal);
        put("", Style::Normal);
        put(" y sends it; any other key cancels (nothing is sent)", Style::Key);
        return;
    }
    // Shorter than the menu: the entries scroll so the highlighted one shows
    // (the FIFO line goes first, then the key hint, when even that is short).
    const int total = static_cast<int>(menu.entries().size());
    int room = bottom - y - 2;
    const bool fifo_line = room >= total || room >= 4;
    if (!fifo_line) ++room;
    const bool hint_line = room >= 2;
    if (!hint_line) ++room;
    room = std::max(1, std::min(room, total));
    const int first = std::clamp(menu.highlighted() - room / 2, 0, total - room);
    for (int ei = first; ei < first + room; ++ei) {
        const auto i = static_cast<std::size_t>(ei);
        const MenuEntry& e = menu.entries()[i];
        line = "  ";
        line += e.spec->key;
        line += "  ";
        line += e.spec->name;
        line.append(std::max<std::size_t>(1, 29 - std::min<std::size_t>(29, line.size())), ' ');
        if (!e.available) line += "unavailable: ";
        else if (!e.spec->graceful) line += "brutal: ";
        append_escaped(line, e.text);
        const bool hl = static_cast<int>(i) == menu.highlighted();
        put(line, hl ? Style::Selected : e.available ? Style::Normal : Style::Dim);
    }
    if (fifo_line) {
        line = " master FIFO: ";
        if (t.fifo.empty()) line += "none known (--master-fifo PATH); instance actions by signal to the master";
        else append_escaped(line, t.fifo);
        put(line, Style::Dim);
    }
    if (!hint_line) return;
    line = " letter or Enter (Up/Down move) chooses, then y confirms; any other key cancels";
    if (room < total) {
        line = " " + std::to_string(first + 1) + "-" + std::to_string(first + room) + " of " + std::to_string(total) +
               " (Up/Down scroll); a letter or Enter chooses, then y confirms; any other key cancels";
    }
    put(line, Style::Key);
}

}  // namespace uwsgitop::tui
