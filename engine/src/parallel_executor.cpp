// Contexts on several worker threads. Each worker runs its contexts as the sequential
// executor does; only channels between workers synchronize (a fence and, when a context
// sleeps, a wake through the other worker's inbox). When every worker is idle, one of them
// resolves the stall for all, exactly as the sequential executor does, so results match.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/detail/thread_start.hpp"
#include "executor.hpp"
#include "resume_loop.hpp"
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
  std::condition_variable gate;
  bool gate_open = false;  // under mutex
  bool go = false;         // under mutex

  // Worker threads wait here until all of them exist; false: leave without running anything.
  bool wait_at_gate() {
    std::unique_lock lock(mutex);
    gate.wait(lock, [this] { return gate_open; });
    return go;
  }
  void open_gate(bool run) {
    {
      std::lock_guard lock(mutex);
      gate_open = true;
      go = run;
    }
    gate.notify_all();
  }

  void finish_run(RunStatus s) {  // mutex held
    if (done) return;
    done = true;
    status = s;
    stop.store(true, std::memory_order_release);
    for (auto& w : workers) w->cv().notify_all();
  }
};

// Many threads: a run ends under the coordination lock, through the stop flag every worker
// reads after each resume; a context that returned as its clock passed the limit is finished.
struct ParallelPolicy {
  static constexpr bool kRemoteWakes = true;
  Program& program;
  Coordination& co;
  ProgressReporter& progress;
  const std::size_t total;
  const bool reports_progress;  // one worker reports for all

  bool cycle_limit_passed(ContextCore&) {
    std::lock_guard lock(co.mutex);
    co.finish_run(RunStatus::cycle_limit);
    return true;
  }
  bool context_returned(ContextCore& ctx) {
    auto failure = finish_context(program, ctx);
    bool last = co.finished.fetch_add(1, std::memory_order_acq_rel) + 1 == total;
    if (failure || last) {
      std::lock_guard lock(co.mutex);
      if (failure && !co.failure) co.failure = std::move(failure);
      co.finish_run(co.failure ? RunStatus::failed : RunStatus::completed);
    }
    return true;
  }
  bool resumed() {
    if (co.stop.load(std::memory_order_relaxed)) return false;
    if (reports_progress) progress.after_resume(co.finished.load(std::memory_order_relaxed));
    return true;
  }
};

void worker_loop(Program& program, ExecutionState& state, const RunOptions& options,
                 Coordination& co, unsigned id) {
  Worker& worker = *co.workers[id];
  current_worker() = &worker;
  ProgressReporter progress(state, options);
  ParallelPolicy policy{program, co, progress, state.contexts.size(), id == 0};

  while (true) {
    resume_until_idle(worker, options.cycle_limit, policy);

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
        if (queue_after_stall(state.contexts)) {
          for (auto& w : co.workers) w->cv().notify_all();
        } else {
          co.finish_run(RunStatus::deadlock);
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

std::function<void(unsigned)>& thread_start_hook() {
  static std::function<void(unsigned)> hook;
  return hook;
}

// Until every worker exists none runs, so a thread the system refuses (std::thread throws
// std::system_error; a joinable std::thread destroyed unjoined would call std::terminate)
// leaves nothing half-simulated: the workers already started leave the gate and are joined.
std::vector<std::thread> start_workers(Program& program, ExecutionState& state,
                                       const RunOptions& options, Coordination& co,
                                       unsigned workers) {
  std::vector<std::thread> threads;
  auto body = [&](unsigned i) {
    if (co.wait_at_gate()) worker_loop(program, state, options, co, i);
  };
  auto stop_started = [&] {
    co.open_gate(false);
    for (auto& t : threads) t.join();
  };
  try {
    threads.reserve(workers - 1);
    for (unsigned i = 1; i < workers; ++i) {
      if (thread_start_hook()) thread_start_hook()(i);
      threads.emplace_back(body, i);
    }
  } catch (const std::system_error& e) {
    const unsigned running = static_cast<unsigned>(threads.size()) + 1;  // with the caller's
    stop_started();
    // what() appends the system's reason: "...: Resource temporarily unavailable".
    throw std::system_error(
        e.code(), "cannot start worker thread " + std::to_string(running + 1) + " of " +
                      std::to_string(workers) + " (nothing was simulated; use at most " +
                      std::to_string(running) + " thread" + (running == 1 ? "" : "s") +
                      ", or raise the system's limit on threads: ulimit -u, "
                      "/proc/sys/kernel/threads-max)");
  } catch (...) {
    stop_started();
    throw;
  }
  co.open_gate(true);
  return threads;
}

}  // namespace

void set_thread_start_hook(std::function<void(unsigned index)> hook) {
  thread_start_hook() = std::move(hook);
}

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

  std::vector<std::thread> threads = start_workers(program, state, options, co, workers);
  worker_loop(program, state, options, co, 0);
  for (auto& t : threads) t.join();

  RunResult result = collect_result(state, co.status, workers);
  result.failure = std::move(co.failure);
  return result;
}

}  // namespace dfsim::detail
