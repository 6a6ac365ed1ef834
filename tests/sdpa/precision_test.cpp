// fp16 and bf16: the emulated number types against independent roundings (GCC's _Float16,
// and bfloat16's round-to-nearest-even on a float's bits), then attention computed in them
// against the double-precision reference, and the overflow of exp past ln(65504) in fp16.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/rounded_float.hpp"
#include "tolerance.hpp"

namespace dfsim::sdpa {
namespace {

// bfloat16 is a float's top 16 bits: round to nearest even by adding 0x7fff plus the lowest
// kept bit, then truncating (a carry into the exponent is the correct rounding up, to inf
// past the largest value).
float bf16_by_bits(float x) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  u += 0x7fffu + ((u >> 16) & 1u);
  return std::bit_cast<float>(u & 0xffff0000u);
}

// Floats spread over every binade the formats have, subnormals and overflow included.
std::vector<float> probe_floats() {
  std::vector<float> xs;
  std::uint64_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const float mantissa = 1.0f + float(state >> 41) * 0x1p-23f;  // 23 random bits
    const int exponent = int((state >> 20) % 300) - 150;
    const float x = std::ldexp(mantissa, exponent);
    xs.push_back((state >> 10) & 1 ? -x : x);
  }
  return xs;
}

TEST(RoundedFloat, Fp16RoundsAsGccsFloat16) {
  for (float x : probe_floats()) {
    const double expected = double(static_cast<_Float16>(x));
    const double got = double(Half(x));
    if (std::isinf(expected)) {
      EXPECT_EQ(got, expected) << x;
    } else {
      ASSERT_EQ(got, expected) << "x = " << x;
    }
  }
}

TEST(RoundedFloat, Bf16RoundsAsTheBitTrick) {
  for (float x : probe_floats()) ASSERT_EQ(double(BFloat16(x)), double(bf16_by_bits(x))) << x;
}

TEST(RoundedFloat, EveryOperationIsRoundedToTheFormat) {
  // Against _Float16 arithmetic (which GCC rounds to half after every operation).
  std::uint64_t state = 7;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return std::ldexp(double(state >> 11), -53) * 8 - 4;  // [-4, 4)
  };
  for (int i = 0; i < 20000; ++i) {
    const _Float16 a = static_cast<_Float16>(next()), b = static_cast<_Float16>(next());
    const Half x = double(a), y = double(b);
    ASSERT_EQ(double(x + y), double(_Float16(a + b)));
    ASSERT_EQ(double(x - y), double(_Float16(a - b)));
    ASSERT_EQ(double(x * y), double(_Float16(a * b)));
    if (b != 0) {
      ASSERT_EQ(double(x / y), double(_Float16(a / b)));
    }
  }
}

TEST(RoundedFloat, TiesToEvenOverflowAndSubnormals) {
  EXPECT_EQ(double(Half(1.0) + Half(0x1p-11)), 1.0);  // a tie: to the even neighbour
  EXPECT_EQ(double(Half(1.0 + 0x1p-10) + Half(0x1p-11)), 1.0 + 0x1p-9);
  EXPECT_EQ(double(Half(65519.0)), 65504.0);          // below the midpoint to 2^16
  EXPECT_TRUE(std::isinf(double(Half(65520.0))));     // the midpoint: ties to even = 2^16
  EXPECT_EQ(double(Half(0x1p-24)), 0x1p-24);           // the smallest subnormal
  EXPECT_EQ(double(Half(0x1p-26)), 0.0);
  EXPECT_EQ(double(BFloat16(1.0 + 0x1p-8)), 1.0);
  EXPECT_EQ(double(BFloat16(1.0 + 0x1p-7)), 1.0 + 0x1p-7);
  EXPECT_EQ(double(std::numeric_limits<Half>::max()), 65504.0);
  EXPECT_TRUE(std::isinf(double(-std::numeric_limits<BFloat16>::infinity())));
  // exp overflows in fp16 between 11.08 and 11.10 (ln 65520 = 11.0898).
  EXPECT_TRUE(std::isfinite(double(exp(Half(11.08)))));
  EXPECT_TRUE(std::isinf(double(exp(Half(11.1)))));
  EXPECT_NEAR(std::log(largest_finite(Precision::fp16)), 11.0898, 1e-4);
  EXPECT_EQ(scalar_bytes(Precision::bf16), 2u);
}

double largest_magnitude(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m = std::max(m, std::fabs(v));
  return m;
}

double unit_roundoff(Precision p) { return p == Precision::fp16 ? 0x1p-11 : 0x1p-8; }

class LowPrecision : public ::testing::TestWithParam<Precision> {};

// The rounding bound of tolerance.hpp with u = 2^-11 (fp16: 11 significand bits) or 2^-8
// (bf16: 8). N and d are small enough for the first-order bound to mean something (for bf16 at
// N = 16, d = 4: 0.44 max|V|, at N = 64 it would exceed max|V|, which no output can).
TEST_P(LowPrecision, EveryVariantWithinTheRoundingBound) {
  const Precision p = GetParam();
  const double u = unit_roundoff(p);
  for (Variant v : all_variants())
    for (std::size_t d : {1, 4})
      for (std::uint64_t seed : {1, 2}) {
        const std::size_t n = 16;
        std::vector<Tensors> in{random_tensors(n, d, seed)};
        AttentionRun r = simulate_attention({.variant = v, .n = n, .d = d, .precision = p}, in);
        ASSERT_TRUE(r.run.ok());
        ASSERT_FALSE(r.non_finite) << to_string(v);
        const double bound = testing::rounding_tolerance(n, d, u) * largest_magnitude(in[0].v);
        EXPECT_LE(r.max_abs_error, bound) << to_string(v) << " d=" << d;
        // Rounded to the format, not computed in double: errors of the order of u.
        EXPECT_GT(r.max_abs_error, u / 64) << to_string(v) << " d=" << d;
      }
}

TEST_P(LowPrecision, CostsNoCyclesAndTwoBytesAScalar) {
  // Arithmetic changes values, not timing; the FIFOs hold 2-byte scalars.
  std::vector<Tensors> in{random_tensors(32, 2, 1)};
  for (Variant v : all_variants()) {
    AttentionConfig c{.variant = v, .n = 32, .d = 2, .preset = Preset::spatial_calibrated};
    AttentionRun wide = simulate_attention(c, in);
    c.precision = GetParam();
    AttentionRun narrow = simulate_attention(c, in);
    EXPECT_EQ(narrow.run.elapsed_cycles, wide.run.elapsed_cycles) << to_string(v);
    EXPECT_EQ(narrow.intermediate_memory_elements, wide.intermediate_memory_elements);
    EXPECT_EQ(4 * narrow.intermediate_memory_bytes, wide.intermediate_memory_bytes);
  }
}

// Every operation in the format, in the graph's order (docs/sdpa.md, graph 1), at d = 1, where
// the emulated formats stream vectors of one element: the same sums written out in Rounded.
template <class R>
void expect_naive_in_the_format(Precision p) {
  const Tensors t{.n = 3, .d = 1, .q = {0.7, -1.3, 2.1}, .k = {0.9, 0.35, -0.6},
                  .v = {0.25, -0.8, 0.55}};
  AttentionRun r = simulate_attention({.variant = Variant::naive, .n = 3, .precision = p}, {t});
  ASSERT_TRUE(r.run.ok());
  for (std::size_t i = 0; i < 3; ++i) {
    R e[3];
    R l = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      e[j] = exp(R(0) + R(t.q[i]) * R(t.k[j]));  // the dot product starts from 0; 1/sqrt(1) = 1
      l += e[j];
    }
    R o = 0;
    for (std::size_t j = 0; j < 3; ++j) o += e[j] / l * R(t.v[j]);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(r.outputs[0][i]), std::bit_cast<std::uint64_t>(double(o)))
        << to_string(p) << " row " << i << ": " << r.outputs[0][i] << " against " << double(o);
  }
}

TEST(LowPrecisionValues, NaiveAtDOneRoundsEveryOperationInTheFormat) {
  expect_naive_in_the_format<Half>(Precision::fp16);
  expect_naive_in_the_format<BFloat16>(Precision::bf16);
}

INSTANTIATE_TEST_SUITE_P(Formats, LowPrecision, ::testing::Values(Precision::fp16, Precision::bf16),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// One key per row decides it: s = q k with q = 1. In fp16 the score itself is rounded
// (11.08 -> 11.078125, 11.1 -> 11.1015625): exp is 64,865 (finite) and 66,171 (past 65,504).
AttentionRun one_score(Variant v, double s) {
  Tensors t{.n = 1, .d = 1, .q = {1.0}, .k = {s}, .v = {0.5}};
  return simulate_attention({.variant = v, .n = 1, .precision = Precision::fp16}, {t});
}

TEST(Fp16Overflow, TheUnstableVariantsOverflowJustAboveLn65504) {
  for (Variant v : {Variant::naive, Variant::reordered}) {
    EXPECT_FALSE(one_score(v, 11.08).non_finite) << to_string(v);
    AttentionRun r = one_score(v, 11.1);
    EXPECT_TRUE(r.non_finite) << to_string(v);
    EXPECT_TRUE(std::isinf(r.max_abs_error));
  }
  for (Variant v : {Variant::naive_stable, Variant::reordered_stable}) {
    AttentionRun r = one_score(v, 11.1);
    EXPECT_FALSE(r.non_finite) << to_string(v);
    EXPECT_EQ(r.outputs[0][0], 0.5);  // one weight of exactly 1
  }
}

TEST(Fp16Overflow, RandomScoresUpToSixteen) {
  // Scale 4, d = 1: scores up to 16, exp up to 8.9e6 > 65504. The stable variants subtract
  // the (running) max, so no exp exceeds 1 and no sum exceeds N.
  const std::size_t n = 32;
  std::vector<Tensors> in{random_tensors(n, 1, 1, 4.0)};
  for (Variant v : all_variants()) {
    AttentionRun r = simulate_attention({.variant = v, .n = n, .precision = Precision::fp16}, in);
    const bool stable = v == Variant::naive_stable || v == Variant::reordered_stable;
    EXPECT_EQ(r.non_finite, !stable) << to_string(v);
    // Scores 16 times those of inputs in [-1, 1) make the bound's score terms 16 times larger:
    // 16 times the whole bound, times max|V| <= 4, bounds the error.
    if (stable) {
      EXPECT_LE(r.max_abs_error, 16 * testing::rounding_tolerance(n, 1, 0x1p-11) * 4);
    }
    // fp32 computes the same inputs without overflow.
    EXPECT_FALSE(
        simulate_attention({.variant = v, .n = n, .precision = Precision::fp32}, in).non_finite);
  }
}

}  // namespace
}  // namespace dfsim::sdpa
