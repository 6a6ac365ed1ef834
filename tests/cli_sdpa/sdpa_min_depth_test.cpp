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
  EXPECT_EQ(b - a, 16) << small.dump() << large.dump();  // N + c
  EXPECT_GE(a, 16);
}

TEST(SdpaMinDepth, ReorderedDepthsDoNotDependOnN) {
  TempDir dir;
  auto small = min_depths("reordered-stable", 16, dir);
  auto large = min_depths("reordered-stable", 32, dir);
  EXPECT_EQ(small["min_depths"], large["min_depths"]);
}

TEST(SdpaMinDepth, TableForPeople) {
  TempDir dir;
  auto o = run_dfsim("sdpa-min-depth --variant naive --n 16", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* part :
       {"min depth", "preset depth", "long", "every FIFO unbounded", "at its min depth"})
    EXPECT_NE(o.out.find(part), std::string::npos) << part << " missing from\n" << o.out;
}

TEST(SdpaMinDepth, DepthFlagsAreNotAccepted) {
  TempDir dir;
  auto o = run_dfsim("sdpa-min-depth --variant naive --n 16 --depth long=3", dir);
  EXPECT_EQ(o.status, 2) << o.err;
}

}  // namespace
}  // namespace dfsim::testing
