// RunOptions::cycle_limit: a run whose clock passes the limit stops with
// RunStatus::cycle_limit, under every executor alike; a run that ends by the limit, or
// deadlocks before it, is unaffected.
#include <gtest/gtest.h>

#include "dfsim/engine.hpp"
#include "executors.hpp"

namespace dfsim::test {
namespace {

class CycleLimit : public EveryExecutor {
 protected:
  RunResult run_with_limit(Program& g, Cycle limit) const {
    RunOptions options = GetParam().options;
    options.cycle_limit = limit;
    return dfsim::run(g, options);
  }
};

// A producer pushes 0..99, one per cycle (advance(1) after each push), into a FIFO of depth 2
// and latency 1; the consumer pops as soon as each is visible. Element i is pushed at cycle i,
// visible at i + 1, popped then (the consumer frees each slot at once, so the producer never
// waits): the consumer ends at cycle 100, the producer at 100 (after its last advance).
void pipeline(Program& g) {
  auto [tx, rx] = g.channel<int>("x", {.capacity = 2});
  g.add("producer", [](Context& ctx, Sender<int> out) -> Process {
    for (int i = 0; i < 100; ++i) {
      co_await out.push(i);
      ctx.advance(1);
    }
  }, std::move(tx));
  g.add("consumer", [](Context&, Receiver<int> in) -> Process {
    for (int i = 0; i < 100; ++i) co_await in.pop();
  }, std::move(rx));
}

TEST_P(CycleLimit, ARunThatEndsAtTheLimitCompletes) {
  Program g;
  pipeline(g);
  RunResult r = run_with_limit(g, 100);
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_EQ(r.elapsed_cycles, 100u);
}

TEST_P(CycleLimit, ARunThatNeedsMoreStopsPastTheLimit) {
  Program g;
  pipeline(g);
  RunResult r = run_with_limit(g, 99);
  EXPECT_EQ(r.status, RunStatus::cycle_limit);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.deadlock.has_value());
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_GT(r.elapsed_cycles, 99u);
  EXPECT_EQ(r.describe_problem(), "stopped at the cycle limit: a context's clock reached " +
                                      std::to_string(r.elapsed_cycles) +
                                      ", past RunOptions::cycle_limit");
  EXPECT_STREQ(to_string(r.status), "cycle_limit");
}

// With depth 2 the producer blocks every few elements, so a low limit stops the run long
// before its end: that is what makes a limited probe cheap.
TEST_P(CycleLimit, ALowLimitStopsEarly) {
  Program g;
  pipeline(g);
  RunResult r = run_with_limit(g, 10);
  EXPECT_EQ(r.status, RunStatus::cycle_limit);
  EXPECT_GT(r.elapsed_cycles, 10u);
  EXPECT_LT(r.elapsed_cycles, 100u);
}

// The two wait for each other at cycles 3 and 7: the deadlock comes first, far below the limit.
TEST_P(CycleLimit, ADeadlockBeforeTheLimitIsADeadlock) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  g.add("A", [](Context& ctx, Receiver<int> y, Sender<int> x) -> Process {
    ctx.advance(3);
    auto v = co_await y.pop();
    co_await x.push(*v);
  }, std::move(y_rx), std::move(x_tx));
  g.add("B", [](Context& ctx, Receiver<int> x, Sender<int> y) -> Process {
    ctx.advance(7);
    auto v = co_await x.pop();
    co_await y.push(*v);
  }, std::move(x_rx), std::move(y_tx));
  RunResult r = run_with_limit(g, 1000);
  EXPECT_EQ(r.status, RunStatus::deadlock);
  EXPECT_EQ(r.elapsed_cycles, 7u);
}

DFSIM_ON_EVERY_EXECUTOR(CycleLimit);

// RunOptions::stop_when_stuck. A and B wait for each other from cycles 3 and 7; C waits on A
// too; meanwhile a producer pushes `elements` into an unbounded channel that only C reads,
// one a cycle. Without the option the producer runs to its end before the stall is seen.
RunResult run_stuck_beside_a_producer(std::uint64_t elements, bool stop_when_stuck) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [z_tx, z_rx] = g.channel<std::uint64_t>("z", {.capacity = std::nullopt});
  g.add("A", [](Context& ctx, Receiver<int> y, Sender<int> x, Sender<int> a) -> Process {
    ctx.advance(3);
    auto v = co_await y.pop();
    co_await x.push(*v);
    co_await a.push(*v);
  }, std::move(y_rx), std::move(x_tx), std::move(a_tx));
  g.add("B", [](Context& ctx, Receiver<int> x, Sender<int> y) -> Process {
    ctx.advance(7);
    auto v = co_await x.pop();
    co_await y.push(*v);
  }, std::move(x_rx), std::move(y_tx));
  g.add("C", [elements](Context&, Receiver<int> a, Receiver<std::uint64_t> z) -> Process {
    co_await a.pop();
    for (std::uint64_t i = 0; i < elements; ++i) co_await z.pop();
  }, std::move(a_rx), std::move(z_rx));
  g.add("producer", [elements](Context& ctx, Sender<std::uint64_t> z) -> Process {
    for (std::uint64_t i = 0; i < elements; ++i) {
      co_await z.push(i);
      ctx.advance(1);
    }
  }, std::move(z_tx));
  return dfsim::run(g, {.stop_when_stuck = stop_when_stuck});
}

TEST(StopWhenStuck, ACycleOfWaitsStopsTheRunWhileOthersCouldStillRun) {
  constexpr std::uint64_t kElements = 1'200'000;
  RunResult full = run_stuck_beside_a_producer(kElements, false);
  EXPECT_EQ(full.status, RunStatus::deadlock);
  EXPECT_EQ(full.elapsed_cycles, kElements);  // the producer's last advance
  RunResult early = run_stuck_beside_a_producer(kElements, true);
  EXPECT_EQ(early.status, RunStatus::deadlock);
  ASSERT_TRUE(early.deadlock.has_value());
  // Checked every 4,096 resumes; the producer yields once per 256 elements ahead of C
  // (kUnboundedPace), so it stops within about 4,096 x 256 = 1,048,576 elements.
  EXPECT_LE(early.elapsed_cycles, 4096u * 256u + 256u);
  EXPECT_GT(early.elapsed_cycles, 7u);
}

TEST(StopWhenStuck, ARunThatCompletesIsTheSame) {
  Program with, without;
  auto build = [](Program& g) {
    auto [tx, rx] = g.channel<std::uint64_t>("x", {.capacity = 2});
    g.add("producer", [](Context& ctx, Sender<std::uint64_t> out) -> Process {
      for (std::uint64_t i = 0; i < 100'000; ++i) {
        co_await out.push(i);
        ctx.advance(1);
      }
    }, std::move(tx));
    g.add("consumer", [](Context& ctx, Receiver<std::uint64_t> in) -> Process {
      for (std::uint64_t i = 0; i < 100'000; ++i) {
        co_await in.pop();
        ctx.advance(2);  // half the producer's rate: the FIFO fills and the producer waits
      }
    }, std::move(rx));
  };
  build(with);
  build(without);
  RunResult a = dfsim::run(with, {.stop_when_stuck = true});
  RunResult b = dfsim::run(without);
  EXPECT_EQ(a.status, RunStatus::completed);
  EXPECT_EQ(a.elapsed_cycles, b.elapsed_cycles);
  // Element i is popped at 1 + 2i (visible by then: the producer, waiting for the slot
  // freed at 1 + 2(i - 2), pushes it at 2i - 2); the last at 199,999, then advance(2).
  EXPECT_EQ(a.elapsed_cycles, 200'001u);
}

}  // namespace
}  // namespace dfsim::test
