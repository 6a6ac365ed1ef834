#pragma once
// For tests only: makes the parallel executor's thread creation fail on demand. The system
// refuses threads only under limits a test cannot set reliably (root ignores RLIMIT_NPROC).
#include <functional>

namespace dfsim::detail {

// Called just before worker thread `index` (1 .. workers - 1; worker 0 is the caller's thread)
// is created; what it throws is taken as std::thread's failure. Empty: no hook. Set it only
// between runs.
void set_thread_start_hook(std::function<void(unsigned index)> hook);

}  // namespace dfsim::detail
