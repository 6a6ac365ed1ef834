// The reduction tree: its shape, its closed-form sums and its timing, under every executor.
#include "dfsim/workloads/reduction_tree.hpp"
#include "dfsim/units.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace dfsim::workloads {
namespace {

struct Executor {
  std::string name;
  RunOptions options;
};
void PrintTo(const Executor& e, std::ostream* os) { *os << e.name; }

class ReductionTree : public ::testing::TestWithParam<Executor> {
 protected:
  RunResult run_tree(const ReductionTreeOptions& o) const {
    Program g;
    build_reduction_tree(g, o);
    return run(g, GetParam().options);
  }
};

TEST(ReductionTreeShape, ClosedFormsAndDepth) {
  EXPECT_EQ(tree_depth(1), 0u);
  EXPECT_EQ(tree_depth(2), 1u);
  EXPECT_EQ(tree_depth(5), 3u);
  EXPECT_EQ(tree_depth(1024), 10u);
  // Leaves 1..4 weighted by i + 1 = 3: 3 * (1 + 2 + 3 + 4).
  EXPECT_EQ(tree_expected_sum(4, 2), 30);
  EXPECT_TRUE(tree_sums_fit(1024, 1'000'000'000));
  EXPECT_FALSE(tree_sums_fit(std::uint64_t{1} << 20, std::uint64_t{1} << 40));
}

TEST(ReductionTreeShape, NamesLevelsAndIndices) {
  Program g;
  build_reduction_tree(g, {.leaves = 5, .elements = 3});
  // 5 leaves, 2 + 1 + 1 adders (leaf4 passes up two levels), the sink.
  EXPECT_EQ(g.context_count(), 5u + 4u + 1u);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.context("add.1.1").finished, true);
  EXPECT_EQ(r.channel("c.0.4").receiver, "add.3.0");
  EXPECT_EQ(r.channel("c.2.0").receiver, "add.3.0");
  EXPECT_EQ(r.channel("c.3.0").receiver, "sink");
  EXPECT_EQ(r.channel("c.0.3").sender, "leaf3");
}

TEST(ReductionTreeShape, RejectsSumsBeyond64Bits) {
  Program g;
  EXPECT_THROW(build_reduction_tree(g, {.leaves = 1 << 20, .elements = std::uint64_t{1} << 40}),
               std::invalid_argument);
}

// Capacity 2 runs at one element per cycle (docs/semantics.md): leaves push value i at cycle i,
// visible at i + 1; the adder at level d pops it at i + d and emits it visible at i + d + 1;
// the sink pops the last sum (i = T - 1) at T - 1 + D + 1 = T + D, and the root adder ends
// at the same cycle after its advance. Everything else ends earlier.
TEST_P(ReductionTree, FullThroughputAtCapacityTwo) {
  const std::uint64_t T = 200;
  RunResult r = run_tree({.leaves = 1024, .elements = T, .capacity = 2});
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.elapsed_cycles, T + 10);
  EXPECT_EQ(r.context("sink").final_clock, T + 10);
  EXPECT_EQ(r.context("add.10.0").final_clock, T + 10);
  EXPECT_EQ(r.context("leaf0").final_clock, T);
  EXPECT_EQ(r.channels.size(), 2u * 1024 - 1);
  for (const auto& ch : r.channels) EXPECT_EQ(ch.elements, T) << ch.name;
  EXPECT_EQ(r.transfers(), T * (2 * 1024 - 1));
}

// Capacity 1 halves the rate: a slot freed by the dequeue at t (response latency 1) takes
// the next write at t + 1, visible at t + 2. Leaves push i at 2i, the adder at level d pops
// it at 2i + d, the sink at 2i + D + 1: the last sum at 2(T - 1) + D + 1 = 2T + D - 1.
TEST_P(ReductionTree, HalfThroughputAtCapacityOne) {
  const std::uint64_t T = 50;
  RunResult r = run_tree({.leaves = 64, .elements = T, .capacity = 1});
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.elapsed_cycles, 2 * T + 6 - 1);
  for (const auto& ch : r.channels) EXPECT_EQ(ch.peak_occupancy, 1u) << ch.name;
}

TEST_P(ReductionTree, OddLeafCountsAndUnboundedChannels) {
  for (std::uint64_t leaves : {1, 3, 7, 100}) {
    RunResult r = run_tree({.leaves = leaves, .elements = 40, .capacity = unbounded});
    ASSERT_TRUE(r.ok()) << leaves << " leaves: " << r.describe_problem();
    EXPECT_EQ(r.elapsed_cycles, 40 + tree_depth(leaves)) << leaves << " leaves";
  }
}

// Every executor gives the same result, statistic for statistic.
TEST_P(ReductionTree, SameResultAsSequential) {
  const ReductionTreeOptions o{.leaves = 256, .elements = 300, .capacity = 3};
  Program reference;
  build_reduction_tree(reference, o);
  RunResult want = run(reference);
  RunResult got = run_tree(o);
  ASSERT_TRUE(got.ok()) << got.describe_problem();
  EXPECT_EQ(got.elapsed_cycles, want.elapsed_cycles);
  ASSERT_EQ(got.contexts.size(), want.contexts.size());
  for (std::size_t i = 0; i < want.contexts.size(); ++i) {
    EXPECT_EQ(got.contexts[i].final_clock, want.contexts[i].final_clock) << want.contexts[i].name;
    EXPECT_EQ(got.contexts[i].starved_cycles, want.contexts[i].starved_cycles);
    EXPECT_EQ(got.contexts[i].backpressured_cycles, want.contexts[i].backpressured_cycles);
  }
  ASSERT_EQ(got.channels.size(), want.channels.size());
  for (std::size_t i = 0; i < want.channels.size(); ++i) {
    EXPECT_EQ(got.channels[i].elements, want.channels[i].elements) << want.channels[i].name;
    EXPECT_EQ(got.channels[i].peak_occupancy, want.channels[i].peak_occupancy);
  }
}

// A wrong sum is caught by the sink and names it.
TEST(ReductionTreeCheck, WrongSumFailsTheRun) {
  Program g;
  auto [a_out, a_in] = g.channel<std::int64_t>("a");
  g.add("src", units::memory_source(std::vector<std::int64_t>{3, 6, 10}), std::move(a_out));
  g.add("sink", tree_checker(2, 3), std::move(a_in));  // expects 3, 6, 9
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "sink");
  EXPECT_NE(r.failure->message.find("sum 2: expected 9, got 10"), std::string::npos)
      << r.failure->message;
}

INSTANTIATE_TEST_SUITE_P(
    Executors, ReductionTree,
    ::testing::Values(Executor{"sequential", {.threads = 1}},
                      Executor{"threads2_automatic", {.threads = 2}},
                      Executor{"threads2_round_robin",
                               {.threads = 2, .placement = Placement::round_robin}},
                      Executor{"threads3_round_robin",
                               {.threads = 3, .placement = Placement::round_robin}}),
    [](const ::testing::TestParamInfo<Executor>& info) { return info.param.name; });

}  // namespace
}  // namespace dfsim::workloads
