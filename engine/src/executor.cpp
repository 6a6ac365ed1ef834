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
    ContextStats c{ctx->name, ctx->clock, ctx->starved(), ctx->backpressured(), ctx->finished, {}, {}};
    for (const ChannelCore* in : ctx->inputs)
      if (in->receiver_starved() > 0) c.starved_on.push_back({in->name(), in->receiver_starved()});
    for (const ChannelCore* out : ctx->outputs)
      if (out->sender_backpressured() > 0)
        c.backpressured_on.push_back({out->name(), out->sender_backpressured()});
    r.contexts.push_back(std::move(c));
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
    s.receiver_starved_cycles = ch->receiver_starved();
    s.sender_backpressured_cycles = ch->sender_backpressured();
    s.sender = ch->sender->name;
    s.receiver = ch->receiver->name;
    r.channels.push_back(std::move(s));
  }
  if (status == RunStatus::deadlock) r.deadlock = make_deadlock_report(state.contexts);
  r.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count();
  return r;
}

namespace {

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

}  // namespace

ProgressReporter::ProgressReporter(const ExecutionState& state, const RunOptions& options) noexcept
    : state_(state),
      options_(options),
      next_(state.start + std::chrono::duration<double>(options.progress_interval)) {}

void ProgressReporter::report_if_due(std::size_t finished) {
  if (std::chrono::steady_clock::now() < next_) return;
  options_.on_progress(make_progress(state_, finished));
  next_ = std::chrono::steady_clock::now() +
          std::chrono::duration<double>(options_.progress_interval);
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
  if (options.tracer) detail::attach(*options.tracer, state);
  RunResult result = detail::execute(program, state, options, threads);
  if (options.tracer)
    for (std::size_t i = 0; i < result.contexts.size(); ++i)
      options.tracer->contexts()[i]->final_clock = result.contexts[i].final_clock;
  return result;
}

namespace detail {

RunResult execute(Program& program, ExecutionState& state, const RunOptions& options,
                  unsigned threads) {
  if (threads > 1 && !state.contexts.empty()) {
    std::vector<unsigned> assignment(state.contexts.size());
    if (options.placement == Placement::round_robin) {
      for (std::size_t i = 0; i < assignment.size(); ++i)
        assignment[i] = static_cast<unsigned>(i % threads);
    } else {
      assignment = detail::partition(state, threads);
    }
    if (*std::max_element(assignment.begin(), assignment.end()) > 0)
      return run_parallel(program, state, options, assignment);
  }
  return run_sequential(program, state, options);
}

// A track per context, one per channel; only the channels that have something to record
// leave the plain path (ChannelCore::set_trace).
void attach(Tracer& tracer, ExecutionState& state) {
  const TraceOptions& o = tracer.options();
  auto& contexts = tracer.contexts();
  auto& channels = tracer.channels();
  contexts.clear();
  channels.clear();
  for (const ContextCore* ctx : state.contexts) {
    auto t = std::make_unique<ContextTrace>();
    t->name = ctx->name;
    t->traced = o.traces(ctx->name);
    t->waits.limit = o.max_events;
    contexts.push_back(std::move(t));
  }
  for (ChannelCore* ch : state.channels) {
    auto t = std::make_unique<ChannelTrace>();
    t->name = ch->name();
    t->sender = ch->sender->name;
    t->receiver = ch->receiver->name;
    if (ch->bounded()) t->capacity = ch->capacity();
    t->index = static_cast<std::uint32_t>(channels.size());
    t->traced = o.traces(ch->name());
    t->elements.limit = o.max_events;
    ContextTrace* sender = contexts[ch->sender->index].get();
    ContextTrace* receiver = contexts[ch->receiver->index].get();
    t->sender_track = sender->traced ? sender : nullptr;
    t->receiver_track = receiver->traced ? receiver : nullptr;
    t->from = o.from;
    t->until = o.until;
    if (t->traced || t->sender_track || t->receiver_track) ch->set_trace(t.get());
    channels.push_back(std::move(t));
  }
}

}  // namespace detail

}  // namespace dfsim
