// The ready-made contexts of dfsim/units.hpp, as the engine tests use them. Sources and sinks, checkers whose failures name the
// element, and broadcast (an atomic fan-out, one element per cycle).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Utility : public EveryExecutor {};

TEST_P(Utility, SourceOfSendsInOrderAtItsInterval) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 8});
  g.add("src", units::memory_source(std::vector{7, 8, 9}, {.timing = {.initiation_interval = 4}}), std::move(tx));  // written 0, 4, 8
  std::vector<int> values;
  std::vector<Cycle> clocks;
  g.add("dst", record_pops(values, clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(7, 8, 9));
  EXPECT_THAT(clocks, ElementsAre(1u, 5u, 9u));    // + L
  EXPECT_EQ(r.context("src").final_clock, 12u);    // 8 + 4
}

TEST_P(Utility, SourceFromCallsTheFunctionPerIndex) {
  Program g;
  auto [tx, rx] = g.channel<std::int64_t>("x");
  g.add("src", units::index_source(5, [](std::uint64_t i) { return static_cast<std::int64_t>(i * i); }),
        std::move(tx));  // one per cycle
  std::vector<std::int64_t> values;
  std::vector<Cycle> clocks;
  g.add("dst", record_pops(values, clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(0, 1, 4, 9, 16));
  EXPECT_THAT(clocks, ElementsAre(1u, 2u, 3u, 4u, 5u));
}

TEST_P(Utility, CollectIntoAndDiscard) {
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  g.add("src_a", units::memory_source(std::vector{0.5, 1.5}), std::move(a_tx));
  g.add("src_b", units::memory_source(iota_ints(37)), std::move(b_tx));
  std::vector<double> collected;
  std::uint64_t count = 0;
  g.add("collect", units::collect(collected), std::move(a_rx));
  g.add("discard", units::discard<int>(&count), std::move(b_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(collected, ElementsAre(0.5, 1.5));
  EXPECT_EQ(count, 37u);
  EXPECT_EQ(r.channel("b").elements, 37u);
}

// Runs units::memory_source(sent) into `checker` and returns the run.
template <class T, class Checker>
RunResult check(const EveryExecutor& fixture, std::vector<T> sent, Checker checker) {
  Program g;
  auto [tx, rx] = g.channel<T>("x");
  g.add("src", units::memory_source(std::move(sent)), std::move(tx));
  g.add("check", std::move(checker), std::move(rx));
  return dfsim::run(g, fixture.GetParam().options);
}

TEST_P(Utility, CheckEqualPasses) {
  RunResult r = check(*this, std::vector{1, 2, 3}, units::check_equal(std::vector{1, 2, 3}));
  EXPECT_TRUE(r.ok()) << r.describe_problem();
}

TEST_P(Utility, CheckEqualNamesTheFirstWrongElement) {
  RunResult r = check(*this, std::vector{1, 2, 4, 5}, units::check_equal(std::vector{1, 2, 3, 5}));
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "check");
  EXPECT_EQ(r.failure->message, "element 2: expected 3, got 4");
  EXPECT_EQ(r.failure->clock, 3u);  // element 2 was written at 2, popped at 3
}

TEST_P(Utility, CheckEqualShortAndLongStreams) {
  RunResult shorter = check(*this, std::vector{1, 2}, units::check_equal(std::vector{1, 2, 3}));
  ASSERT_EQ(shorter.status, RunStatus::failed);
  EXPECT_EQ(shorter.failure->message, "stream ended after 2 of 3 expected elements");
  RunResult longer = check(*this, std::vector{1, 2, 3, 4}, units::check_equal(std::vector{1, 2, 3}));
  ASSERT_EQ(longer.status, RunStatus::failed);
  EXPECT_THAT(longer.failure->message, HasSubstr("more than the 3 expected"));
}

TEST_P(Utility, CheckNearWithinTolerance) {
  // |1.05 - 1| = 0.05 <= 0.01 + 0.1 * 1; |10.5 - 10| = 0.5 <= 0.01 + 0.1 * 10.
  RunResult r = check(*this, std::vector{1.05, 10.5}, units::check_near(std::vector{1.0, 10.0}, 0.01, 0.1));
  EXPECT_TRUE(r.ok()) << r.describe_problem();
}

TEST_P(Utility, CheckNearNamesTheElementAndTheDifference) {
  RunResult r = check(*this, std::vector{1.0, 2.0, 3.5}, units::check_near(std::vector{1.0, 2.0, 3.0}, 0.1));
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "check");
  EXPECT_THAT(r.failure->message, HasSubstr("element 2: expected 3, got 3.5"));
  EXPECT_THAT(r.failure->message, HasSubstr("difference 0.5"));
}

TEST_P(Utility, CheckNearRejectsNaN) {
  RunResult r = check(*this, std::vector<double>{1.0, std::nan("")}, units::check_near(std::vector{1.0, 2.0}, 1e9));
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_THAT(r.failure->message, HasSubstr("element 1"));
}

TEST_P(Utility, CheckNearOnVectorElements) {
  using Row = std::vector<double>;
  RunResult ok = check(*this, std::vector<Row>{{1, 2}, {3, 4}},
                       units::check_near(std::vector<Row>{{1, 2}, {3, 4.001}}, 0.01));
  EXPECT_TRUE(ok.ok()) << ok.describe_problem();
  RunResult bad = check(*this, std::vector<Row>{{1, 2}, {3, 5}},
                        units::check_near(std::vector<Row>{{1, 2}, {3, 4}}, 0.01));
  ASSERT_EQ(bad.status, RunStatus::failed);
  EXPECT_THAT(bad.failure->message, HasSubstr("element 1: expected [3, 4], got [3, 5]"));
}

// broadcast: pops element k, waits for credit on every output, writes it to all, advances 1.
// Source writes k at k (visible k + 1); broadcast pops it at k + 1, writes at k + 1 (visible
// k + 2): the sinks (no advance) pop it at k + 2 and free at k + 3, when the broadcast writes
// element k + 2: with C = 2 it never waits. Last sink pop: (T - 1) + 2 = T + 1.
TEST_P(Utility, BroadcastCopiesEveryElementToEveryOutput) {
  constexpr int T = 20;
  Program g;
  auto [in_tx, in_rx] = g.channel<int>("in");
  std::vector<Sender<int>> outs;
  std::vector<Receiver<int>> ins;
  for (int i = 0; i < 3; ++i) {
    auto [tx, rx] = g.channel<int>("out" + std::to_string(i));
    outs.push_back(std::move(tx));
    ins.push_back(std::move(rx));
  }
  g.add("src", units::memory_source(iota_ints(T)), std::move(in_tx));
  g.add("bcast", units::broadcast<int>(), std::move(in_rx), std::move(outs));
  std::vector<std::vector<int>> values(3);
  std::vector<std::vector<Cycle>> clocks(3);
  for (std::size_t i = 0; i < 3; ++i)
    g.add("sink" + std::to_string(i), record_pops(values[i], clocks[i]), std::move(ins[i]));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(values[i], iota_ints(T));
    for (std::size_t k = 0; k < T; ++k) EXPECT_EQ(clocks[i][k], k + 2);
  }
  EXPECT_EQ(r.context("bcast").backpressured_cycles, 0u);
  EXPECT_EQ(r.context("bcast").final_clock, T + 1u);  // pops T-1 at T, advances to T + 1
  EXPECT_EQ(r.elapsed_cycles, T + 1u);
}

// broadcast with one slow output: the fast ones wait too (atomic).
TEST_P(Utility, BroadcastIsHeldBackByItsSlowestOutput) {
  Program g;
  auto [in_tx, in_rx] = g.channel<int>("in");
  auto [f_tx, f_rx] = g.channel<int>("fast", {.capacity = 1});
  auto [s_tx, s_rx] = g.channel<int>("slow", {.capacity = 1});
  std::vector<Sender<int>> outs;
  outs.push_back(std::move(f_tx));
  outs.push_back(std::move(s_tx));
  g.add("src", units::memory_source(iota_ints(3)), std::move(in_tx));
  g.add("bcast", units::broadcast<int>(), std::move(in_rx), std::move(outs));
  std::vector<Cycle> fast, slow;
  g.add("fast_sink", record_pop_clocks<int>(fast), std::move(f_rx));
  g.add("slow_sink", record_pop_clocks<int>(slow, 10), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // bcast pops e0 at 1, writes at 1 (v2), clock 2. Sinks pop e0 at 2 (f 3); slow then at 12.
  // e1: popped at 2, credit max(2, 3, 3) = 3, v4, clock 4. fast pops at 4 (f 5);
  //     slow at max(12, 4) = 12 (f 13), then 22.
  // e2: popped at 4, credit max(4, 5, 13) = 13, v14. fast pops at 14; slow at max(22, 14) = 22.
  EXPECT_THAT(fast, ElementsAre(2u, 4u, 14u));
  EXPECT_THAT(slow, ElementsAre(2u, 12u, 22u));
}

DFSIM_ON_EVERY_EXECUTOR(Utility);

}  // namespace
}  // namespace dfsim::test
