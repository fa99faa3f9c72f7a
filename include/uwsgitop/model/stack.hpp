// stack.hpp — the Python stacks of a worker as uWSGI's tracebacker wrote
// them (action/tracebacker.hpp reads them; the dumps and the details show them).
//
// Contract: every string here is already escaped for display (base/text.hpp)
// and capped in length: it comes from a worker and may go to a terminal as it
// is. Frames of one thread follow each other, outermost first, as uWSGI
// writes them; threads follow each other in uWSGI's order.
#pragma once

#include <string>
#include <vector>

#include "uwsgitop/model/model.hpp"

namespace uwsgitop {

struct StackFrame {
    std::string thread;    // uWSGI's thread name (uWSGIWorker1Core0) or Python's
    std::string file;      // the source file
    Int line;              // its line number, unknown when the text had none
    std::string function;  // the function's name
    std::string code;      // the source line, as Python's linecache gave it
};

// One worker's stacks, or why there are none.
struct WorkerStack {
    long worker_id = 0;
    bool read = false;              // the socket was proven and read: `frames` is what it said
    std::vector<StackFrame> frames;
    std::string reason;             // !read: one line, why not (escaped)
};

}  // namespace uwsgitop
