#pragma once
// Sinks: dequeue every element as soon as it is visible, and hand it to a function (or keep
// it, or count it). A sink only dequeues: its clock ends at the cycle the last element became
// visible. The elements already there are dequeued in bulk (dfsim/engine/bulk.hpp).
//
//   std::vector<double> out;
//   g.add("sink", units::collect(out), std::move(o_rx));
#include <cstdint>
#include <utility>
#include <vector>

#include "dfsim/engine/bulk.hpp"
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
  Process operator()(Context& ctx, Receiver<T> in) {
    return drain(ctx, std::move(in), fn_);
  }

 private:
  // Why this shape: g++ 12.2 lays out some coroutine frames with `co_await` in a condition
  // wrong (docs/adding-a-unit.md; a member coroutine with `while (co_await in.wait())`
  // deadlocked, 'sink at cycle 0: running'). The wait's result goes to a local first, and
  // the coroutine is a static function given fn by reference: no `this` in its frame.
  template <class T>
  static Process drain(Context& ctx, Receiver<T> in, Fn& consume) {
    for (;;) {
      const bool more = co_await in.wait();  // an element is there: the clock at its time
      if (!more) break;
      if (pop_ready(ctx, in, consume, 0) > 0) continue;
      auto x = co_await in.pop();  // no bulk moves: a traced or cross-thread channel
      consume(std::move(*x));
    }
    if constexpr (requires { consume.end_of_stream(); }) consume.end_of_stream();
  }
  Fn fn_;
};

}  // namespace detail

// Calls fn(value) for every element, in order. fn may keep state (it lives with the Program).
// A fn with a member end_of_stream() is called once more when the stream ends (after its last
// element), e.g. to check that as many came as expected; what it throws fails the run.
//   struct Expect { std::size_t n, seen = 0;
//     void operator()(int) { ++seen; }
//     void end_of_stream() const { if (seen != n) throw std::runtime_error("too few"); } };
//   g.add("check", units::sink(Expect{3}), std::move(x_rx));
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
