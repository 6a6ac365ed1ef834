#include "sinks.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "dfsim/units/check.hpp"
#include "dfsim/units/sink.hpp"

namespace dfsim::graph::detail {
namespace {

std::string number(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

}  // namespace

std::function<Process(Context&, Receiver<Value>)> keep_sink(KeptValues* into, VectorPool* pool) {
  const ElementType t = into->type;
  return units::sink([into, pool, t](Value&& v) {
    ++into->count;
    if (t.is_vector()) {
      auto x = VectorPool::view(v);
      into->reals.insert(into->reals.end(), x.begin(), x.end());
      pool->release(v);
    } else if (t.scalar == ScalarType::int64) {
      into->integers.push_back(v.integer());
    } else {
      into->reals.push_back(v.real());
    }
  });
}

std::function<Process(Context&, Receiver<Value>)> discard_sink(ElementType type, VectorPool* pool) {
  return units::sink([type, pool](Value&& v) {
    if (type.is_vector()) pool->release(v);
  });
}

namespace {

// Compares element i with the expectation; throws naming it (the count's messages are
// units::check_equal's).
struct Checker {
  ElementType type;
  Data expected;
  double abs_tolerance, rel_tolerance;
  VectorPool* pool;
  std::size_t width;
  units::detail::ExpectedCount count;

  void operator()(Value v) {
    const std::size_t i = count.next();
    if (type.scalar == ScalarType::int64) {
      if (v.integer() != expected.integers[i])
        throw std::runtime_error("element " + std::to_string(i) + ": expected " +
                                 std::to_string(expected.integers[i]) + ", got " + std::to_string(v.integer()));
    } else {
      const double* got = type.is_vector() ? VectorPool::view(v).data() : nullptr;
      for (std::size_t k = 0; k < width; ++k) {
        const double g = got ? got[k] : v.real(), e = expected.reals[i * width + k];
        if (!(std::fabs(g - e) <= abs_tolerance + rel_tolerance * std::fabs(e))) {
          if (got) pool->release(v);
          throw std::runtime_error("element " + std::to_string(i) +
                                   (type.is_vector() ? ", component " + std::to_string(k) : "") +
                                   ": expected " + number(e) + ", got " + number(g));
        }
      }
      if (got) pool->release(v);
    }
  }
  void end_of_stream() const { count.end_of_stream(); }
};

}  // namespace

std::function<Process(Context&, Receiver<Value>)> check_sink(ElementType type, Data expected,
                                                              double abs_tolerance,
                                                              double rel_tolerance, VectorPool* pool) {
  const std::size_t width = type.is_vector() ? type.dims : 1;
  const std::size_t count =
      (type.scalar == ScalarType::int64 ? expected.integers.size() : expected.reals.size()) / width;
  return units::sink(Checker{type, std::move(expected), abs_tolerance, rel_tolerance, pool, width,
                             units::detail::ExpectedCount(count)});
}

}  // namespace dfsim::graph::detail
