// Parallel lanes: the reordered graphs' key loop in L lanes, merged once per row by the
// log-sum-exp merge. Outputs against the reference, cycles against II_max x rows x ceil(N/L),
// memory per lane independent of N, and the configurations refused.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

const Variant kReordered[] = {Variant::reordered, Variant::reordered_stable};

// fp64: the lanes sum a row's keys in another order (L partial sums, then a merge that rescales
// each by exp(m_l - m), itself rounded), so outputs differ from one lane's by a few ulp of the
// partial sums: at most about N ulp of values below 1, far below 1e-12 for N <= 64. Masked rows
// whose lane saw only masked keys (row 0 in lanes 1..L-1) must merge without NaN.
TEST(Lanes, OutputsMatchTheReference) {
  for (Variant v : kReordered)
    for (unsigned lanes : {2u, 3u, 4u})
      for (std::size_t d : {1, 3})
        for (Causal c : {Causal::none, Causal::mask}) {
          const std::size_t n = 29;
          AttentionRun r = simulate_attention(
              {.variant = v, .n = n, .d = d, .causal = c, .lanes = lanes}, {random_tensors(n, d, 5)});
          ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
          ASSERT_EQ(r.outputs[0].size(), n * d);
          EXPECT_FALSE(r.non_finite);
          EXPECT_LT(r.max_abs_error, 1e-12) << to_string(v) << " L=" << lanes << " d=" << d;
        }
}

TEST(Lanes, DecodeRowsSplitTheCacheAcrossLanes) {
  const std::size_t n = 64;
  AttentionRun r = simulate_attention(
      {.variant = Variant::reordered_stable, .n = n, .decode_rows = 1, .lanes = 4},
      {random_tensors(n, 1, 3, 1.0, 1)});
  ASSERT_TRUE(r.run.ok());
  EXPECT_LT(r.max_abs_error, 1e-12);
  EXPECT_EQ(r.ideal_cycles, 16u);
}

// Every lane takes a key per cycle, so a row of N keys takes ceil(N/L) cycles; the lanes run in
// step and each row's merges pipeline behind the next row's keys. What one lane adds at the end
// (3 cycles for reordered, 4 for reordered-stable: cycles_test.cpp) grows by one merge's
// latency per level of the tree, ceil(log2 L) levels: latency 1 in the one-cycle preset, 21 in the
// calibrated one (the merge is timed like the divide), where the II is 2.
TEST(Lanes, CyclesAreIIRowsCeilNOverLPlusTheMergeTree) {
  struct Case {
    unsigned lanes, levels;
  };
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : kReordered)
      for (Case c : {Case{1, 0}, Case{2, 1}, Case{3, 2}, Case{4, 2}, Case{8, 3}})
        for (std::size_t n : {40, 64}) {
          const bool cal = p == Preset::spatial_calibrated;
          const std::uint64_t ii = cal ? 2 : 1, merge_latency = cal ? 21 : 1;
          const std::uint64_t tail = v == Variant::reordered ? (cal ? 43 : 3) : (cal ? 46 : 4);
          AttentionRun r = simulate_attention({.variant = v, .n = n, .preset = p, .lanes = c.lanes},
                                              {random_tensors(n, 1, 2)});
          ASSERT_TRUE(r.run.ok());
          const std::uint64_t per_lane = (n + c.lanes - 1) / c.lanes;
          EXPECT_EQ(r.ideal_cycles, ii * n * per_lane);
          EXPECT_EQ(r.run.elapsed_cycles, ii * n * per_lane + tail + merge_latency * c.levels)
              << to_string(v) << " " << to_string(p) << " L=" << c.lanes << " n=" << n;
        }
}

// One-cycle preset, every FIFO of depth 2. The per-key FIFOs peak at 2, the per-row ones at 1 (the
// one-lane graph's 6 and 12, cycles_test.cpp). reordered: a lane's e_sum, e_acc (2 each), sum,
// acc (1 each) = 6; each of the L - 1 merges writes sum and acc = 2: 8 L - 2. reordered-stable:
// a lane's 12 plus lane_scores (2) and max (1) = 15; a merge writes max, sum and acc = 3, the
// root no max = 2: 15 L + 3 (L - 2) + 2 = 18 L - 4. Independent of N.
TEST(Lanes, MemoryPerLaneIsConstant) {
  for (Variant v : kReordered)
    for (unsigned lanes : {2u, 4u, 8u}) {
      std::uint64_t mem[2];
      int i = 0;
      for (std::size_t n : {64, 256}) {
        AttentionRun r = simulate_attention({.variant = v, .n = n, .lanes = lanes}, {random_tensors(n, 1, 4)});
        ASSERT_TRUE(r.run.ok());
        mem[i++] = r.intermediate_memory_elements;
      }
      EXPECT_EQ(mem[0], mem[1]) << to_string(v) << " L=" << lanes;
      EXPECT_EQ(mem[0], v == Variant::reordered ? 8 * lanes - 2 : 18 * lanes - 4) << to_string(v);
    }
}

TEST(Lanes, RefusedWhereNotModelled) {
  auto message = [](AttentionConfig c) {
    try {
      resolve(c);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message({.variant = Variant::naive, .n = 8, .lanes = 2}),
            "lanes = 2 needs a reordered graph: the naive ones divide by the whole row's sum "
            "before the weighted sum, so their lanes cannot merge partial states; give --variant "
            "reordered or reordered-stable, or lanes = 1");
  EXPECT_EQ(message({.n = 8, .lanes = 9}),
            "lanes = 9 is more than n = 8: every lane needs a key; give lanes at most n");
  EXPECT_EQ(message({.n = 8, .lanes = 0}), "lanes is 0: give at least 1");
  EXPECT_NE(message({.n = 8, .causal = Causal::skip, .lanes = 2}), "no exception");
  EXPECT_NE(message({.n = 8, .heads = 2, .kv_heads = 1, .lanes = 2}), "no exception");
}

}  // namespace
}  // namespace dfsim::sdpa
