#pragma once
// Map: an element-wise function of one or more input streams, one result per step, written to
// one or more outputs (the same result to every Sender of a fan-out port).
//
//   // s = q . k (q is a per-row input), fanned out to two FIFOs
//   g.add("qk", units::map(dot, {.timing = {.latency = 11}, .row_length = n,
//                               .per_row_inputs = {0}}),
//         std::move(q_rx), std::move(k_rx), std::array{std::move(a_tx), std::move(b_tx)});
//
// The body is called as body(ctx, inputs..., ports...): the leading Receivers are the inputs
// (fn gets their values in that order, as const&), the rest are output ports. With several
// ports, fn returns a tuple (or pair) with one value per port.
//
// A Map of one input and one Sender, one step per row, with no delays and no row count (an
// element-wise stage, as the pipeline workload's) moves the elements that need no wait in
// bulk (dfsim/engine/bulk.hpp), with the same cycles.
#include <cstdint>
#include <string>
#include <utility>

#include "dfsim/engine/bulk.hpp"
#include "dfsim/units/detail/step_unit.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units {
namespace detail {

struct NoState {};

template <class Fn>
struct MapKind {
  using State = NoState;
  static constexpr bool writes_every_step = true;
  Fn fn;
  State initial() const { return {}; }
  void reset(State&) const {}
  template <class... In>
  decltype(auto) step(State&, const In&... in) const {
    return fn(in...);
  }
};

// A Map that also counts: fn(row, step, in...) (a causal mask compares them).
template <class Fn>
using IndexedMapKind = CountsRowAndStep<Fn>;

// Whether a Map's steps are an element-wise stage: one input and one Sender (checked by the
// caller), one step per row, no per-row delay, no per-row inputs, running until its input ends.
bool is_element_wise(const UnitOptions& options) noexcept;

// A Map: the step loop, or for an element-wise stage the loop
//   ctx.advance(startup_delay);
//   while (auto x = co_await in.pop()) { co_await out.push(fn(*x), P); ctx.advance(II); }
// (the same cycles: a step peeks, computes, dequeues and writes at one clock) with the
// elements that need no wait moved in bulk. fn sees its element after the dequeue. Its wait
// for an element is a peek, as the step loop's (what a deadlock report says it waits on).
template <class Fn>
class MapUnit {
 public:
  MapUnit(Fn fn, UnitOptions options)
      : unit_(MapKind<Fn>{std::move(fn)}, std::move(options)),
        element_wise_(is_element_wise(unit_.options())) {}

  template <class... Ends>
  Process operator()(Context& ctx, Ends... ends) const {
    if constexpr (sizeof...(Ends) == 2) {
      if (element_wise_) return one_to_one(ctx, std::move(ends)...);
    }
    return unit_(ctx, std::move(ends)...);
  }

 private:
  template <class In, class Out>
  Process one_to_one(Context& ctx, Receiver<In> in, Sender<Out> out) const {
    check_options(unit_.options(), "unit '" + ctx.name() + "'");
    return stream(ctx, std::move(in), std::move(out));
  }
  template <class In, class Out>
  Process stream(Context& ctx, Receiver<In> in, Sender<Out> out) const {
    const PipelineDepth depth{unit_.options().timing.latency};
    const Cycle ii = unit_.options().timing.initiation_interval;
    auto step = [&fn = unit_.kind().fn](In&& x) { return Out(fn(std::as_const(x))); };
    ctx.advance(unit_.options().timing.startup_delay);
    for (;;) {
      const bool more = co_await in.peek() != nullptr;  // not in the condition: docs/adding-a-unit.md
      if (!more) break;
      if (transfer_ready(ctx, in, out, step, depth, ii) > 0) continue;
      // No credit (or no bulk moves): dequeue, then wait to write.
      auto x = co_await in.pop();
      co_await out.push(step(std::move(*x)), depth);
      ctx.advance(ii);
    }
  }
  template <class... Ends>
  Process one_to_one(Context& ctx, Ends... ends) const {
    return unit_(ctx, std::move(ends)...);
  }

  StepUnit<MapKind<Fn>> unit_;
  bool element_wise_;
};

}  // namespace detail

template <class Fn>
auto map(Fn fn, UnitOptions options = {}) {
  return detail::MapUnit<Fn>(std::move(fn), std::move(options));
}

// As map, with fn(row, step, in...) given the row (from 0) and the step within the row:
//   // the causal mask: scores of keys after the query are -inf
//   units::map_indexed([](std::uint64_t i, std::uint64_t j, double s) {
//     return j > i ? -HUGE_VAL : s; }, {.row_length = n, .rows = n})
template <class Fn>
auto map_indexed(Fn fn, UnitOptions options = {}) {
  return detail::StepUnit<detail::IndexedMapKind<Fn>>(detail::IndexedMapKind<Fn>{std::move(fn)},
                                                      std::move(options));
}

}  // namespace dfsim::units
