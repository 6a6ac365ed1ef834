#include "engine_adapter.hpp"

#include <algorithm>
#include <coroutine>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dfsim::verification {
namespace {

using Value = std::uint64_t;
using Inputs = std::vector<Receiver<Value>>;
using Outputs = std::vector<Sender<Value>>;

// Writing the outputs together (graph_spec.hpp): credit on all outputs, then a write to
// each, all stamped from the clock at the call. One output takes the plain push (an
// "enqueue" wait), several the atomic fan-out, none nothing. co_await emit(outs, v, P).
class Emit {
 public:
  Emit(Outputs& outs, Value v, Cycle stamp) : outs_(outs), v_(v), stamp_(stamp) {
    if (outs.size() == 1)
      wait_.emplace<Push>(outs[0].push(v, PipelineDepth{stamp}));
    else if (!outs.empty())
      wait_.emplace<All>(all_credit(std::span<Sender<Value>>(outs)));
  }
  bool await_ready() {
    return std::visit(
        [](auto& w) {
          if constexpr (std::is_same_v<std::decay_t<decltype(w)>, std::monostate>)
            return true;
          else
            return w.await_ready();
        },
        wait_);
  }
  void await_suspend(std::coroutine_handle<> h) {
    std::visit(
        [h](auto& w) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(w)>, std::monostate>)
            w.await_suspend(h);
        },
        wait_);
  }
  void await_resume() {
    if (auto* push = std::get_if<Push>(&wait_)) push->await_resume();
    if (auto* all = std::get_if<All>(&wait_)) {
      const Cycle issued = all->await_resume();
      push_all(std::span<Sender<Value>>(outs_), v_, issued + stamp_);
    }
  }

 private:
  using Push = Sender<Value>::PushAwaiter;
  using All = decltype(all_credit(std::declval<std::span<Sender<Value>>>()));
  Outputs& outs_;
  Value v_;
  Cycle stamp_;
  std::variant<std::monostate, Push, All> wait_;
};

// Inputs peeked before a step's pops (graph_spec.hpp): together every input, peek_first
// input 0 only.
std::size_t peeks_before_pops(const NodeSpec& spec, const Inputs& ins) {
  if (spec.inputs_together) return ins.size();
  return spec.peek_first ? std::min<std::size_t>(ins.size(), 1) : 0;
}

// The output loops below are written out in each body: an awaiter cannot wait twice, so
// "each output after its own credit wait" needs one co_await per output in the body itself.

Process source_body(Context& ctx, Outputs outs, int id, NodeSpec spec) {
  for (std::uint64_t i = 0; i < spec.count; ++i) {
    Value v = source_value(id, i);
    if (spec.outputs_in_order)
      for (const Cycle issued = ctx.now(); auto& out : outs)
        co_await out.push_at(v, issued + spec.stamp);
    else
      co_await Emit(outs, v, spec.stamp);
    ctx.advance(spec.ii);
  }
}

Process map_body(Context& ctx, Inputs ins, Outputs outs, int id, NodeSpec spec) {
  const std::size_t peeks = peeks_before_pops(spec, ins);
  std::vector<Value> popped;
  while (true) {
    for (std::size_t k = 0; k < peeks; ++k) {
      const Value* next = co_await ins[k].peek();
      if (next == nullptr) co_return;
    }
    popped.clear();
    for (auto& in : ins) {
      auto x = co_await in.pop();
      if (!x) co_return;
      popped.push_back(*x);
    }
    Value v = map_value(id, popped);
    if (spec.outputs_in_order)
      for (const Cycle issued = ctx.now(); auto& out : outs)
        co_await out.push_at(v, issued + spec.stamp);
    else
      co_await Emit(outs, v, spec.stamp);
    ctx.advance(spec.ii);
  }
}

Process merge_body(Context& ctx, Inputs ins, Outputs outs, int id, NodeSpec spec) {
  while (true) {
    auto i = co_await select(std::span<Receiver<Value>>(ins));
    if (!i) co_return;
    auto x = co_await ins[*i].pop();
    if (!x) throw std::logic_error("select chose an input that has ended");
    Value v = merge_value(id, *x, *i);
    if (spec.outputs_in_order)
      for (const Cycle issued = ctx.now(); auto& out : outs)
        co_await out.push_at(v, issued + spec.stamp);
    else
      co_await Emit(outs, v, spec.stamp);
    ctx.advance(spec.ii);
  }
}

Process sink_body(Context& ctx, Inputs ins, NodeSpec spec, std::vector<Value>* received) {
  const std::size_t peeks = peeks_before_pops(spec, ins);
  for (std::uint64_t step = 0; !spec.limit || step < *spec.limit; ++step) {
    for (std::size_t k = 0; k < peeks; ++k) {
      const Value* next = co_await ins[k].peek();
      if (next == nullptr) co_return;
    }
    for (auto& in : ins) {
      auto x = co_await in.pop();
      if (!x) co_return;
      received->push_back(*x);
    }
    ctx.advance(spec.ii);
  }
}

// The same programs with bulk moves (dfsim/engine/bulk.hpp), for the shapes they serve: one
// output (source; either output discipline, they agree for one output), one input and one
// output taken without a peek (map), one input without a peek (sink): a peek is reported as
// such in a deadlock, a bulk move's wait as a dequeue. They must give exactly the outcome of
// the loops above, so the differential tests hold them to the reference model too.
//
// The bulk move runs first and the credit wait after it: a bulk move stamps from the clock
// it finds, so after a wait that moved the clock it would stamp from the wrong one.
Process source_bulk(Context& ctx, Outputs outs, int id, NodeSpec spec) {
  Sender<Value>& out = outs[0];
  std::uint64_t i = 0;
  auto next = [&] { return source_value(id, i++); };
  while (i < spec.count) {
    if (push_ready(ctx, out, next, PipelineDepth{spec.stamp}, spec.ii, spec.count - i) > 0) continue;
    const Cycle issued = co_await out.credit();
    out.push_now_at(next(), issued + spec.stamp);
    ctx.advance(spec.ii);
  }
}

Process map_bulk(Context& ctx, Inputs ins, Outputs outs, int id, NodeSpec spec) {
  Receiver<Value>& in = ins[0];
  Sender<Value>& out = outs[0];
  auto fn = [id](Value x) { return map_value(id, {x}); };
  for (;;) {
    const bool more = co_await in.wait();
    if (!more) break;
    if (transfer_ready(ctx, in, out, fn, PipelineDepth{spec.stamp}, spec.ii) > 0) continue;
    auto x = co_await in.pop();
    co_await out.push(fn(*x), PipelineDepth{spec.stamp});
    ctx.advance(spec.ii);
  }
}

Process sink_bulk(Context& ctx, Inputs ins, NodeSpec spec, std::vector<Value>* received) {
  Receiver<Value>& in = ins[0];
  const std::uint64_t limit = spec.limit.value_or(~std::uint64_t{0});
  std::uint64_t steps = 0;
  auto keep = [&](Value v) {
    received->push_back(v);
    ++steps;
  };
  while (steps < limit) {
    const bool more = co_await in.wait();
    if (!more) break;
    if (pop_ready(ctx, in, keep, spec.ii, limit - steps) > 0) continue;
    keep(*co_await in.pop());
    ctx.advance(spec.ii);
  }
}

void add_node(Program& program, const NodeSpec& spec, int id, Inputs ins, Outputs outs,
              std::vector<Value>* received) {
  std::string name = node_name(id);
  // Every other node of a shape they serve runs with bulk moves: a graph mixes both.
  const bool bulk = id % 2 == 0;
  const bool one_in = ins.size() == 1, one_out = outs.size() == 1;
  const bool peeks = spec.peek_first || spec.inputs_together;
  switch (spec.kind) {
    case NodeKind::source:
      if (bulk && one_out)
        program.add(name, source_bulk, std::move(outs), id, spec);
      else
        program.add(name, source_body, std::move(outs), id, spec);
      return;
    case NodeKind::map:
      if (bulk && one_in && one_out && !peeks)
        program.add(name, map_bulk, std::move(ins), std::move(outs), id, spec);
      else
        program.add(name, map_body, std::move(ins), std::move(outs), id, spec);
      return;
    case NodeKind::merge:
      program.add(name, merge_body, std::move(ins), std::move(outs), id, spec);
      return;
    case NodeKind::sink:
      if (bulk && one_in && !peeks)
        program.add(name, sink_bulk, std::move(ins), spec, received);
      else
        program.add(name, sink_body, std::move(ins), spec, received);
      return;
  }
}

Outcome outcome_of(const RunResult& r, std::vector<std::vector<Value>>& received) {
  Outcome o;
  o.status = to_string(r.status);
  o.elapsed = r.elapsed_cycles;
  for (std::size_t i = 0; i < r.contexts.size(); ++i) {
    const ContextStats& s = r.contexts[i];
    std::vector<Value> values = i < received.size() ? std::move(received[i]) : std::vector<Value>{};
    o.nodes.push_back({s.name, s.final_clock, s.starved_cycles, s.backpressured_cycles,
                       s.finished, std::move(values)});
  }
  for (const ChannelStats& s : r.channels)
    o.channels.push_back({s.name, s.elements, s.peak_occupancy});
  if (r.deadlock)
    for (const BlockedContext& b : r.deadlock->blocked)
      o.blocked.push_back({b.context, b.clock, b.operation, b.channel, b.channel_state,
                           b.other_end, b.other_end_finished});
  if (r.failure)
    o.failure = r.failure->context + " at cycle " + std::to_string(r.failure->clock) + ": " +
                r.failure->message;
  return o;
}

}  // namespace

Outcome run_engine(const GraphSpec& g, const EngineConfig& config) {
  for (const NodeSpec& node : g.nodes)
    if (node.row_length != 1 || node.per_row_inputs != 0 || node.writes_per_row)
      throw std::invalid_argument(
          "run_engine: nodes with rows run only in the reference model; the engine runs such "
          "units as units::map/reduce (tests/sdpa/dam_fidelity_test.cpp)");
  const std::size_t n = g.nodes.size();
  Program program;
  std::vector<Inputs> ins(n);
  std::vector<Outputs> outs(n);
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    const ChannelSpec& spec = g.channels[c];
    auto [tx, rx] = program.channel<Value>(channel_name(static_cast<int>(c)),
                                           {.capacity = spec.capacity,
                                            .latency = spec.latency,
                                            .response_latency = spec.response_latency});
    outs[static_cast<std::size_t>(spec.from)].push_back(std::move(tx));
    ins[static_cast<std::size_t>(spec.to)].push_back(std::move(rx));
  }
  std::vector<std::vector<Value>> received(n);
  for (std::size_t i = 0; i < n; ++i)
    add_node(program, g.nodes[i], static_cast<int>(i), std::move(ins[i]), std::move(outs[i]),
             &received[i]);
  RunResult r = run(program, {.threads = config.threads, .placement = config.placement});
  return outcome_of(r, received);
}

}  // namespace dfsim::verification
