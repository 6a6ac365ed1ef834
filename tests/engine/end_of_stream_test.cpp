// docs/semantics.md, "End of stream: when a sender returns, its channels close. A receiver's
// dequeue on a closed, empty channel reports end of stream (not a crash, not a hang)."
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

class EndOfStream : public EveryExecutor {};

// What a receiver saw: each value, or -1 for end of stream, with the clock after the call.
struct Log {
  std::vector<int> values;
  std::vector<Cycle> clocks;
};

TEST_P(EndOfStream, NulloptAfterTheLastElement) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", units::memory_source(std::vector{4, 5, 6}), std::move(tx));  // visible 1, 2, 3
  Log log;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    for (int i = 0; i < 5; ++i) {  // two calls more than there are elements
      auto v = co_await in.pop();
      log.values.push_back(v ? *v : -1);
      log.clocks.push_back(ctx.now());
    }
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(log.values, ElementsAre(4, 5, 6, -1, -1));
  // The engine's reading of an open point of docs/semantics.md: end of stream does not move the
  // receiver's clock (the sender returned at 3, but that time is not the element's).
  EXPECT_THAT(log.clocks, ElementsAre(1u, 2u, 3u, 3u, 3u));
  EXPECT_TRUE(r.context("dst").finished);
}

TEST_P(EndOfStream, SenderThatSendsNothing) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", [](Context& ctx, Sender<int>) -> Process {
    ctx.advance(7);
    co_return;
  }, std::move(tx));
  Log log;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    auto v = co_await in.pop();
    log.values.push_back(v ? *v : -1);
    log.clocks.push_back(ctx.now());
    const int* p = co_await in.peek();
    log.values.push_back(p ? *p : -1);
    log.clocks.push_back(ctx.now());
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(log.values, ElementsAre(-1, -1));
  EXPECT_THAT(log.clocks, ElementsAre(0u, 0u));
  EXPECT_EQ(r.channel("x").elements, 0u);
  EXPECT_EQ(r.channel("x").peak_occupancy, 0u);
  EXPECT_EQ(r.elapsed_cycles, 7u);
}

// The receiver runs first and waits on the empty channel; the sender returns without
// sending. The receiver must wake up with end of stream.
TEST_P(EndOfStream, WakesAReceiverAlreadyWaiting) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  auto [gate_tx, gate_rx] = g.channel<int>("gate");
  Log log;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    auto v = co_await in.pop();
    log.values.push_back(v ? *v : -1);
    log.clocks.push_back(ctx.now());
  }, std::move(rx));
  // The sender returns only after a gate element, so the receiver is certainly blocked.
  g.add("src", [](Context&, Receiver<int> gate, Sender<int>) -> Process {
    co_await gate.pop();
  }, std::move(gate_rx), std::move(tx));
  g.add("gate", units::memory_source(std::vector{1}), std::move(gate_tx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(log.values, ElementsAre(-1));
  EXPECT_THAT(log.clocks, ElementsAre(0u));
}

// Elements written before the sender returned are all delivered before end of stream, even
// when they are visible long after it returned.
TEST_P(EndOfStream, ElementsInFlightAreDeliveredFirst) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 4, .latency = 1});
  g.add("src", [](Context&, Sender<int> out) -> Process {
    co_await out.push(1, PipelineDepth{100});  // visible 100
    co_await out.push(2, PipelineDepth{200});  // visible 200
  }, std::move(tx));  // returns at 0
  Log log;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    while (true) {
      auto v = co_await in.pop();
      log.values.push_back(v ? *v : -1);
      log.clocks.push_back(ctx.now());
      if (!v) break;
    }
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(log.values, ElementsAre(1, 2, -1));
  EXPECT_THAT(log.clocks, ElementsAre(100u, 200u, 200u));
  EXPECT_EQ(r.context("src").final_clock, 0u);
  EXPECT_EQ(r.elapsed_cycles, 200u);
}

// Every output of a returning context closes, also ones it never wrote.
TEST_P(EndOfStream, EveryOutputCloses) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  g.add("src", [](Context&, Sender<int> a, Sender<int>) -> Process {
    co_await a.push(1);
  }, std::move(a_tx), std::move(b_tx));
  std::vector<int> got_a, got_b;
  g.add("dst_a", units::collect(got_a), std::move(a_rx));
  g.add("dst_b", units::collect(got_b), std::move(b_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(got_a, ElementsAre(1));
  EXPECT_TRUE(got_b.empty());
}

DFSIM_ON_EVERY_EXECUTOR(EndOfStream);

}  // namespace
}  // namespace dfsim::test
