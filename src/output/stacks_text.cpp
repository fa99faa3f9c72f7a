// stacks_text.cpp — a worker's stack for the dumps (stack_of, dump.hpp) and its text
// under a table row (stacks_text.hpp).
#include "uwsgitop/output/stacks_text.hpp"

#include "uwsgitop/base/text.hpp"
#include "uwsgitop/output/dump.hpp"

namespace uwsgitop {

const WorkerStack* stack_of(const std::vector<WorkerStack>* stacks, const Int& worker_id) {
    if (stacks == nullptr || !worker_id) return nullptr;
    for (const WorkerStack& s : *stacks)
        if (s.worker_id == *worker_id) return s.read ? &s : nullptr;
    return nullptr;
}

void append_stack_text(const std::vector<StackFrame>& frames, std::string_view indent, std::string& out) {
    if (frames.empty()) {
        out += indent;
        out += "(no Python frame)\n";
        return;
    }
    const std::string* thread = nullptr;
    for (const StackFrame& f : frames) {
        if (thread == nullptr || *thread != f.thread) {
            thread = &f.thread;
            out += indent;
            out += "thread ";
            out += f.thread.empty() ? std::string_view("?") : std::string_view(f.thread);
            out += '\n';
        }
        out += indent;
        out += "  ";
        out += f.file.empty() ? std::string_view("?") : std::string_view(f.file);
        out += ':';
        if (f.line) append_int(out, *f.line);
        else out += '?';
        out += ' ';
        out += f.function;
        out += '\n';
        if (!f.code.empty()) {
            out += indent;
            out += "    ";
            out += f.code;
            out += '\n';
        }
    }
}

}  // namespace uwsgitop
