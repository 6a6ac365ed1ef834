#pragma once
// Scan: like Reduce, but writes at every step. `step(state, in...)` updates the running state
// (which starts as `init` at every row) and returns what to write: the state itself, or any
// function of it; a tuple writes one component per output port.
//
//   // running max m; writes delta = exp(m_old - m_new) and c = exp(s - m_new)
//   auto online = [](double& m, double s) {
//     double m_new = std::max(m, s), delta = std::exp(m - m_new);
//     m = m_new;
//     return std::pair{delta, std::exp(s - m_new)};
//   };
//   g.add("running_max", units::scan(-HUGE_VAL, online, {.row_length = n}),
//         std::move(s_rx), std::move(delta_tx), std::move(c_tx));
#include <utility>

#include "dfsim/units/detail/step_unit.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units {
namespace detail {

template <class S, class Step>
struct ScanKind : StartsEachRowAt<S> {
  using typename StartsEachRowAt<S>::State;
  static constexpr bool writes_every_step = true;
  Step fn;
  template <class... In>
  decltype(auto) step(State& s, const In&... in) const {
    return fn(s, in...);
  }
};

}  // namespace detail

template <class S, class Step>
auto scan(S init, Step step, UnitOptions options = {}) {
  return detail::StepUnit<detail::ScanKind<S, Step>>(
      detail::ScanKind<S, Step>{{std::move(init)}, std::move(step)}, std::move(options));
}

}  // namespace dfsim::units
