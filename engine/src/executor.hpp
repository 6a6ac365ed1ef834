#pragma once
// Shared by the executors: preparing a program's contexts and reporting a run.
#include <chrono>
#include <vector>

#include "dfsim/engine/program.hpp"
#include "dfsim/engine/run.hpp"
#include "dfsim/engine/run_result.hpp"

namespace dfsim::detail {

struct ExecutionState {
  std::vector<ContextCore*> contexts;
  std::vector<ChannelCore*> channels;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

ExecutionState prepare(Program& program);

// Bookkeeping when a context's body returns: closes its outputs. Returns the failure if
// the body threw.
std::optional<ContextFailure> finish_context(const Program& program, ContextCore& ctx);

RunResult collect_result(const ExecutionState& state, RunStatus status, unsigned threads);

// Calls RunOptions::on_progress every progress_interval seconds or so, reading the time only
// once in 65,536 resumes (a resume costs tens of nanoseconds; reading the time about as much).
class ProgressReporter {
 public:
  ProgressReporter(const ExecutionState& state, const RunOptions& options) noexcept;
  void after_resume(std::size_t finished) { after_resumes(1, finished); }
  // `count` resumes at once, a power of two up to 65,536: the caller counts them itself.
  void after_resumes(std::uint64_t count, std::size_t finished) {
    if (options_.on_progress && ((resumes_ += count) & 0xffff) == 0) report_if_due(finished);
  }

 private:
  void report_if_due(std::size_t finished);
  const ExecutionState& state_;
  const RunOptions& options_;
  std::uint64_t resumes_ = 0;
  std::chrono::time_point<std::chrono::steady_clock, std::chrono::duration<double, std::nano>> next_;
};

// Traces the run: sets up the tracer's tracks and the channels that record into them.
void attach(Tracer& tracer, ExecutionState& state);
// Runs on the executor `threads` calls for.
RunResult execute(Program& program, ExecutionState& state, const RunOptions& options,
                  unsigned threads);
RunResult run_sequential(Program& program, ExecutionState& state, const RunOptions& options);
// `assignment[i]` is the worker of context i; workers are 0 .. max.
RunResult run_parallel(Program& program, ExecutionState& state, const RunOptions& options,
                       const std::vector<unsigned>& assignment);

// Places contexts on at most `workers` workers so that few channels cross between them.
std::vector<unsigned> partition(const ExecutionState& state, unsigned workers);

}  // namespace dfsim::detail
