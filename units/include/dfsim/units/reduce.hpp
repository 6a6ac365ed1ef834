#pragma once
// Reduce: folds the row_length inputs of each row into one output per row. The state starts
// as `init` at every row, `fold(state, in...)` runs at every step, and the state is written
// only at the last step of the row (stamped clock + latency, like every write).
//
//   // l_i = sum_j e_ij, one element every 2 cycles, visible 23 cycles after the last one
//   g.add("row_sum", units::reduce(0.0, [](double& l, double e) { l += e; },
//                                  {.timing = {.latency = 23, .initiation_interval = 2},
//                                   .row_length = n}),
//         std::move(e_rx), std::move(l_tx));
#include <utility>

#include "dfsim/units/detail/step_unit.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units {
namespace detail {

template <class S, class Fold>
struct ReduceKind : StartsEachRowAt<S> {
  using typename StartsEachRowAt<S>::State;
  static constexpr bool writes_every_step = false;
  Fold fold;
  template <class... In>
  void step(State& s, const In&... in) const {
    fold(s, in...);
  }
  State take(State& s) const { return std::move(s); }
};

}  // namespace detail

template <class S, class Fold>
auto reduce(S init, Fold fold, UnitOptions options = {}) {
  return detail::StepUnit<detail::ReduceKind<S, Fold>>(
      detail::ReduceKind<S, Fold>{{std::move(init)}, std::move(fold)}, std::move(options));
}

}  // namespace dfsim::units
