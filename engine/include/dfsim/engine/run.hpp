#pragma once
// Executors. Every executor returns the same RunResult for the same graph: values, cycles,
// statistics and deadlock reports never depend on threads or wall-clock scheduling.
#include <functional>

#include "dfsim/engine/program.hpp"
#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/trace.hpp"

namespace dfsim {

struct Progress {
  Cycle max_clock = 0;          // the furthest any context has got
  std::size_t finished = 0;     // contexts that returned
  std::size_t contexts = 0;
  double wall_seconds = 0;
};

// Where the parallel executor puts contexts.
enum class Placement {
  automatic,    // whole components together; large ones cut into subtrees
  round_robin,  // context i on worker i % threads: every channel crosses (for testing)
};

struct RunOptions {
  // 1: the sequential executor. 0: one worker per hardware thread.
  unsigned threads = 1;
  Placement placement = Placement::automatic;
  // Called from the simulation at most every `progress_interval` seconds of wall time.
  std::function<void(const Progress&)> on_progress;
  double progress_interval = 1.0;
  // Records every element's life on every channel (trace.hpp); costs time and memory.
  Tracer* tracer = nullptr;
  // A run in which some context's clock passes this stops there with RunStatus::cycle_limit:
  // for a caller that only wants to know whether the run ends by this cycle (a min-depth
  // search's probe). Whether a run stops is the same for every executor (clocks do not depend
  // on scheduling); where it stops (elapsed_cycles, the statistics) is not.
  //   run(g, {.cycle_limit = 1000}).status == RunStatus::cycle_limit  // if it needs more
  Cycle cycle_limit = kNever;
  // Stop with RunStatus::deadlock as soon as some contexts wait on each other in a cycle that
  // nothing can break, although others can still run: such a run can never complete, and
  // without this the others run on to their end (a source feeding an unbounded channel
  // fills it with everything it has: N^2 elements in a min-depth probe of attention). For a
  // caller that only asks whether a run completes (with cycle_limit, a probe). Checked every
  // few thousand resumes by the sequential executor only; where the run stops (and whether
  // RunStatus::cycle_limit would have come first) then depends on when it was checked.
  //   run(g, {.cycle_limit = target, .stop_when_stuck = true}).ok()  // completes in time?
  bool stop_when_stuck = false;
};

// The most worker threads a run may ask for, on any machine. Workers beyond the hardware's
// threads only take turns (each spins 20-50 us for mail before it sleeps), so a few per
// hardware thread are all that testing interleavings needs; each also reserves a stack (8 MB
// of address space by default) and counts against the system's limit on threads (ulimit -u),
// which 100,000 exceeded. One figure for every machine keeps a command valid wherever it ran.
// A run never starts more workers than it has contexts, whatever it asks for.
inline constexpr unsigned kMaxThreads = 1024;

// Throws std::invalid_argument, naming the limit and the way out, if threads > kMaxThreads.
void check_threads(unsigned threads);

// Validates (throws GraphError; std::invalid_argument from check_threads), runs to completion,
// deadlock or failure, and reports. A context that throws ends the run with status failed; it
// is never rethrown. When the system refuses a worker thread, the threads already started are
// stopped before any context runs and std::system_error says which thread and what to do.
RunResult run(Program& program, const RunOptions& options = {});

}  // namespace dfsim
