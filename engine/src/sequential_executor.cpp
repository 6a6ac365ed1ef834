// One worker resumes ready contexts until all returned, one failed, or none can run.
#include "executor.hpp"
#include "stall.hpp"
#include "worker.hpp"

namespace dfsim::detail {

RunResult run_sequential(Program& program, ExecutionState& state, const RunOptions& options) {
  Worker worker;
  current_worker() = &worker;
  for (ContextCore* ctx : state.contexts) {
    ctx->worker = &worker;
    wake(ctx);
  }

  std::size_t finished = 0;
  std::optional<ContextFailure> failure;
  ProgressReporter progress(state, options);
  RunStatus status = RunStatus::completed;

  // A stuck check costs a pass over the graph: every 4,096 resumes it is noise.
  constexpr std::uint32_t kResumesPerStuckCheck = 4096;
  std::uint32_t until_stuck_check = kResumesPerStuckCheck;

  while (finished < state.contexts.size()) {
    while (ContextCore* ctx = worker.pop_local()) {
      if (!resume_if_ready(*ctx)) continue;
      if (ctx->clock > options.cycle_limit) {
        status = RunStatus::cycle_limit;
        break;
      }
      if (ctx->handle.done()) {
        ++finished;
        failure = finish_context(program, *ctx);
        if (failure) break;
      }
      progress.after_resume(finished);
      if (options.stop_when_stuck && --until_stuck_check == 0) {
        until_stuck_check = kResumesPerStuckCheck;
        if (some_context_stuck(state.contexts)) {
          status = RunStatus::deadlock;
          break;
        }
      }
    }
    if (failure) {
      status = RunStatus::failed;
      break;
    }
    if (status == RunStatus::cycle_limit || status == RunStatus::deadlock) break;
    if (finished == state.contexts.size()) break;
    auto decided = resolve_stall(state.contexts);
    if (decided.empty()) {
      status = RunStatus::deadlock;
      break;
    }
    for (ContextCore* ctx : decided) wake(ctx);
  }
  current_worker() = nullptr;
  RunResult result = collect_result(state, status, 1);
  result.failure = std::move(failure);
  return result;
}

}  // namespace dfsim::detail
