#pragma once
// Checking sinks: fail the run, naming the element, at the first value that differs from the
// expected stream (or when the stream is shorter or longer). They are units::sink's, whose fn
// hears the end of the stream.
//
//   g.add("check", units::check_equal(std::vector{2, 4, 6}), std::move(y_rx));
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/units/sink.hpp"

namespace dfsim::units {
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

// The count of a checked stream, with its messages: one element too many, too few at the end.
class ExpectedCount {
 public:
  explicit ExpectedCount(std::size_t expected) : expected_(expected) {}
  // The index of the element just received; throws when it is one more than expected.
  std::size_t next() {
    if (seen_ >= expected_)
      throw std::runtime_error("received more than the " + std::to_string(expected_) +
                               " expected elements");
    return seen_++;
  }
  // At the end of the stream: throws when fewer came than expected.
  void end_of_stream() const {
    if (seen_ != expected_)
      throw std::runtime_error("stream ended after " + std::to_string(seen_) + " of " +
                               std::to_string(expected_) + " expected elements");
  }

 private:
  std::size_t expected_;
  std::size_t seen_ = 0;
};

// A sink's fn that checks the stream against `expected`, one element at a time:
// mismatch(want, got) says what is wrong with an element ("" if nothing).
template <class T, class Mismatch>
struct StreamCheck {
  std::vector<T> expected;
  Mismatch mismatch;
  ExpectedCount count{expected.size()};

  void operator()(T&& got) {
    const std::size_t i = count.next();
    if (std::string problem = mismatch(expected[i], got); !problem.empty())
      throw std::runtime_error("element " + std::to_string(i) + ": " + problem);
  }
  void end_of_stream() const { count.end_of_stream(); }
};

template <class T, class Mismatch>
auto check_stream(std::vector<T> expected, Mismatch mismatch) {
  return sink(StreamCheck<T, Mismatch>{std::move(expected), std::move(mismatch)});
}

}  // namespace detail

// Fails the run at the first value that differs from `expected` (operator==).
template <class T>
auto check_equal(std::vector<T> expected) {
  return detail::check_stream(std::move(expected), [](const T& want, const T& got) {
    if (got == want) return std::string();
    return "expected " + detail::to_text(want) + ", got " + detail::to_text(got);
  });
}

// Like check_equal, within |got - expected| <= abs_tol + rel_tol * |expected| element-wise.
template <class T>
auto check_near(std::vector<T> expected, double abs_tol, double rel_tol = 0) {
  return detail::check_stream(std::move(expected), [abs_tol, rel_tol](const T& want, const T& got) {
    double scale = 0;
    if constexpr (std::is_arithmetic_v<T>) scale = std::fabs(static_cast<double>(want));
    const double diff = detail::max_abs_difference(got, want);
    if (diff <= abs_tol + rel_tol * scale) return std::string();
    return "expected " + detail::to_text(want) + ", got " + detail::to_text(got) +
           " (difference " + detail::to_text(diff) + ")";
  });
}

}  // namespace dfsim::units
