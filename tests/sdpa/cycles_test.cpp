// Full throughput: cycles = II_max N^2 + O(N) for every variant, measured by the engine. The
// exact counts below are derived by hand from the step rule (docs/sdpa.md) and the presets:
// a source writes element g at g, visible at g + 1; a unit with latency P writes at its step's
// clock, visible P cycles later; the last unit of II_max runs N^2 steps back to back.
#include <gtest/gtest.h>

#include <cstdint>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

Cycle cycles(Variant v, Preset p, std::size_t n, bool unbounded = false) {
  AttentionRun r = simulate_attention({.variant = v, .n = n, .preset = p, .unbounded = unbounded},
                                      {random_tensors(n, 1, n)});
  EXPECT_TRUE(r.run.ok()) << r.run.describe_problem();
  EXPECT_EQ(r.ideal_cycles, (p == Preset::one_cycle ? 1u : 2u) * n * n);
  return r.run.elapsed_cycles;
}

// Excess over II_max N^2 as a N + b: a N is the rows a graph must wait for before it can
// divide (the row sum, and in naive-stable the row max first, each a whole row at the II of
// its Reduce); b is the pipeline: the latencies on the path from the K memory to the sink.
struct Excess {
  std::uint64_t a, b;
};

// spatial-calibrated (II_max = 2):
//  reordered-stable: k (1) + qk (11) + running_max (3): the Reduces start at 15 and run
//    2 N^2 steps; their last step is at 2 N^2 + 13; + weighted_sum 12, + divide 21 = 2 N^2 + 46.
//  reordered: k (1) + qk (11) = 12, last Reduce step at 2 N^2 + 10, + 12 + 21 = 2 N^2 + 43.
//  naive: row_sum starts at 12 and ends row 0 at 12 + 2(N - 1); l_0 is visible 23 later, the
//    divide's p 8 later (2N + 41); weighted_sum runs 2 N^2 steps from there, + 13:
//    2 N^2 + 2N + 52.
//  naive-stable: qk (1 + 11), row_max a row (2(N - 1)) + 23, exp + 8, row_sum a row
//    (2(N - 1)) + 23, divide + 8, weighted_sum 2 N^2 - 2 + 13: 2 N^2 + 4N + 81.
// unit (II_max = 1, every latency 1): the same paths with P = 1 and rows of N cycles:
//  reordered-stable N^2 + 4, reordered N^2 + 3, naive N^2 + N + 3, naive-stable N^2 + 2N + 4.
// (These hold from N = 4: below, naive's `out` FIFO of depth 2 behind latency 13 back-pressures.)
Excess excess(Variant v, Preset p) {
  const bool cal = p == Preset::spatial_calibrated;
  switch (v) {
    case Variant::naive: return cal ? Excess{2, 52} : Excess{1, 3};
    case Variant::naive_stable: return cal ? Excess{4, 81} : Excess{2, 4};
    case Variant::reordered: return cal ? Excess{0, 43} : Excess{0, 3};
    case Variant::reordered_stable: return cal ? Excess{0, 46} : Excess{0, 4};
  }
  return {};
}

TEST(Cycles, ExactlyIdealPlusTheDerivedOverhead) {
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : all_variants())
      for (std::size_t n : {8, 33, 64, 100}) {
        const std::uint64_t ii = p == Preset::one_cycle ? 1 : 2;
        const Excess e = excess(v, p);
        EXPECT_EQ(cycles(v, p, n), ii * n * n + e.a * n + e.b)
            << to_string(v) << " " << to_string(p) << " n=" << n;
      }
}

TEST(Cycles, WithinIdealPlusCTimesN) {
  // From the formulas: excess = a N + b <= (a + b / 8) N for N >= 8, so c = 4 + 81 / 8 < 15
  // covers every variant and preset; the reordered ones stay constant instead.
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : all_variants())
      for (std::size_t n : {8, 40, 96}) {
        AttentionRun r = simulate_attention({.variant = v, .n = n, .preset = p}, {random_tensors(n, 1, 1)});
        ASSERT_TRUE(r.run.ok());
        ASSERT_GE(r.run.elapsed_cycles, r.ideal_cycles);
        EXPECT_LE(r.run.elapsed_cycles - r.ideal_cycles, 15 * n) << to_string(v);
        if (v == Variant::reordered || v == Variant::reordered_stable) {
          EXPECT_LE(r.run.elapsed_cycles - r.ideal_cycles, 50u) << to_string(v);
        }
        EXPECT_GT(r.throughput, n >= 96 ? 0.95 : 0.5);
        EXPECT_DOUBLE_EQ(r.throughput, double(r.ideal_cycles) / double(r.run.elapsed_cycles));
      }
}

TEST(Cycles, ReorderedWithConstantDepthFifosTakesExactlyTheUnboundedCycles) {
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : {Variant::reordered, Variant::reordered_stable})
      for (std::size_t n : {8, 33, 64, 128})
        EXPECT_EQ(cycles(v, p, n), cycles(v, p, n, /*unbounded=*/true))
            << to_string(v) << " " << to_string(p) << " n=" << n;
}

TEST(Cycles, NaiveAtItsPresetDepthsAlsoMatchesUnbounded) {
  // The presets' long FIFOs (N + 2, N + 34) are deep enough for full throughput.
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : {Variant::naive, Variant::naive_stable})
      for (std::size_t n : {8, 64})
        EXPECT_EQ(cycles(v, p, n), cycles(v, p, n, /*unbounded=*/true)) << to_string(v);
}

TEST(Cycles, DoNotDependOnDOrPrecision) {
  // The hardware model times elements, not arithmetic: a d-vector moves as one element.
  for (Variant v : all_variants()) {
    Cycle base = cycles(v, Preset::spatial_calibrated, 16);
    AttentionRun r = simulate_attention(
        {.variant = v, .n = 16, .d = 8, .precision = Precision::fp32, .preset = Preset::spatial_calibrated},
        {random_tensors(16, 8, 1)});
    EXPECT_EQ(r.run.elapsed_cycles, base) << to_string(v);
  }
}

TEST(Cycles, ASlowerUnitOverrideSetsTheIdeal) {
  AttentionRun r = simulate_attention(
      {.variant = Variant::reordered_stable, .n = 32, .unit_timing = {{"running_max", {.initiation_interval = 3}}}},
      {random_tensors(32, 1, 1)});
  ASSERT_TRUE(r.run.ok());
  EXPECT_EQ(r.ideal_cycles, 3u * 32 * 32);
  EXPECT_GE(r.run.elapsed_cycles, r.ideal_cycles);
  EXPECT_LE(r.run.elapsed_cycles - r.ideal_cycles, 10u);
}

TEST(Cycles, APerRowDelayCostsItOncePerRow) {
  // A per-row delay D on the weighted-sum Reduce, which sets the pace: + D for every row but
  // the first, whose delay (cycles 0 to 3) passes while its first inputs are on their way
  // (visible at 3: k, qk, running_max, each latency 1). (N - 1) D more: still O(N).
  const std::size_t n = 32;
  Cycle base = cycles(Variant::reordered_stable, Preset::one_cycle, n, true);
  AttentionRun r = simulate_attention({.variant = Variant::reordered_stable, .n = n,
                                       .unit_timing = {{"weighted_sum", {.per_row_delay = 3}}},
                                       .unbounded = true},
                                      {random_tensors(n, 1, 1)});
  ASSERT_TRUE(r.run.ok());
  EXPECT_EQ(r.run.elapsed_cycles, base + 3 * (n - 1));
}

}  // namespace
}  // namespace dfsim::sdpa
