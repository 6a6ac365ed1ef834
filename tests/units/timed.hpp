#pragma once
// Test helpers: a sink that records each element with the cycle it was dequeued at (its
// visible time, since a sink waits for nothing else), and a counting source.
#include <cstdint>
#include <utility>
#include <vector>

#include "dfsim/engine.hpp"

namespace dfsim::units::testing {

template <class T>
struct Timed {
  T value;
  Cycle at;
  bool operator==(const Timed&) const = default;
};

template <class T>
auto record(std::vector<Timed<T>>& into) {
  return [&into](Context& ctx, Receiver<T> in) -> Process {
    while (auto v = co_await in.pop()) into.push_back({std::move(*v), ctx.now()});
  };
}

template <class T>
std::vector<Cycle> times(const std::vector<Timed<T>>& got) {
  std::vector<Cycle> t;
  for (const auto& x : got) t.push_back(x.at);
  return t;
}

template <class T>
std::vector<T> values(const std::vector<Timed<T>>& got) {
  std::vector<T> v;
  for (const auto& x : got) v.push_back(x.value);
  return v;
}

// 0, 1, 2, ... count - 1 as doubles, one per cycle, visible the next cycle.
inline std::vector<double> iota(std::size_t count, double first = 0) {
  std::vector<double> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = first + static_cast<double>(i);
  return v;
}

}  // namespace dfsim::units::testing
