// Parallel lanes: the key loop in L lanes. The reordered graphs merge the lanes' partial states
// once per row by the log-sum-exp merge; the naive graphs send the row's max and sum, merged by
// trees, back to every lane. Outputs against the reference, cycles against II_max x rows x
// ceil(N/L), memory per lane independent of N (reordered) or a lane's share of a row (naive),
// and the configurations refused.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

const Variant kReordered[] = {Variant::reordered, Variant::reordered_stable};
const Variant kNaive[] = {Variant::naive, Variant::naive_stable};

// fp64: the lanes sum a row's keys in another order (L partial sums, then a merge that rescales
// each by exp(m_l - m), itself rounded), so outputs differ from one lane's by a few ulp of the
// partial sums: at most about N ulp of values below 1, far below 1e-12 for N <= 64. Masked rows
// whose lane saw only masked keys (row 0 in lanes 1..L-1) must merge without NaN. The naive
// lanes add L partial sums of the same exps (no rescaling): the same bound.
TEST(Lanes, OutputsMatchTheReference) {
  for (Variant v : all_variants())
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

// The naive lanes (one-cycle preset, unit latencies; calibrated: II_max 2, merges timed like
// the divide, latency 8). With K = ceil(N/L) keys in the busiest lane (lane 0), each lane is
// the one-lane graph on rows of K keys: row 0's lane sums leave row_sum as in one lane, K keys
// of row 0 instead of N (cycles_test.cpp: naive N^2 + N + 3, calibrated 2 N^2 + 2 N + 52;
// naive-stable N^2 + 2 N + 4, 2 N^2 + 4 N + 81: the a N term counts one row per tree before
// the divide, at the Reduces' II). On top, every tree adds one merge latency per level,
// ceil(log2 L) levels, to the path from the K memory to the sink: the sum tree (and the max
// tree) before the lanes divide, the tree of weighted sums before the sink.
TEST(Lanes, NaiveCyclesAreIIRowsKPlusARowOfKPlusTheTrees) {
  struct Case {
    unsigned lanes, levels;
  };
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : kNaive)
      for (Case c : {Case{1, 0}, Case{2, 1}, Case{3, 2}, Case{4, 2}, Case{8, 3}})
        for (std::size_t n : {40, 64}) {
          const bool cal = p == Preset::spatial_calibrated, stable = v == Variant::naive_stable;
          const std::uint64_t ii = cal ? 2 : 1, merge_latency = cal ? 8 : 1, trees = stable ? 3 : 2;
          const std::uint64_t a = (stable ? 2 : 1) * ii, b = cal ? (stable ? 81 : 52) : (stable ? 4 : 3);
          AttentionRun r = simulate_attention({.variant = v, .n = n, .preset = p, .lanes = c.lanes},
                                              {random_tensors(n, 1, 2)});
          ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
          const std::uint64_t k = (n + c.lanes - 1) / c.lanes;
          EXPECT_EQ(r.ideal_cycles, ii * n * k);
          EXPECT_EQ(r.run.elapsed_cycles, ii * n * k + a * k + b + trees * c.levels * merge_latency)
              << to_string(v) << " " << to_string(p) << " L=" << c.lanes << " n=" << n;
        }
}

// Each naive lane's long FIFOs hold its share of a row, not the row: one-cycle preset, every
// FIFO unbounded, the long FIFO of every lane peaks at K + 2 + levels (the one-lane N + 2, a
// row of K keys, plus a cycle per level of the tree the sum comes back through), so the graph's
// long FIFOs together hold L (K + 2 + levels), about N + (2 + log2 L) L: still O(N).
TEST(Lanes, NaiveLongFifosHoldALanesShareOfARow) {
  const std::size_t n = 64;
  for (Variant v : kNaive)
    for (unsigned lanes : {1u, 2u, 4u}) {
      AttentionRun r = simulate_attention({.variant = v, .n = n, .unbounded = true, .lanes = lanes},
                                          {random_tensors(n, 1, 4)});
      ASSERT_TRUE(r.run.ok());
      const std::uint64_t k = n / lanes, levels = lanes == 4 ? 2 : lanes - 1;
      unsigned long_fifos = 0;
      for (const FifoStats& f : r.fifos)
        if (role_name(f.name) == "long" || role_name(f.name) == "max_long") {
          ++long_fifos;
          EXPECT_EQ(f.peak_occupancy, k + 2 + levels) << to_string(v) << " " << f.name;
        }
      EXPECT_EQ(long_fifos, (v == Variant::naive_stable ? 2 : 1) * lanes) << to_string(v);
    }
}

// The lanes' FIFOs, by role, in graph order: --depth and the min-depth search take them.
TEST(Lanes, FifoNamesListTheLanesOwn) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(fifo_names({.variant = Variant::naive, .lanes = 2}),
            (Names{"q", "k", "v", "short", "long", "lane_sum", "sum", "p", "acc", "out"}));
  EXPECT_EQ(fifo_names({.variant = Variant::naive_stable, .lanes = 2}),
            (Names{"q", "k", "v", "max_short", "max_long", "lane_max", "max", "short", "long",
                   "lane_sum", "sum", "p", "acc", "out"}));
  EXPECT_EQ(fifo_names({.variant = Variant::reordered_stable, .lanes = 2}),
            (Names{"q", "k", "v", "scores", "lane_scores", "delta_sum", "c_sum", "delta_acc",
                   "c_acc", "max", "sum", "acc", "out"}));
  EXPECT_EQ(fifo_names({.variant = Variant::naive, .lanes = 1}), fifo_names(Variant::naive));
}

// A lane's long FIFO in the presets: its share of a row, the one-lane margin (2, or 34
// calibrated) and a merge latency per level of the tree, which the run does not exceed.
TEST(Lanes, NaivePresetDepthsHoldALanesShare) {
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated}) {
    const bool cal = p == Preset::spatial_calibrated;
    ResolvedConfig r = resolve({.variant = Variant::naive_stable, .n = 64, .preset = p, .lanes = 4});
    EXPECT_EQ(r.depths.at("long"), cal ? 16u + 34 + 2 * 8 : 16u + 2 + 2);
    EXPECT_EQ(r.depths.at("max_long"), r.depths.at("long"));
    EXPECT_EQ(r.depths.at("lane_sum"), cal ? 24u : 2u);
    EXPECT_EQ(r.units.at("merge").latency, cal ? 8u : 1u);
    AttentionRun bounded = simulate_attention({.variant = Variant::naive_stable, .n = 64, .preset = p, .lanes = 4},
                                              {random_tensors(64, 1, 3)});
    AttentionRun unbounded = simulate_attention(
        {.variant = Variant::naive_stable, .n = 64, .preset = p, .unbounded = true, .lanes = 4},
        {random_tensors(64, 1, 3)});
    EXPECT_EQ(bounded.run.elapsed_cycles, unbounded.run.elapsed_cycles) << to_string(p);
  }
}

// Skipping the masked keys in lanes: lane l streams its keys l, l + L, ... <= i of row i (one
// masked key in the rows i < l, where it has none), lane 0 the most, floor(i / L) + 1 a row:
// T0 = N + L q (q - 1) / 2 + r q keys for N = q L + r (N = 40, L = 3: 40 + 3 x 13 x 12 / 2 +
// 13 = 287; by the sum itself: rows 0..2 one key each, ..., rows 39 fourteen). The cycles are
// those of the full-row lanes above with T0 for rows x K, and the last row's K = ceil(N / L)
// keys for the naive graphs' wait: II_max T0 + a K + b + the trees, about N^2 / (2 L). Every
// FIFO unbounded, so that no lane waits for credit: at the presets' depths the lanes' rows of
// different lengths make some of them wait (1 to 4 cycles more in the runs seen; not derived).
TEST(Lanes, CausalSkipStreamsEachLanesShareOfTheTriangle) {
  struct Case {
    unsigned lanes, levels;
  };
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : all_variants())
      for (Case c : {Case{1, 0}, Case{3, 2}, Case{4, 2}})
        for (std::size_t n : {40, 64}) {
          const bool cal = p == Preset::spatial_calibrated;
          const std::uint64_t ii = cal ? 2 : 1, k = (n + c.lanes - 1) / c.lanes;
          std::uint64_t t0 = 0;
          for (std::uint64_t i = 0; i < n; ++i) t0 += i / c.lanes + 1;
          std::uint64_t excess = 0;
          if (v == Variant::naive) excess = ii * k + (cal ? 52 : 3) + 2 * c.levels * (cal ? 8 : 1);
          if (v == Variant::naive_stable) excess = 2 * ii * k + (cal ? 81 : 4) + 3 * c.levels * (cal ? 8 : 1);
          if (v == Variant::reordered) excess = (cal ? 43 : 3) + c.levels * (cal ? 21 : 1);
          if (v == Variant::reordered_stable) excess = (cal ? 46 : 4) + c.levels * (cal ? 21 : 1);
          AttentionRun r = simulate_attention(
              {.variant = v, .n = n, .preset = p, .unbounded = true, .causal = Causal::skip, .lanes = c.lanes},
              {random_tensors(n, 1, 6)});
          ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
          const std::string where = std::string(to_string(v)) + " " + std::string(to_string(p)) +
                                    " L=" + std::to_string(c.lanes) + " n=" + std::to_string(n);
          EXPECT_EQ(r.ideal_cycles, ii * t0) << where;
          EXPECT_EQ(r.run.elapsed_cycles, ii * t0 + excess) << where;
          EXPECT_LT(r.max_abs_error, 1e-12) << where;
          EXPECT_FALSE(r.non_finite) << where;
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
  EXPECT_EQ(message({.variant = Variant::naive, .n = 8, .lanes = 2}), "no exception");
  EXPECT_EQ(message({.variant = Variant::naive_stable, .n = 8, .lanes = 8}), "no exception");
  EXPECT_EQ(message({.n = 8, .lanes = 9}),
            "lanes = 9 is more than n = 8: every lane needs a key; give lanes at most n");
  EXPECT_EQ(message({.n = 8, .lanes = 0}), "lanes is 0: give at least 1");
  EXPECT_EQ(message({.n = 8, .causal = Causal::skip, .lanes = 8}), "no exception");
  EXPECT_EQ(message({.n = 8, .heads = 2, .kv_heads = 1, .lanes = 2}), "no exception");
}

}  // namespace
}  // namespace dfsim::sdpa
