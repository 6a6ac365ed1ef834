// Intermediate memory, measured by the engine: the naive graphs need O(N), the reordered ones
// O(1). (Minimal depths: tests/experiments/min_depth_test.cpp.)
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

}  // namespace
}  // namespace dfsim::sdpa
