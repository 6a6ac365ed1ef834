// One worker resumes ready contexts until all returned, one failed, or none can run.
#include "executor.hpp"
#include "resume_loop.hpp"
#include "stall.hpp"
#include "worker.hpp"

namespace dfsim::detail {
namespace {

// One thread: a run ends at once, without finishing the context that passed the cycle limit.
struct SequentialPolicy {
  static constexpr bool kRemoteWakes = false;
  // A stuck check costs a pass over the graph: every 4,096 resumes it is noise. The progress
  // report is looked at on the same count (it reads the time once in 16 of them), so that a
  // resume costs one decrement and one test here.
  static constexpr std::uint32_t kResumesPerCheck = 4096;

  Program& program;
  ExecutionState& state;
  const RunOptions& options;
  ProgressReporter& progress;
  // Outside the policy: assigned in place, it would keep the counters below out of registers.
  std::optional<ContextFailure>& failure;
  std::size_t finished = 0;
  RunStatus status = RunStatus::completed;
  std::uint32_t until_check = kResumesPerCheck;

  bool cycle_limit_passed(ContextCore&) {
    status = RunStatus::cycle_limit;
    return false;
  }
  bool context_returned(ContextCore& ctx) {
    ++finished;
    failure = finish_context(program, ctx);
    if (!failure) return true;
    status = RunStatus::failed;
    return false;
  }
  bool resumed() {
    if (--until_check != 0) [[likely]] return true;
    return periodic_check();
  }
  [[gnu::noinline]] bool periodic_check() {
    until_check = kResumesPerCheck;
    progress.after_resumes(kResumesPerCheck, finished);
    if (!options.stop_when_stuck || !some_context_stuck(state.contexts)) return true;
    status = RunStatus::deadlock;
    return false;
  }
};

}  // namespace

RunResult run_sequential(Program& program, ExecutionState& state, const RunOptions& options) {
  Worker worker;
  current_worker() = &worker;
  for (ContextCore* ctx : state.contexts) {
    ctx->worker = &worker;
    wake(ctx);
  }

  ProgressReporter progress(state, options);
  std::optional<ContextFailure> failure;
  SequentialPolicy policy{program, state, options, progress, failure};
  while (true) {
    resume_until_idle(worker, options.cycle_limit, policy);
    if (policy.status != RunStatus::completed || policy.finished == state.contexts.size()) break;
    if (!queue_after_stall(state.contexts)) {
      policy.status = RunStatus::deadlock;
      break;
    }
  }
  current_worker() = nullptr;
  RunResult result = collect_result(state, policy.status, 1);
  result.failure = std::move(failure);
  return result;
}

}  // namespace dfsim::detail
