// The work estimates behind the long-run note count what a run moves: the elements through
// every channel, as the run itself reports them.
#include <gtest/gtest.h>

#include <cstdint>

#include "dfsim/workloads/pipeline.hpp"
#include "dfsim/workloads/reduction_tree.hpp"

namespace dfsim::workloads {
namespace {

double channel_elements(const RunResult& r) {
  double sum = 0;
  for (const auto& ch : r.channels) sum += static_cast<double>(ch.elements);
  return sum;
}

TEST(WorkEstimate, PipelineCountsEveryChannel) {
  PipelineOptions o{.elements = 1000, .stages = 7, .capacity = 2};
  Program g;
  build_pipeline(g, o);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(pipeline_work(o).elements, channel_elements(r));
}

TEST(WorkEstimate, TreeCountsEveryChannelOfAnOddTree) {
  ReductionTreeOptions o{.leaves = 13, .elements = 100, .capacity = 1};
  Program g;
  build_reduction_tree(g, o);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(tree_work(o).elements, channel_elements(r));
}

// Capacity 1 (every element a switch of contexts) and unbounded channels were the slowest.
TEST(WorkEstimate, SlowChannelsAreEstimatedSlower) {
  EXPECT_LT(pipeline_work({.capacity = 1}).elements_per_second,
            pipeline_work({.capacity = 8}).elements_per_second);
  EXPECT_LT(pipeline_work({.capacity = std::nullopt}).elements_per_second,
            pipeline_work({.capacity = 8}).elements_per_second);
  EXPECT_LT(tree_work({.capacity = 1}).elements_per_second,
            tree_work({.capacity = 2}).elements_per_second);
}

// The case: a pipeline of T = 10^10 through 9 channels is hours, not seconds.
TEST(WorkEstimate, BillionsOfElementsAreMinutesOrMore) {
  EXPECT_GT(pipeline_work({.elements = 10'000'000'000, .stages = 8}).seconds(), 60.0);
  EXPECT_LT(pipeline_work({.elements = 1'000'000, .stages = 8}).seconds(), 1.0);
}

}  // namespace
}  // namespace dfsim::workloads
