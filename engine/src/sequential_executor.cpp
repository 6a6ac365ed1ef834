// One worker resumes ready contexts until all returned, one failed, or none can run.
#include <chrono>

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
  std::uint64_t resumes = 0;
  auto next_progress = state.start + std::chrono::duration<double>(options.progress_interval);
  RunStatus status = RunStatus::completed;

  while (finished < state.contexts.size()) {
    while (ContextCore* ctx = worker.pop_local()) {
      clear_queued(*ctx);
      if (ctx->finished) continue;
      if (!satisfiable(*ctx)) {
        park(*ctx);  // nothing else runs: it cannot have become ready meanwhile
        continue;
      }
      ctx->wait.kind = WaitKind::none;
      ctx->handle.resume();
      if (ctx->clock > options.cycle_limit) {
        status = RunStatus::cycle_limit;
        break;
      }
      if (ctx->handle.done()) {
        ++finished;
        failure = finish_context(program, *ctx);
        if (failure) break;
      }
      if (options.on_progress && (++resumes & 0xffff) == 0 &&
          std::chrono::steady_clock::now() >= next_progress) {
        options.on_progress(make_progress(state, finished));
        next_progress = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(options.progress_interval);
      }
    }
    if (failure) {
      status = RunStatus::failed;
      break;
    }
    if (status == RunStatus::cycle_limit) break;
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
