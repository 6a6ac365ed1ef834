#include "executor.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "dfsim/engine/errors.hpp"
#include "stall.hpp"

namespace dfsim {
namespace detail {

ExecutionState prepare(Program& program) {
  program.validate();
  program.mark_run();
  ExecutionState state;
  for (const auto& node : program.nodes()) state.contexts.push_back(&core_of(node->context));
  for (const auto& ch : program.channel_states()) state.channels.push_back(ch.get());
  return state;
}

std::optional<ContextFailure> finish_context(const Program& program, ContextCore& ctx) {
  ctx.finished = true;
  ctx.wait.kind = WaitKind::none;
  ctx.published_clock.store(kNever, std::memory_order_release);
  for (ChannelCore* out : ctx.outputs) close_channel(*out);
  std::exception_ptr error = program.nodes()[ctx.index]->process.error();
  if (!error) return std::nullopt;
  ContextFailure failure{ctx.name, ctx.clock, "unknown exception"};
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    failure.message = e.what();
  } catch (...) {
  }
  return failure;
}

RunResult collect_result(const ExecutionState& state, RunStatus status, unsigned threads) {
  RunResult r;
  r.status = status;
  r.threads = threads;
  for (const ContextCore* ctx : state.contexts) {
    r.contexts.push_back({ctx->name, ctx->clock, ctx->starved, ctx->backpressured, ctx->finished});
    r.elapsed_cycles = std::max(r.elapsed_cycles, ctx->clock);
  }
  for (ChannelCore* ch : state.channels) {
    ch->finish_statistics();
    ChannelStats s;
    s.name = ch->name();
    if (ch->bounded()) s.capacity = ch->capacity();
    s.latency = ch->latency();
    s.response_latency = ch->response_latency();
    s.elements = ch->enqueued();
    s.peak_occupancy = ch->peak_occupancy();
    s.sender = ch->sender->name;
    s.receiver = ch->receiver->name;
    r.channels.push_back(std::move(s));
  }
  if (status == RunStatus::deadlock) r.deadlock = make_deadlock_report(state.contexts);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
  return r;
}

Progress make_progress(const ExecutionState& state, std::size_t finished) {
  // Only published clocks: other threads may be running these contexts.
  Progress p;
  p.contexts = state.contexts.size();
  p.finished = finished;
  for (const ContextCore* ctx : state.contexts) {
    Cycle c = ctx->published_clock.load(std::memory_order_relaxed);
    if (c != kNever) p.max_clock = std::max(p.max_clock, c);
  }
  p.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
  return p;
}

}  // namespace detail

void check_threads(unsigned threads) {
  if (threads <= kMaxThreads) return;
  throw std::invalid_argument(
      "threads = " + std::to_string(threads) + " is more than " + std::to_string(kMaxThreads) +
      ", the most a run may use (this machine has " +
      std::to_string(std::thread::hardware_concurrency()) +
      " hardware threads; more workers only take turns): give at most " +
      std::to_string(kMaxThreads) + ", or 0 for one per hardware thread");
}

RunResult run(Program& program, const RunOptions& options) {
  check_threads(options.threads);
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  detail::ExecutionState state = detail::prepare(program);
  if (options.tracer) {
    auto& traces = options.tracer->channels();
    traces.clear();
    for (detail::ChannelCore* ch : state.channels) {
      auto t = std::make_unique<ChannelTrace>();
      t->name = ch->name();
      t->sender = ch->sender->name;
      t->receiver = ch->receiver->name;
      t->limit = options.tracer->options().max_elements;
      ch->set_trace(t.get());
      traces.push_back(std::move(t));
    }
  }
  if (threads > 1 && !state.contexts.empty()) {
    std::vector<unsigned> assignment(state.contexts.size());
    if (options.placement == Placement::round_robin) {
      for (std::size_t i = 0; i < assignment.size(); ++i)
        assignment[i] = static_cast<unsigned>(i % threads);
    } else {
      assignment = detail::partition(state, threads);
    }
    if (*std::max_element(assignment.begin(), assignment.end()) > 0)
      return detail::run_parallel(program, state, options, assignment);
  }
  return detail::run_sequential(program, state, options);
}

}  // namespace dfsim
