#pragma once
// The worst-case rounding error of attention computed in a floating-point format of unit
// roundoff u (2^-53 fp64, 2^-24 fp32, 2^-11 fp16, 2^-8 bf16), relative to max |V|, for inputs
// in [-1, 1). Scores: Q and K are rounded to the format (2u) and the d-term dot product and
// the scaling add (d + 1) rounding errors on terms bounded by |q_x k_x| <= 1, so
// |ds| <= (d + 3) u sqrt(d) (the sum is at most d, times 1/sqrt(d)). A weight exp(s - m) / l
// inherits up to 2|ds| from s and m, about 2u from exp and the divide, and (N - 1) u from the
// N-term row sum (the online Reduce rescales as well, another N u). The weighted sum adds up
// to (N + 1) u on terms whose weights sum to 1. Total, linearly (first order in u, a worst
// case; typical errors are 10 to 100x smaller):
//   |o - ref| <= (4 (d + 3) sqrt(d) + 3 N + 8) u max|V|.
#include <cmath>
#include <cstddef>

namespace dfsim::sdpa::testing {

inline double rounding_tolerance(std::size_t n, std::size_t d, double u) {
  return (4.0 * (d + 3) * std::sqrt(double(d)) + 3.0 * n + 8) * u;
}

}  // namespace dfsim::sdpa::testing
