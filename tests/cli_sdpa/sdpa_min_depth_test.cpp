// dfsim sdpa-min-depth: the naive long FIFO needs about N + c, the reordered FIFOs a constant.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_dfsim.hpp"

namespace dfsim::testing {
namespace {

using nlohmann::json;

json min_depths(const std::string& variant, int n, const TempDir& dir) {
  auto o = run_dfsim(
      "sdpa-min-depth --variant " + variant + " --n " + std::to_string(n) + " --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = json::parse(o.out);
  for (const char* key :
       {"min_depths", "unbounded_cycles", "cycles_with_min_depths", "ideal_cycles", "config"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["unbounded_cycles"], j["cycles_with_min_depths"]);
  return j;
}

TEST(SdpaMinDepth, NaiveLongFifoGrowsWithN) {
  TempDir dir;
  auto small = min_depths("naive", 16, dir);
  auto large = min_depths("naive", 32, dir);
  std::int64_t a = small["min_depths"]["long"], b = large["min_depths"]["long"];
  EXPECT_EQ(a, 18) << small.dump();  // N + 2 with the one-cycle preset
  EXPECT_EQ(b, 34) << large.dump();
  // N^2 + N + 3 (docs/sdpa.md, "Cycles"; tests/sdpa/cycles_test.cpp derives it), ideal N^2.
  EXPECT_EQ(small["unbounded_cycles"], 16 * 16 + 16 + 3);
  EXPECT_EQ(large["unbounded_cycles"], 32 * 32 + 32 + 3);
  EXPECT_EQ(large["ideal_cycles"], 32 * 32);
}

TEST(SdpaMinDepth, ReorderedDepthsDoNotDependOnN) {
  TempDir dir;
  auto small = min_depths("reordered-stable", 16, dir);
  auto large = min_depths("reordered-stable", 32, dir);
  EXPECT_EQ(small["min_depths"], large["min_depths"]);
  EXPECT_EQ(small["unbounded_cycles"], 16 * 16 + 4);  // N^2 + 4 (docs/sdpa.md, "Cycles")
  EXPECT_EQ(large["unbounded_cycles"], 32 * 32 + 4);
  // One-cycle preset: the score FIFO and the per-key FIFOs between units need 2, the rest 1.
  EXPECT_EQ(small["min_depths"].dump(),
            R"({"acc":1,"c_acc":2,"c_sum":2,"delta_acc":2,"delta_sum":2,"k":2,"out":1,"q":1,)"
            R"("scores":2,"sum":1,"v":2})");  // sorted by name (nlohmann::json)
}

// Every FIFO of the naive graph at N = 64 with the spatial-calibrated preset: long is N + 16
// and p is 4 (tests/sdpa/dam_fidelity_test.cpp derives both against DAM's reference), short 6.
TEST(SdpaMinDepth, NaiveExactDepthsAt64) {
  TempDir dir;
  auto o = run_dfsim(
      "sdpa-min-depth --variant naive --n 64 --preset spatial-calibrated --json", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = json::parse(o.out);
  EXPECT_EQ(j["min_depths"].dump(),
            R"({"k":1,"long":80,"out":1,"p":4,"q":1,"short":6,"sum":1,"v":1})");
  EXPECT_EQ(j["ideal_cycles"], 2 * 64 * 64);  // II_max 2
  EXPECT_EQ(j["unbounded_cycles"], 2 * 64 * 64 + 2 * 64 + 52);  // docs/sdpa.md, "Cycles"
  EXPECT_EQ(j["cycles_with_min_depths"], j["unbounded_cycles"]);
}

// Naive, N = 16, one-cycle preset: long needs N + 2 = 18 (as NaiveLongFifoGrowsWithN), k, v, short
// and p 2 (as the reordered graph's per-key FIFOs), the rest 1; the preset gives every FIFO 2
// and long N + 2. The cycles are N^2 + N + 3 = 275 (tests/sdpa/cycles_test.cpp), the ideal
// II_max x N^2 = 256.
TEST(SdpaMinDepth, TableForPeople) {
  TempDir dir;
  auto o = run_dfsim("sdpa-min-depth --variant naive --n 16", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* row : {"  q               1               2\n",
                          "  k               2               2\n",
                          "  v               2               2\n",
                          "  short           2               2\n",
                          "  long           18              18\n",
                          "  sum             1               2\n",
                          "  p               2               2\n",
                          "  out             1               2\n",
                          "  cycles, every FIFO unbounded         275\n",
                          "  cycles, every FIFO at its min depth  275 (the same)\n",
                          "  ideal cycles (II_max x keys)         256\n"})
    EXPECT_NE(o.out.find(row), std::string::npos) << row << " missing from\n" << o.out;
}

TEST(SdpaMinDepth, DepthFlagsAreNotAccepted) {
  TempDir dir;
  auto o = run_dfsim("sdpa-min-depth --variant naive --n 16 --depth long=3", dir);
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(o.err,
            "dfsim: error: The following arguments were not expected: long=3 --depth; "
            "'dfsim sdpa-min-depth --help' lists the flags\n");
}

}  // namespace
}  // namespace dfsim::testing
