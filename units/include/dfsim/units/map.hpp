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

}  // namespace detail

template <class Fn>
auto map(Fn fn, UnitOptions options = {}) {
  return detail::StepUnit<detail::MapKind<Fn>>(detail::MapKind<Fn>{std::move(fn)},
                                               std::move(options));
}

}  // namespace dfsim::units
