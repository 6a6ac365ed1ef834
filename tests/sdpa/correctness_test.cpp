// Outputs of every variant against the double-precision reference, on random Q, K and V
// (random, not constant: V = 1 would hide a weighting bug), several N, d and seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

#include "dfsim/sdpa/attention.hpp"
#include "tolerance.hpp"

namespace dfsim::sdpa {
namespace {

double max_abs(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m = std::max(m, std::fabs(v));
  return m;
}

// Every output is a convex combination of rows of V, so max |V| is the scale of the outputs;
// errors are measured relative to it (a single output can be near 0 by cancellation, where
// an element-wise relative error means nothing).
void expect_matches_reference(const AttentionRun& r, const std::vector<Tensors>& inputs,
                              double relative_tolerance) {
  ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
  ASSERT_FALSE(r.non_finite);
  ASSERT_EQ(r.outputs.size(), inputs.size());
  double worst = 0;
  for (std::size_t h = 0; h < inputs.size(); ++h) {
    const std::vector<double> ref = reference_attention(inputs[h]);
    ASSERT_EQ(r.outputs[h].size(), ref.size());
    const double tol = relative_tolerance * max_abs(inputs[h].v);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      ASSERT_NEAR(r.outputs[h][i], ref[i], tol) << "head " << h << ", output " << i / inputs[h].d
                                                << ", component " << i % inputs[h].d;
      worst = std::max(worst, std::fabs(r.outputs[h][i] - ref[i]));
    }
  }
  EXPECT_DOUBLE_EQ(r.max_abs_error, worst);
}

// fp32: u = 2^-24 (tolerance.hpp derives the bound).
double fp32_tolerance(std::size_t n, std::size_t d) {
  return testing::rounding_tolerance(n, d, std::ldexp(1.0, -24));
}

using Case = std::tuple<Variant, std::size_t /*n*/, std::size_t /*d*/, std::uint64_t /*seed*/>;

class Correctness : public ::testing::TestWithParam<Case> {};

TEST_P(Correctness, Fp64MatchesTheReferenceTo1e9) {
  auto [variant, n, d, seed] = GetParam();
  for (Preset preset : {Preset::one_cycle, Preset::spatial_calibrated}) {
    AttentionConfig c{.variant = variant, .n = n, .d = d, .preset = preset};
    std::vector<Tensors> in{random_tensors(n, d, seed)};
    expect_matches_reference(simulate_attention(c, in), in, 1e-9);
  }
}

TEST_P(Correctness, Fp32MatchesTheReferenceWithinTheRoundingBound) {
  auto [variant, n, d, seed] = GetParam();
  AttentionConfig c{.variant = variant, .n = n, .d = d, .precision = Precision::fp32};
  std::vector<Tensors> in{random_tensors(n, d, seed)};
  AttentionRun r = simulate_attention(c, in);
  expect_matches_reference(r, in, fp32_tolerance(n, d));
  // It is float arithmetic, not double in disguise.
  EXPECT_GT(r.max_abs_error, 1e-12);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  auto [variant, n, d, seed] = info.param;
  std::string v(to_string(variant));
  std::replace(v.begin(), v.end(), '-', '_');
  return v + "_n" + std::to_string(n) + "_d" + std::to_string(d) + "_seed" + std::to_string(seed);
}

INSTANTIATE_TEST_SUITE_P(AllVariants, Correctness,
                         ::testing::Combine(::testing::ValuesIn(all_variants()),
                                            ::testing::Values(8, 33, 64), ::testing::Values(1, 4, 16),
                                            ::testing::Values(1, 2)),
                         case_name);

TEST(Correctness, UnboundedAndExplicitDepthsGiveTheSameValues) {
  std::vector<Tensors> in{random_tensors(24, 4, 5)};
  for (Variant v : all_variants()) {
    AttentionRun a = simulate_attention({.variant = v, .n = 24, .d = 4, .unbounded = true}, in);
    AttentionRun b = simulate_attention({.variant = v, .n = 24, .d = 4}, in);
    ASSERT_TRUE(a.run.ok() && b.run.ok());
    EXPECT_EQ(a.outputs, b.outputs) << to_string(v);
  }
}

TEST(Correctness, SeveralHeadsEachMatchTheirOwnReference) {
  std::vector<Tensors> in{random_tensors(16, 4, 1), random_tensors(16, 4, 2), random_tensors(16, 4, 3)};
  for (Variant v : all_variants()) {
    AttentionConfig c{.variant = v, .n = 16, .d = 4, .preset = Preset::spatial_calibrated, .heads = 3};
    AttentionRun r = simulate_attention(c, in);
    expect_matches_reference(r, in, 1e-9);
    // Heads are independent graphs running side by side: as fast as one head.
    AttentionRun one = simulate_attention({.variant = v, .n = 16, .d = 4, .preset = Preset::spatial_calibrated},
                                          {in[0]});
    EXPECT_EQ(r.run.elapsed_cycles, one.run.elapsed_cycles);
    EXPECT_EQ(r.intermediate_memory_elements, 3 * one.intermediate_memory_elements);
  }
}

TEST(Correctness, TheSameUnderTheParallelExecutor) {
  std::vector<Tensors> in{random_tensors(16, 2, 1), random_tensors(16, 2, 2)};
  for (Variant v : all_variants()) {
    AttentionConfig c{.variant = v, .n = 16, .d = 2, .preset = Preset::spatial_calibrated, .heads = 2};
    AttentionRun seq = simulate_attention(c, in);
    AttentionRun par = simulate_attention(c, in, {.threads = 2});
    ASSERT_TRUE(par.run.ok()) << par.run.describe_problem();
    EXPECT_EQ(par.outputs, seq.outputs);
    EXPECT_EQ(par.run.elapsed_cycles, seq.run.elapsed_cycles);
    EXPECT_EQ(par.intermediate_memory_elements, seq.intermediate_memory_elements);
  }
}

TEST(Reference, SmallCaseByHand) {
  // n = 2, d = 1: s = q k. Row 0 (q = 0): weights 1/2, 1/2 -> (v0 + v1) / 2.
  // Row 1 (q = 1, k = 0, ln 3): weights 1/4, 3/4.
  Tensors t{.n = 2, .d = 1, .q = {0, 1}, .k = {0, std::log(3.0)}, .v = {2, 6}};
  std::vector<double> o = reference_attention(t);
  EXPECT_DOUBLE_EQ(o[0], 4.0);
  EXPECT_NEAR(o[1], 0.25 * 2 + 0.75 * 6, 1e-15);
}

TEST(Reference, ScalesScoresBySqrtD) {
  // d = 4: s = q . k / 2. q = (1,1,1,1), k0 = 0, k1 = (ln 3 / 2) * (1,1,1,1): s1 = ln 3.
  const double a = std::log(3.0) / 2;
  Tensors t{.n = 2, .d = 4, .q = {1, 1, 1, 1, 1, 1, 1, 1}, .k = {0, 0, 0, 0, a, a, a, a},
            .v = {2, 0, 0, 0, 6, 0, 0, 0}};
  std::vector<double> o = reference_attention(t);
  EXPECT_NEAR(o[0], 0.25 * 2 + 0.75 * 6, 1e-14);
}

TEST(RandomTensors, DeterministicUniformInRange) {
  Tensors a = random_tensors(8, 3, 42, 2.0), b = random_tensors(8, 3, 42, 2.0);
  EXPECT_EQ(a.q, b.q);
  EXPECT_EQ(a.v, b.v);
  EXPECT_NE(a.q, random_tensors(8, 3, 43, 2.0).q);
  EXPECT_NE(a.q, a.k);
  for (const auto* m : {&a.q, &a.k, &a.v}) {
    ASSERT_EQ(m->size(), 24u);
    for (double x : *m) {
      EXPECT_GE(x, -2.0);
      EXPECT_LT(x, 2.0);
    }
  }
}

}  // namespace
}  // namespace dfsim::sdpa
