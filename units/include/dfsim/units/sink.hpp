#pragma once
// Sinks: dequeue every element as soon as it is visible, and hand it to a function (or keep
// it, or count it). A sink only dequeues: its clock ends at the cycle the last element became
// visible.
//
//   std::vector<double> out;
//   g.add("sink", units::collect(out), std::move(o_rx));
#include <cstdint>
#include <utility>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"

namespace dfsim::units {
namespace detail {

template <class Fn>
class SinkUnit {
 public:
  explicit SinkUnit(Fn fn) : fn_(std::move(fn)) {}

  template <class T>
  Process operator()(Context&, Receiver<T> in) {
    while (auto v = co_await in.pop()) fn_(std::move(*v));
  }

 private:
  Fn fn_;
};

}  // namespace detail

// Calls fn(value) for every element, in order. fn may keep state (it lives with the Program).
template <class Fn>
auto sink(Fn fn) {
  return detail::SinkUnit<Fn>(std::move(fn));
}

// Appends every element to `into`, which must outlive the run.
template <class T>
auto collect(std::vector<T>& into) {
  return sink([&into](T&& v) { into.push_back(std::move(v)); });
}

// Dequeues and drops every element; counts them into `count` if given.
//   g.add("drain", units::discard<int>(), std::move(x_rx));
template <class T>
auto discard(std::uint64_t* count = nullptr) {
  return sink([count](T&&) {
    if (count) ++*count;
  });
}

}  // namespace dfsim::units
