#pragma once
// Tiny contexts for the tests: they move elements like the utilities do, and record the
// clock at which each operation completed, so a test can compare it with a hand derivation.
// Each probe writes only its own vector; the test reads it after run() has returned.
#include <cstdint>
#include <vector>

#include "dfsim/engine.hpp"

namespace dfsim::test {

// Pops everything; records each value and the clock right after its pop, then advances
// by `ii` (a consumer that accepts one element every ii cycles; 0: as fast as they come).
template <class T>
auto record_pops(std::vector<T>& values, std::vector<Cycle>& clocks, Cycle ii = 0) {
  return [&values, &clocks, ii](Context& ctx, Receiver<T> in) -> Process {
    while (auto v = co_await in.pop()) {
      values.push_back(*v);
      clocks.push_back(ctx.now());
      ctx.advance(ii);
    }
  };
}

// As record_pops, clocks only.
template <class T>
auto record_pop_clocks(std::vector<Cycle>& clocks, Cycle ii = 0) {
  return [&clocks, ii](Context& ctx, Receiver<T> in) -> Process {
    while (auto x = co_await in.pop()) {
      clocks.push_back(ctx.now());
      ctx.advance(ii);
    }
  };
}

// Pushes 0, 1, ..., count - 1; records the clock right after each push (the clock at which
// the element was written, after any wait for credit), then advances by `ii`.
inline auto record_pushes(std::uint64_t count, std::vector<Cycle>& clocks, Cycle ii = 0) {
  return [count, &clocks, ii](Context& ctx, Sender<int> out) -> Process {
    for (std::uint64_t i = 0; i < count; ++i) {
      co_await out.push(static_cast<int>(i));
      clocks.push_back(ctx.now());
      ctx.advance(ii);
    }
  };
}

inline std::vector<int> iota_ints(int count) {
  std::vector<int> v(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

}  // namespace dfsim::test
