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
#include <tuple>
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

// The log-sum-exp merge of two lanes' partial states (split-K, flash-decoding): a lane that
// saw the keys of a row with max m_a holds l_a = sum exp(s - m_a) and acc_a likewise; over
// both lanes' keys m = max(m_a, m_b) and the factors rescale each lane's sums to it. A lane
// whose keys were all masked has m = -inf and weighs exp(-inf) = 0; when both have, nothing is
// rescaled (no exp(-inf - -inf)).
//
//   auto [m, sa, sb] = merge_factors(m_a, m_b);  l = l_a * sa + l_b * sb;
template <class T>
std::tuple<T, T, T> merge_factors(T m_a, T m_b) {
  using std::exp;
  const T m = m_a < m_b ? m_b : m_a;
  if (m == -std::numeric_limits<T>::infinity()) return {m, T(1), T(1)};
  // The larger one's factor is exp(0) = 1 exactly.
  return {m, m_a == m ? T(1) : exp(m_a - m), m_b == m ? T(1) : exp(m_b - m)};
}

}  // namespace dfsim::sdpa
