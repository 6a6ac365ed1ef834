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
#include <cstdint>
#include <utility>

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

// A Map that also counts: fn(row, step, in...), as a hardware unit beside a row and column
// counter (a causal mask compares them).
template <class Fn>
struct IndexedMapKind {
  struct State {
    std::uint64_t row = 0;
    std::uint64_t step = 0;
  };
  static constexpr bool writes_every_step = true;
  Fn fn;
  State initial() const { return {}; }
  void reset(State& s) const { s = {s.row + 1, 0}; }
  template <class... In>
  decltype(auto) step(State& s, const In&... in) const {
    return fn(s.row, s.step++, in...);
  }
};

}  // namespace detail

template <class Fn>
auto map(Fn fn, UnitOptions options = {}) {
  return detail::StepUnit<detail::MapKind<Fn>>(detail::MapKind<Fn>{std::move(fn)},
                                               std::move(options));
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
