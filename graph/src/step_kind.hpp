#pragma once
// The Kinds (units/detail/step_unit.hpp) of units built from a spec: one Value type, the
// number of Senders fixed per instantiation, the computing done by NodeCompute. Each runs the
// units' own step loop, so a built unit has the C++ unit's cycles.
#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include "node_compute.hpp"

namespace dfsim::graph::detail {

// What a step writes: one Value per Sender (a bare Value for one).
template <std::size_t NS>
struct Written {
  using type = std::array<Value, NS>;
  static Value* data(type& w) { return w.data(); }
};
template <>
struct Written<1> {
  using type = Value;
  static Value* data(type& w) { return &w; }
};

// A vector state is released when the unit's coroutine ends (a Reduce's last state, made for
// a row that never came), unless it was handed on.
struct StepState {
  Value acc;
  std::uint64_t step = 0;  // within the row (a source: within its whole stream)
  NodeCompute* owner = nullptr;  // set while acc holds a vector reference of its own

  StepState(Value a, NodeCompute* o) : acc(a), owner(o) {}
  StepState(StepState&& other) noexcept
      : acc(other.acc), step(other.step), owner(std::exchange(other.owner, nullptr)) {}
  StepState& operator=(StepState&&) = delete;
  ~StepState() {
    if (owner) owner->release_state(acc);
  }
};

// Map, Scan, Repeat, source: write every step.
template <std::size_t NS>
struct EveryStepKind {
  using State = StepState;
  static constexpr bool writes_every_step = true;
  std::shared_ptr<NodeCompute> compute;
  NodeKind kind;

  State initial() const {
    if (kind != NodeKind::scan) return {Value{}, nullptr};
    return {compute->initial_state(), compute->owned_state()};
  }
  void reset(State& s) const {
    if (kind == NodeKind::scan) compute->reset_state(s.acc);
    if (kind != NodeKind::source) s.step = 0;
  }
  template <class... In>
  typename Written<NS>::type step(State& s, const In&... in) const {
    typename Written<NS>::type out{};
    const Value values[] = {in..., Value{}};
    if (kind == NodeKind::source)
      compute->emit(s.step, Written<NS>::data(out));
    else if (kind == NodeKind::scan)
      compute->scan(values, s.step, s.acc, Written<NS>::data(out));
    else
      compute->map(values, s.step, Written<NS>::data(out));
    ++s.step;
    return out;
  }
};

// Reduce: fold every step, write the state at the row's end.
template <std::size_t NS>
struct ReduceStepKind {
  using State = StepState;
  static constexpr bool writes_every_step = false;
  std::shared_ptr<NodeCompute> compute;

  State initial() const { return {compute->initial_state(), compute->owned_state()}; }
  void reset(State& s) const {
    compute->reset_state(s.acc);
    s.owner = compute->owned_state();
    s.step = 0;
  }
  template <class... In>
  void step(State& s, const In&... in) const {
    const Value values[] = {in..., Value{}};
    compute->fold(values, s.step++, s.acc);
  }
  typename Written<NS>::type take(State& s) const {
    typename Written<NS>::type out{};
    compute->take(s.acc, Written<NS>::data(out));
    s.owner = nullptr;  // handed on
    return out;
  }
};

}  // namespace dfsim::graph::detail
