// Causal masking, both ways: `mask` (every key streamed, scores of j > i set to -inf) and
// `skip` (only keys j <= i streamed). Outputs against the masked reference, the running max on
// rows whose first scores are masked, cycles (N^2 versus N (N + 1) / 2), memory O(N) for the
// naive graphs and O(1) for the reordered ones, minimal depths.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/online_softmax.hpp"
#include "dfsim/sdpa/rounded_float.hpp"
#include "tolerance.hpp"

namespace dfsim::sdpa {
namespace {

AttentionRun causal_run(Variant v, Causal c, std::size_t n, std::size_t d = 1,
                        Preset p = Preset::one_cycle, bool unbounded = false) {
  AttentionRun r = simulate_attention(
      {.variant = v, .n = n, .d = d, .preset = p, .unbounded = unbounded, .causal = c},
      {random_tensors(n, d, n + d)});
  EXPECT_TRUE(r.run.ok()) << r.run.describe_problem();
  return r;
}

TEST(CausalReference, RowZeroIsTheFirstValueAndRowOneWeighsTwoKeys) {
  // n = 3, d = 1, s = q k. Row 0 sees key 0 only: o_0 = v_0. Row 1 (q = 1) sees k = (0, ln 3):
  // weights 1/4, 3/4; key 2 (k = 100) is masked, whatever its score.
  Tensors t{.n = 3, .d = 1, .q = {5, 1, 0}, .k = {0, std::log(3.0), 100}, .v = {2, 6, 50}};
  std::vector<double> o = reference_attention(t, true);
  EXPECT_EQ(o[0], 2.0);
  EXPECT_NEAR(o[1], 0.25 * 2 + 0.75 * 6, 1e-15);
  EXPECT_NEAR(o[2], (2 + 6 + 50) / 3.0, 1e-13);  // q = 0: equal weights over all three
  EXPECT_NE(reference_attention(t, false)[0], 2.0);
}

TEST(CausalOutputs, BothWaysMatchTheMaskedReference) {
  for (Causal c : {Causal::mask, Causal::skip})
    for (Variant v : all_variants())
      for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
        for (std::size_t d : {1, 4}) {
          const std::size_t n = 33;
          std::vector<Tensors> in{random_tensors(n, d, 7)};
          AttentionRun r = simulate_attention(
              {.variant = v, .n = n, .d = d, .preset = p, .causal = c}, in);
          ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
          ASSERT_FALSE(r.non_finite) << to_string(v) << " " << to_string(c);
          const std::vector<double> ref = reference_attention(in[0], true);
          ASSERT_EQ(r.outputs[0].size(), ref.size());
          for (std::size_t i = 0; i < ref.size(); ++i)
            ASSERT_NEAR(r.outputs[0][i], ref[i], 1e-12)
                << to_string(v) << " " << to_string(c) << " d=" << d << " output " << i;
          EXPECT_LT(r.max_abs_error, 1e-12);
          // Row 0 attends to key 0 alone: exactly v_0.
          for (std::size_t x = 0; x < d; ++x) EXPECT_EQ(r.outputs[0][x], in[0].v[x]);
        }
}

TEST(CausalOutputs, LowPrecisionWithinTheRoundingBound) {
  // A causal row i sums i + 1 <= N terms: the bound of tolerance.hpp holds as it is.
  const std::size_t n = 16, d = 4;
  std::vector<Tensors> in{random_tensors(n, d, 3)};
  for (Causal c : {Causal::mask, Causal::skip})
    for (Precision p : {Precision::fp32, Precision::fp16, Precision::bf16})
      for (Variant v : all_variants()) {
        AttentionRun r = simulate_attention({.variant = v, .n = n, .d = d, .precision = p, .causal = c}, in);
        const double u = p == Precision::fp32 ? 0x1p-24 : p == Precision::fp16 ? 0x1p-11 : 0x1p-8;
        EXPECT_LE(r.max_abs_error, testing::rounding_tolerance(n, d, u)) << to_string(v);
      }
}

TEST(CausalOutputs, BothWaysGiveTheSameValuesInFp64) {
  // The masked keys weigh exactly 0 (exp(-inf) = 0) and a sum of zeros adds nothing, so
  // masking and skipping compute the same sums in the same order.
  for (Variant v : all_variants()) {
    AttentionRun a = causal_run(v, Causal::mask, 20, 3);
    AttentionRun b = causal_run(v, Causal::skip, 20, 3);
    EXPECT_EQ(a.outputs, b.outputs) << to_string(v);
  }
}

template <class T>
void expect_masked_first_scores_are_ignored() {
  // A row whose first two scores are masked: m stays -inf and nothing is summed, with no
  // NaN from exp(-inf - -inf); then 1 and 3 as in an unmasked row.
  const T inf = std::numeric_limits<T>::infinity();
  T m = -inf, l = T(0);
  for (T s : {-inf, -inf, T(1), -inf, T(3)}) {
    auto [delta, c] = online_max_step(m, s);
    l = l * delta + c;
    ASSERT_FALSE(std::isnan(double(l)));
  }
  EXPECT_EQ(double(m), 3.0);
  // l = exp(1 - 3) + 1, each step rounded: bf16's ulp at 1 is 2^-7 = 0.008.
  EXPECT_NEAR(double(l), 1 + std::exp(-2.0), 1e-2);
}

TEST(OnlineMax, ARowWhoseFirstScoresAreMaskedHasNoNaN) {
  expect_masked_first_scores_are_ignored<double>();
  expect_masked_first_scores_are_ignored<float>();
  expect_masked_first_scores_are_ignored<Half>();
  expect_masked_first_scores_are_ignored<BFloat16>();
}

TEST(CausalCycles, MaskingCostsNothingAndTheIdealIsStillNSquared) {
  // The mask is a counter beside the QK unit: every key still streams, at the same rate.
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : all_variants())
      for (std::size_t n : {8, 33}) {
        AttentionRun masked = causal_run(v, Causal::mask, n, 1, p);
        AttentionRun full = causal_run(v, Causal::none, n, 1, p);
        EXPECT_EQ(masked.run.elapsed_cycles, full.run.elapsed_cycles) << to_string(v);
        EXPECT_EQ(masked.ideal_cycles, full.ideal_cycles);
      }
}

// Skipping streams T = N (N + 1) / 2 keys. The reordered graphs' pipeline is unchanged (the
// same latencies from the K memory to the sink, cycles_test.cpp derives them), so their excess
// over II_max T is the constant b of the full graph: unit 3 (reordered) and 4
// (reordered-stable), calibrated 43 and 46. A naive graph waits for a row's sum before it
// divides the row: one row of lag, and the last row is N keys long, so its excess is the same
// a N + b as without the mask.
TEST(CausalCycles, SkippingTakesAboutHalfTheCyclesExactly) {
  struct Excess {
    Variant v;
    std::uint64_t unit_a, unit_b, cal_a, cal_b;
  };
  const Excess table[] = {{Variant::naive, 1, 3, 2, 52},
                          {Variant::naive_stable, 2, 4, 4, 81},
                          {Variant::reordered, 0, 3, 0, 43},
                          {Variant::reordered_stable, 0, 4, 0, 46}};
  for (const Excess& e : table)
    for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
      for (std::size_t n : {8, 33, 64}) {
        const bool cal = p == Preset::spatial_calibrated;
        const std::uint64_t ii = cal ? 2 : 1, t = n * (n + 1) / 2;
        AttentionRun r = causal_run(e.v, Causal::skip, n, 1, p);
        EXPECT_EQ(r.ideal_cycles, ii * t);
        EXPECT_EQ(r.run.elapsed_cycles, ii * t + (cal ? e.cal_a : e.unit_a) * n + (cal ? e.cal_b : e.unit_b))
            << to_string(e.v) << " " << to_string(p) << " n=" << n;
      }
}

TEST(CausalMemory, NaiveGrowsWithNReorderedDoesNotBothWays) {
  // One-cycle preset, unbounded FIFOs: naive holds a row of scores in `long` (the longest row is N
  // keys, masked or skipped), naive-stable two; the reordered graphs a constant.
  for (Causal c : {Causal::mask, Causal::skip}) {
    std::map<Variant, std::vector<std::uint64_t>> mem;
    const std::size_t sizes[] = {16, 32, 64};
    for (Variant v : all_variants())
      for (std::size_t n : sizes)
        mem[v].push_back(causal_run(v, c, n, 1, Preset::one_cycle, true).intermediate_memory_elements);
    for (int i = 1; i < 3; ++i) {
      const std::uint64_t dn = sizes[i] - sizes[i - 1];
      EXPECT_EQ(mem[Variant::naive][i] - mem[Variant::naive][i - 1], dn) << to_string(c);
      EXPECT_EQ(mem[Variant::naive_stable][i] - mem[Variant::naive_stable][i - 1], 2 * dn);
      EXPECT_EQ(mem[Variant::reordered][i], mem[Variant::reordered][0]) << to_string(c);
      EXPECT_EQ(mem[Variant::reordered_stable][i], mem[Variant::reordered_stable][0]);
    }
  }
}

TEST(CausalConfig, Names) {
  for (Causal c : {Causal::none, Causal::mask, Causal::skip}) EXPECT_EQ(parse_causal(to_string(c)), c);
  EXPECT_EQ(parse_causal("triangle"), std::nullopt);
  EXPECT_EQ(keys_streamed({.n = 10}), 100u);
  EXPECT_EQ(keys_streamed({.n = 10, .causal = Causal::skip}), 55u);
}

}  // namespace
}  // namespace dfsim::sdpa
