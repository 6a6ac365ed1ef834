// Without a running max, exp overflows where the scores are large; the outputs become inf or
// NaN and the run says so. The stable variants compute the same inputs correctly.
#include <gtest/gtest.h>

#include <cmath>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

bool has_score_above(const Tensors& t, double limit) {
  for (std::size_t i = 0; i < t.n; ++i)
    for (std::size_t j = 0; j < t.n; ++j) {
      double s = 0;
      for (std::size_t x = 0; x < t.d; ++x) s += t.q[i * t.d + x] * t.k[j * t.d + x];
      if (s / std::sqrt(double(t.d)) > limit) return true;
    }
  return false;
}

TEST(Overflow, Fp64ScoresAbove709) {
  // Scale 30, d = 1: s = q k reaches 900 > 709.78 = ln(DBL_MAX).
  const std::size_t n = 64;
  std::vector<Tensors> in{random_tensors(n, 1, 1, 30.0)};
  ASSERT_TRUE(has_score_above(in[0], 709.8));
  for (Variant v : all_variants()) {
    AttentionRun r = simulate_attention({.variant = v, .n = n}, in);
    ASSERT_TRUE(r.run.ok());
    const bool stable = v == Variant::naive_stable || v == Variant::reordered_stable;
    EXPECT_EQ(r.non_finite, !stable) << to_string(v);
    if (stable) {
      EXPECT_LT(r.max_abs_error, 1e-9 * 30) << to_string(v);
    } else {
      EXPECT_TRUE(std::isinf(r.max_abs_error)) << to_string(v);
    }
  }
}

TEST(Overflow, Fp32OverflowsSoonerThanFp64) {
  // Scale 10: s up to 100, above ln(FLT_MAX) = 88.72 but far below 709.
  const std::size_t n = 64;
  std::vector<Tensors> in{random_tensors(n, 1, 3, 10.0)};
  ASSERT_TRUE(has_score_above(in[0], 88.8));
  EXPECT_FALSE(simulate_attention({.variant = Variant::reordered, .n = n}, in).non_finite);
  EXPECT_TRUE(
      simulate_attention({.variant = Variant::reordered, .n = n, .precision = Precision::fp32}, in).non_finite);
  AttentionRun stable =
      simulate_attention({.variant = Variant::reordered_stable, .n = n, .precision = Precision::fp32}, in);
  EXPECT_FALSE(stable.non_finite);
  EXPECT_LT(stable.max_abs_error, 1e-4 * 10);
}

TEST(Overflow, ModerateScoresDoNotOverflow) {
  std::vector<Tensors> in{random_tensors(32, 1, 1, 5.0)};
  for (Variant v : all_variants()) EXPECT_FALSE(simulate_attention({.variant = v, .n = 32}, in).non_finite);
}

}  // namespace
}  // namespace dfsim::sdpa
