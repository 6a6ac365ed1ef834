#pragma once
// One step of the online softmax (Milakov and Gimelshein, 2018) over a row of scores: the
// running max m and, for a score s, the factors the running sums need (docs/sdpa.md,
// reordered-stable): delta = exp(m_old - m_new) rescales what was summed so far, and
// c = exp(s - m_new) weighs s. One of the two is exp(0) = 1 exactly, so one exp per score
// computes both.
//
// A masked score is -inf: it weighs 0 and leaves m as it was. Rows whose first scores are
// masked (m still -inf) must not compute exp(-inf - -inf) = exp(NaN): the masked case is
// decided before any subtraction.
//
//   double m = -HUGE_VAL, l = 0;
//   for (double s : row) { auto [delta, c] = online_max_step(m, s); l = l * delta + c; }
#include <cmath>
#include <limits>
#include <utility>

namespace dfsim::sdpa {

// T: double, float, or an emulated format (Half, BFloat16), whose exp ADL finds.
template <class T>
std::pair<T, T> online_max_step(T& m, T s) {
  using std::exp;
  if (s == -std::numeric_limits<T>::infinity()) return {T(1), T(0)};
  if (s <= m) return {T(1), exp(s - m)};
  const T delta = exp(m - s);  // m = -inf: exp(-inf) = 0, nothing summed yet
  m = s;
  return {delta, T(1)};
}

}  // namespace dfsim::sdpa
