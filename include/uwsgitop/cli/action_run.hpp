// action_run.hpp — uwsgitop --action NAME[:WORKER_ID] ADDRESS.
//
// Runs every safety check of action/safety.hpp (the source-only refusals —
// replay, demo, file, stdin, --read-only, a non-local address — before any
// connect), sends the one action, then reads snapshots until one shows it
// took effect or --wait runs out. Exit code: 0 sent and confirmed, 1 refused
// or failed (one line naming the address, the target and the cause), 2 usage.
#pragma once

#include "uwsgitop/settings/options.hpp"

namespace uwsgitop {

int run_action(const Options& options);

}  // namespace uwsgitop
