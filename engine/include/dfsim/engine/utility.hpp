#pragma once
// Ready-made contexts: sources, sinks, checkers, an element-wise stage, broadcast. Each returns
// a body for Program::add, e.g. g.add("src", source_of(values), std::move(out)). The sources,
// the sinks and transform move elements in bulk where they need no wait (bulk.hpp).
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "dfsim/engine/bulk.hpp"
#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/fan_out.hpp"
#include "dfsim/engine/process.hpp"

namespace dfsim {
namespace detail {

template <class T>
std::string to_text(const T& value) {
  std::ostringstream os;
  if constexpr (requires { value.begin(); value.end(); }) {
    os << '[';
    bool first = true;
    for (const auto& x : value) {
      os << (first ? "" : ", ") << x;
      first = false;
    }
    os << ']';
  } else {
    os.precision(17);
    os << value;
  }
  return os.str();
}

template <class T>
double max_abs_difference(const T& a, const T& b) {
  if constexpr (requires { a.size(); a[0]; }) {
    if (a.size() != b.size()) return INFINITY;
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, max_abs_difference(a[i], b[i]));
    return m;
  } else {
    double d = std::fabs(static_cast<double>(a) - static_cast<double>(b));
    return std::isnan(d) ? INFINITY : d;
  }
}

}  // namespace detail

// Sends fn(0), fn(1), ..., fn(count - 1), one every `interval` cycles.
template <class F>
auto source_from(std::uint64_t count, F fn, Cycle interval = 1) {
  using T = std::decay_t<std::invoke_result_t<F&, std::uint64_t>>;
  return [count, fn = std::move(fn), interval](Context& ctx, Sender<T> out) mutable -> Process {
    std::uint64_t i = 0;
    auto next = [&] { return T(fn(i++)); };
    while (i < count) {
      if (push_ready(ctx, out, next, {}, interval, count - i) > 0) continue;
      // No credit: wait as the push would, then write that one element.
      co_await out.credit();
      out.push_now(next());
      ctx.advance(interval);
    }
  };
}

// Sends `values` in order, one every `interval` cycles.
template <class T>
auto source_of(std::vector<T> values, Cycle interval = 1) {
  const std::uint64_t count = values.size();
  return source_from(count, [values = std::move(values)](std::uint64_t i) { return values[i]; },
                     interval);
}

// Calls consume(element) on every element, in order, one every `interval` cycles (0: as
// they come).
template <class T, class Consume>
auto consume_each(Consume consume, Cycle interval = 0) {
  return [consume = std::move(consume), interval](Context& ctx, Receiver<T> in) mutable
         -> Process {
    // Waiting moves the clock as the pop would.
    for (;;) {
      const bool more = co_await in.wait();
      if (!more) break;
      if (pop_ready(ctx, in, consume, interval) > 0) continue;
      consume(std::move(*co_await in.pop()));
      ctx.advance(interval);
    }
  };
}

// Dequeues everything into `sink` (which must outlive the run).
template <class T>
auto collect_into(std::vector<T>& sink) {
  return consume_each<T>([&sink](T&& v) { sink.push_back(std::move(v)); });
}

// Dequeues and discards everything; counts into `count` if given.
template <class T>
auto discard(std::uint64_t* count = nullptr) {
  return consume_each<T>([count](T&&) {
    if (count) ++*count;
  });
}

// Fails the run (naming the element) at the first value that differs from `expected`,
// or if the stream is shorter or longer.
template <class T>
auto check_equal(std::vector<T> expected) {
  return [expected = std::move(expected)](Context&, Receiver<T> in) -> Process {
    std::size_t i = 0;
    while (auto v = co_await in.pop()) {
      if (i >= expected.size())
        throw std::runtime_error("received more than the " + std::to_string(expected.size()) +
                                 " expected elements");
      if (!(*v == expected[i]))
        throw std::runtime_error("element " + std::to_string(i) + ": expected " +
                                 detail::to_text(expected[i]) + ", got " + detail::to_text(*v));
      ++i;
    }
    if (i != expected.size())
      throw std::runtime_error("stream ended after " + std::to_string(i) + " of " +
                               std::to_string(expected.size()) + " expected elements");
  };
}

// Like check_equal, within |got - expected| <= abs_tol + rel_tol * |expected| element-wise.
template <class T>
auto check_near(std::vector<T> expected, double abs_tol, double rel_tol = 0) {
  return [expected = std::move(expected), abs_tol, rel_tol](Context&, Receiver<T> in) -> Process {
    std::size_t i = 0;
    while (auto v = co_await in.pop()) {
      if (i >= expected.size())
        throw std::runtime_error("received more than the " + std::to_string(expected.size()) +
                                 " expected elements");
      double scale = 0;
      if constexpr (std::is_arithmetic_v<T>) scale = std::fabs(static_cast<double>(expected[i]));
      double diff = detail::max_abs_difference(*v, expected[i]);
      if (diff > abs_tol + rel_tol * scale)
        throw std::runtime_error("element " + std::to_string(i) + ": expected " +
                                 detail::to_text(expected[i]) + ", got " + detail::to_text(*v) +
                                 " (difference " + detail::to_text(diff) + ")");
      ++i;
    }
    if (i != expected.size())
      throw std::runtime_error("stream ended after " + std::to_string(i) + " of " +
                               std::to_string(expected.size()) + " expected elements");
  };
}

// An element-wise stage: takes an element every `interval` cycles and writes fn(element) with
// pipeline depth `depth` (visible max(depth, L) cycles after the write). The same cycles as
//   while (auto x = co_await in.pop()) { co_await out.push(fn(*x), depth); ctx.advance(interval); }
// which it runs, with the elements that need no wait moved in bulk.
template <class Fn>
auto transform(Fn fn, Latency depth = {}, Cycle interval = 1) {
  return [fn = std::move(fn), depth, interval]<class In, class Out>(
             Context& ctx, Receiver<In> in, Sender<Out> out) mutable -> Process {
    for (;;) {
      const bool more = co_await in.wait();
      if (!more) break;
      if (transfer_ready(ctx, in, out, fn, depth, interval) > 0) continue;
      // No credit (or no bulk moves): as the loop does, dequeue, then wait to write.
      auto x = co_await in.pop();
      co_await out.push(fn(std::move(*x)), depth);
      ctx.advance(interval);
    }
  };
}

// Copies every input element to all outputs (an atomic fan-out), one element per cycle.
template <class T>
auto broadcast() {
  return [](Context& ctx, Receiver<T> in, std::vector<Sender<T>> outs) -> Process {
    while (auto v = co_await in.pop()) {
      co_await all_credit(std::span<Sender<T>>(outs));
      push_all(std::span<Sender<T>>(outs), *v);
      ctx.advance(1);
    }
  };
}

}  // namespace dfsim
