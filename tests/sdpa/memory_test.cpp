// Intermediate memory and minimal FIFO depths, measured by the engine: the naive graphs need
// O(N), the reordered ones O(1).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

std::uint64_t peak(const AttentionRun& r, const std::string& fifo) {
  for (const auto& f : r.fifos)
    if (f.name == fifo) return f.peak_occupancy;
  ADD_FAILURE() << "no FIFO " << fifo;
  return 0;
}

TEST(IntermediateMemory, UnitPresetUnboundedGrowsWithNOnlyForNaive) {
  // Every unit runs at one element per cycle, so an unbounded FIFO holds only what the graph
  // makes it hold: naive keeps a row of scores in `long` (naive-stable also in `max_long`).
  const std::size_t sizes[] = {16, 32, 64};
  std::map<Variant, std::vector<std::uint64_t>> mem;
  for (Variant v : all_variants())
    for (std::size_t n : sizes) {
      AttentionRun r = simulate_attention({.variant = v, .n = n, .unbounded = true}, {random_tensors(n, 1, 1)});
      ASSERT_TRUE(r.run.ok());
      mem[v].push_back(r.intermediate_memory_elements);
      EXPECT_EQ(r.intermediate_memory_bytes, 8 * r.intermediate_memory_elements);
      if (v == Variant::naive || v == Variant::naive_stable) {
        EXPECT_GE(peak(r, "long"), n);
      }
      if (v == Variant::naive_stable) {
        EXPECT_GE(peak(r, "max_long"), n);
      }
    }
  for (int i = 1; i < 3; ++i) {
    const std::uint64_t dn = sizes[i] - sizes[i - 1];
    EXPECT_EQ(mem[Variant::naive][i] - mem[Variant::naive][i - 1], dn);  // one row more
    EXPECT_EQ(mem[Variant::naive_stable][i] - mem[Variant::naive_stable][i - 1], 2 * dn);  // two
    EXPECT_EQ(mem[Variant::reordered][i], mem[Variant::reordered][0]);
    EXPECT_EQ(mem[Variant::reordered_stable][i], mem[Variant::reordered_stable][0]);
  }
  EXPECT_LT(mem[Variant::reordered_stable][0], 16u);
}

TEST(IntermediateMemory, CalibratedPresetDepthsBoundedForReordered) {
  // With the preset's (constant) depths the reordered graphs hold the same at every N.
  for (Variant v : {Variant::reordered, Variant::reordered_stable}) {
    std::uint64_t first = 0;
    for (std::size_t n : {16, 32, 64}) {
      AttentionRun r = simulate_attention({.variant = v, .n = n, .preset = Preset::spatial_calibrated},
                                          {random_tensors(n, 1, 1)});
      if (n == 16) first = r.intermediate_memory_elements;
      EXPECT_EQ(r.intermediate_memory_elements, first) << to_string(v);
    }
  }
}

TEST(MinDepths, NaiveLongGrowsAsNPlusAConstant) {
  for (Preset p : {Preset::unit, Preset::spatial_calibrated}) {
    std::int64_t c = -1;
    for (std::size_t n : {16, 32, 64}) {
      MinDepths m = find_min_depths({.variant = Variant::naive, .n = n, .preset = p}, {random_tensors(n, 1, 1)});
      const std::int64_t extra = std::int64_t(m.depth.at("long")) - std::int64_t(n);
      if (c < 0) c = extra;
      EXPECT_EQ(extra, c) << to_string(p) << " n=" << n;
      EXPECT_GE(extra, 0);
      // The search's answers work together, and the preset depth is at least the minimum.
      EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
      EXPECT_LE(m.depth.at("long"), *resolve({.variant = Variant::naive, .n = n, .preset = p}).depths.at("long"));
    }
  }
}

TEST(MinDepths, OneBelowTheMinimumIsSlowerOrDeadlocks) {
  const std::size_t n = 32;
  std::vector<Tensors> in{random_tensors(n, 1, 1)};
  AttentionConfig c{.variant = Variant::naive, .n = n, .preset = Preset::spatial_calibrated};
  MinDepths m = find_min_depths(c, in);
  AttentionConfig below = c;
  below.unbounded = true;
  below.depths["long"] = m.depth.at("long") - 1;
  AttentionRun r = simulate_attention(below, in);
  EXPECT_TRUE(!r.run.ok() || r.run.elapsed_cycles > m.unbounded_cycles);
}

TEST(MinDepths, ReorderedDepthsDoNotDependOnN) {
  for (Preset p : {Preset::unit, Preset::spatial_calibrated})
    for (Variant v : {Variant::reordered, Variant::reordered_stable}) {
      MinDepths first = find_min_depths({.variant = v, .n = 16, .preset = p}, {random_tensors(16, 1, 1)});
      for (std::size_t n : {32, 64}) {
        MinDepths m = find_min_depths({.variant = v, .n = n, .preset = p}, {random_tensors(n, 1, 1)});
        EXPECT_EQ(m.depth, first.depth) << to_string(v) << " " << to_string(p) << " n=" << n;
        EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
      }
      for (const auto& [fifo, depth] : first.depth) EXPECT_LE(depth, 12u) << fifo;
    }
}

}  // namespace
}  // namespace dfsim::sdpa
