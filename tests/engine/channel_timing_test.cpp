// docs/semantics.md, "Time", "Contexts" and "Channels" steps 2-3 and "Dequeue": when an element
// becomes visible, and how the clocks of the two ends move.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;

class ChannelTiming : public EveryExecutor {};

// Plenty of capacity: no case in this file waits for credit (that is credit_test.cpp).
constexpr ChannelOptions kRoomy{.capacity = 16};

TEST_P(ChannelTiming, ElementIsVisibleAtSendClockPlusLatency) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", kRoomy);  // L = 1
  std::vector<Cycle> sender_after_push;
  g.add("src", [&](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(5);
    co_await out.push(7);                       // t = 5: visible at 5 + L = 6
    sender_after_push.push_back(ctx.now());
  }, std::move(tx));
  std::vector<int> values;
  std::vector<Cycle> clocks;
  g.add("dst", record_pops(values, clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(7));
  EXPECT_THAT(clocks, ElementsAre(6u));  // max(0, 6)
  // Step 3: the enqueue itself does not move the sender's clock.
  EXPECT_THAT(sender_after_push, ElementsAre(5u));
  EXPECT_EQ(r.context("src").final_clock, 5u);
  EXPECT_EQ(r.context("dst").final_clock, 6u);
  EXPECT_EQ(r.context("dst").starved_cycles, 6u);  // waited from 0 to 6 for the element
  EXPECT_EQ(r.elapsed_cycles, 6u);                 // max(5, 6)
}

TEST_P(ChannelTiming, LatencyGreaterThanOne) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 16, .latency = 4});
  g.add("src", [](Context& ctx, Sender<int> out) -> Process {
    co_await out.push(0);  // t = 0: visible 0 + 4 = 4
    ctx.advance(1);
    co_await out.push(1);  // t = 1: visible 5
    ctx.advance_to(10);
    co_await out.push(2);  // t = 10: visible 14
  }, std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", record_pop_clocks<int>(clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(clocks, ElementsAre(4u, 5u, 14u));
  EXPECT_EQ(r.context("dst").starved_cycles, 14u);  // 0->4, 4->5, 5->14
  EXPECT_EQ(r.elapsed_cycles, 14u);
}

TEST_P(ChannelTiming, StampLaterThanClockPlusLatencyIsKept) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 16, .latency = 2});
  std::vector<Cycle> sender_clocks;
  g.add("src", [&](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(3);
    co_await out.push_at(0, 20);         // max(s = 20, 3 + 2 = 5) = 20
    sender_clocks.push_back(ctx.now());  // still 3
    co_await out.push(1, PipelineDepth{6});    // pipeline depth 6: 3 + max(6, 2) = 9, but FIFO behind 20
    sender_clocks.push_back(ctx.now());  // still 3
  }, std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", record_pop_clocks<int>(clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Element 0 at 20; element 1 is visible at 9 but is behind element 0 in the FIFO, so
  // the receiver, at 20 after the first pop, takes it at max(20, 9) = 20.
  EXPECT_THAT(clocks, ElementsAre(20u, 20u));
  EXPECT_THAT(sender_clocks, ElementsAre(3u, 3u));
}

TEST_P(ChannelTiming, PipelineDepthStampsClockPlusDepth) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 16, .latency = 2});
  g.add("src", [](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(3);
    co_await out.push(0, PipelineDepth{6});  // 3 + max(6, 2) = 9
    ctx.advance(1);
    co_await out.push(1, PipelineDepth{6});  // 4 + 6 = 10
    co_await out.push(2, PipelineDepth{1});  // depth below L: 4 + max(1, 2) = 6, behind 10 in the FIFO
  }, std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", record_pop_clocks<int>(clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(clocks, ElementsAre(9u, 10u, 10u));  // third: max(10, 6)
}

TEST_P(ChannelTiming, StampEarlierThanClockPlusLatencyIsIgnored) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 16, .latency = 2});
  g.add("src", [](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(3);
    co_await out.push_at(0, 4);  // max(4, 3 + 2) = 5: the stamp is too early
    ctx.advance(1);
    co_await out.push_at(1, 0);  // max(0, 4 + 2) = 6
    ctx.advance(1);
    co_await out.push_at(2, 7);  // max(7, 5 + 2) = 7: a stamp equal to t + L
  }, std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", record_pop_clocks<int>(clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(clocks, ElementsAre(5u, 6u, 7u));
}

TEST_P(ChannelTiming, DequeueDoesNotMoveALaterReceiverClock) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", kRoomy);
  g.add("src", units::memory_source(std::vector{1, 2}), std::move(tx));  // written at 0, 1: visible 1, 2
  std::vector<Cycle> clocks;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    ctx.advance(50);
    while (auto x = co_await in.pop()) clocks.push_back(ctx.now());  // max(50, 1), max(50, 2)
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(clocks, ElementsAre(50u, 50u));
  EXPECT_EQ(r.context("dst").starved_cycles, 0u);  // never waited: the elements were there
  EXPECT_EQ(r.elapsed_cycles, 50u);
}

TEST_P(ChannelTiming, StarvedCyclesAccumulate) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", kRoomy);
  g.add("src", [](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(5);
    co_await out.push(0);  // visible 6
    ctx.advance_to(9);
    co_await out.push(1);  // visible 10
  }, std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", record_pop_clocks<int>(clocks, 2), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Pop 0: 0 -> 6 (starved 6), advance 2 -> 8. Pop 1: 8 -> 10 (starved 2), advance -> 12.
  EXPECT_THAT(clocks, ElementsAre(6u, 10u));
  EXPECT_EQ(r.context("dst").starved_cycles, 8u);
  EXPECT_EQ(r.context("dst").final_clock, 12u);
  EXPECT_EQ(r.context("src").backpressured_cycles, 0u);
  EXPECT_EQ(r.context("src").starved_cycles, 0u);
}

TEST_P(ChannelTiming, ClockMovesOnlyForward) {
  Program g;
  std::vector<Cycle> clocks;
  // (One plain parameter: a body with no parameters besides the Context trips
  // -Wunused-but-set-variable inside Program::add; see the report.)
  g.add("solo", [&](Context& ctx, int) -> Process {
    clocks.push_back(ctx.now());  // 0
    ctx.advance(3);
    clocks.push_back(ctx.now());  // 3
    ctx.advance_to(2);            // earlier than now: no effect
    clocks.push_back(ctx.now());  // 3
    ctx.advance_to(10);
    clocks.push_back(ctx.now());  // 10
    ctx.advance(0);
    clocks.push_back(ctx.now());  // 10
    co_return;
  }, 0);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(clocks, ElementsAre(0u, 3u, 3u, 10u, 10u));
  EXPECT_EQ(r.context("solo").final_clock, 10u);
  EXPECT_TRUE(r.context("solo").finished);
}

TEST_P(ChannelTiming, ElapsedCyclesIsTheLargestClockReached) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", kRoomy);
  g.add("early", [](Context& ctx, Sender<int> out) -> Process {
    co_await out.push(1);  // visible 1
    ctx.advance(100);      // returns at 100
  }, std::move(tx));
  g.add("late", [](Context& ctx, Receiver<int> in) -> Process {
    co_await in.pop();  // 1
    ctx.advance(4);     // returns at 5
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.context("early").final_clock, 100u);
  EXPECT_EQ(r.context("late").final_clock, 5u);
  EXPECT_EQ(r.elapsed_cycles, 100u);  // max(100, 5): a returned context keeps its last clock
}

TEST_P(ChannelTiming, ValuesArriveInOrder) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 3, .latency = 3, .response_latency = 2});
  g.add("src", units::memory_source(iota_ints(200)), std::move(tx));
  std::vector<int> values;
  std::vector<Cycle> clocks;
  g.add("dst", record_pops(values, clocks), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values, iota_ints(200));
  EXPECT_EQ(r.channel("x").elements, 200u);
}

DFSIM_ON_EVERY_EXECUTOR(ChannelTiming);

}  // namespace
}  // namespace dfsim::test
