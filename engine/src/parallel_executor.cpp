// Contexts on several worker threads. Each worker runs its contexts as the sequential
// executor does; only channels between workers synchronize (a fence and, when a context
// sleeps, a wake through the other worker's inbox). When every worker is idle, one of them
// resolves the stall for all, exactly as the sequential executor does, so results match.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "dfsim/engine/detail/channel_core.hpp"
#include "executor.hpp"
#include "stall.hpp"
#include "worker.hpp"

namespace dfsim::detail {
namespace {

// About 20-50 microseconds of looking for mail before an idle worker sleeps.
constexpr int kSpinRounds = 20000;

struct Coordination {
  std::mutex mutex;
  std::vector<std::unique_ptr<Worker>> workers;
  unsigned idle = 0;  // under mutex
  bool done = false;  // under mutex
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> finished{0};
  RunStatus status = RunStatus::completed;  // under mutex
  std::optional<ContextFailure> failure;    // under mutex

  void finish_run(RunStatus s) {  // mutex held
    if (done) return;
    done = true;
    status = s;
    stop.store(true, std::memory_order_release);
    for (auto& w : workers) w->cv().notify_all();
  }
};

void worker_loop(Program& program, ExecutionState& state, const RunOptions& options,
                 Coordination& co, unsigned id) {
  Worker& worker = *co.workers[id];
  current_worker() = &worker;
  const std::size_t total = state.contexts.size();
  std::uint64_t resumes = 0;
  auto next_progress = state.start + std::chrono::duration<double>(options.progress_interval);

  while (true) {
    while (ContextCore* ctx = worker.pop_local()) {
      clear_queued(*ctx);
      if (ctx->finished) continue;
      if (!satisfiable(*ctx)) {
        if (park(*ctx)) wake(ctx);
        continue;
      }
      ctx->wait.kind = WaitKind::none;
      ctx->handle.resume();
      if (ctx->handle.done()) {
        auto failure = finish_context(program, *ctx);
        bool last = co.finished.fetch_add(1, std::memory_order_acq_rel) + 1 == total;
        if (failure || last) {
          std::lock_guard lock(co.mutex);
          if (failure && !co.failure) co.failure = std::move(failure);
          co.finish_run(co.failure ? RunStatus::failed : RunStatus::completed);
        }
      }
      if (co.stop.load(std::memory_order_relaxed)) break;
      if (id == 0 && options.on_progress && (++resumes & 0xffff) == 0 &&
          std::chrono::steady_clock::now() >= next_progress) {
        options.on_progress(make_progress(state, co.finished.load(std::memory_order_relaxed)));
        next_progress = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(options.progress_interval);
      }
    }

    // Nothing to run. Other workers usually answer within microseconds, far sooner than a
    // sleep and a wake through the kernel, so look for mail a while before sleeping.
    for (int spin = 0; spin < kSpinRounds && !worker.has_mail() && !co.stop.load(std::memory_order_relaxed); ++spin) {
      if (spin % 64 == 63) std::this_thread::yield();
    }
    std::unique_lock lock(co.mutex);
    if (co.done) break;
    if (!worker.inbox_empty()) {
      worker.take_inbox();
      continue;
    }
    ++co.idle;
    if (co.idle == co.workers.size()) {
      bool pending = false;
      for (auto& w : co.workers) pending = pending || !w->inbox_empty();
      if (!pending) {
        // Everyone is blocked: the same resolution as the sequential executor.
        auto decided = resolve_stall(state.contexts);
        if (decided.empty()) {
          co.finish_run(RunStatus::deadlock);
        } else {
          for (ContextCore* ctx : decided) {
            ctx->queued.store(true, std::memory_order_relaxed);
            ctx->worker->push_local(ctx);
          }
          for (auto& w : co.workers) w->cv().notify_all();
        }
      }
    }
    if (co.done) break;
    worker.set_sleeping(true);
    worker.cv().wait(lock, [&] { return co.done || !worker.inbox_empty() || worker.has_local(); });
    worker.set_sleeping(false);
    --co.idle;
    if (co.done) break;
    worker.take_inbox();
  }
  current_worker() = nullptr;
}

}  // namespace

RunResult run_parallel(Program& program, ExecutionState& state, const RunOptions& options,
                       const std::vector<unsigned>& assignment) {
  Coordination co;
  unsigned workers = *std::max_element(assignment.begin(), assignment.end()) + 1;
  for (unsigned i = 0; i < workers; ++i) co.workers.push_back(std::make_unique<Worker>(&co.mutex));
  for (ContextCore* ctx : state.contexts) ctx->worker = co.workers[assignment[ctx->index]].get();
  for (ChannelCore* ch : state.channels) {
    if (ch->sender->worker == ch->receiver->worker) continue;
    ch->set_cross_thread();
    ch->sender->remote_wakeable = true;
    ch->receiver->remote_wakeable = true;
  }
  for (ContextCore* ctx : state.contexts) {
    ctx->queued.store(true, std::memory_order_relaxed);
    ctx->worker->push_local(ctx);
  }

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < workers; ++i)
    threads.emplace_back([&, i] { worker_loop(program, state, options, co, i); });
  worker_loop(program, state, options, co, 0);
  for (auto& t : threads) t.join();

  RunResult result = collect_result(state, co.status, workers);
  result.failure = std::move(co.failure);
  return result;
}

}  // namespace dfsim::detail
