// docs/semantics.md, "Deadlock": a simulated deadlock is a normal outcome. The engine detects
// it, never hangs, and reports every blocked context: its clock, the operation and channel
// it waits on, whether that channel is full or empty, and the context at the other end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class Deadlock : public EveryExecutor {};

const BlockedContext& blocked(const RunResult& r, const std::string& context) {
  for (const auto& b : r.deadlock->blocked)
    if (b.context == context) return b;
  throw std::out_of_range("'" + context + "' is not in the deadlock report");
}

std::vector<std::string> blocked_names(const RunResult& r) {
  std::vector<std::string> names;
  for (const auto& b : r.deadlock->blocked) names.push_back(b.context);
  return names;
}

TEST_P(Deadlock, TwoContextsWaitingOnEachOther) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  g.add("A", [](Context& ctx, Receiver<int> y, Sender<int> x) -> Process {
    ctx.advance(3);
    auto v = co_await y.pop();  // waits for B, which waits for A
    co_await x.push(*v);
  }, std::move(y_rx), std::move(x_tx));
  g.add("B", [](Context& ctx, Receiver<int> x, Sender<int> y) -> Process {
    ctx.advance(7);
    auto v = co_await x.pop();
    co_await y.push(*v);
  }, std::move(x_rx), std::move(y_tx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  ASSERT_TRUE(r.deadlock.has_value());
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_THAT(blocked_names(r), ::testing::ElementsAre("A", "B"));
  const BlockedContext& a = blocked(r, "A");
  EXPECT_EQ(a.clock, 3u);
  EXPECT_EQ(a.operation, "dequeue");
  EXPECT_EQ(a.channel, "y");
  EXPECT_EQ(a.channel_state, "empty");
  EXPECT_EQ(a.other_end, "B");
  EXPECT_FALSE(a.other_end_finished);
  const BlockedContext& b = blocked(r, "B");
  EXPECT_EQ(b.clock, 7u);
  EXPECT_EQ(b.operation, "dequeue");
  EXPECT_EQ(b.channel, "x");
  EXPECT_EQ(b.channel_state, "empty");
  EXPECT_EQ(b.other_end, "A");
  EXPECT_EQ(r.elapsed_cycles, 7u);
  EXPECT_EQ(r.context("A").final_clock, 3u);
  EXPECT_FALSE(r.context("A").finished);
  EXPECT_FALSE(r.context("B").finished);
  // For people: one line per blocked context, by name.
  std::string text = r.describe_problem();
  EXPECT_THAT(text, HasSubstr("deadlock"));
  EXPECT_THAT(text, HasSubstr("A at cycle 3: dequeue from 'y' (empty), sender 'B'"));
  EXPECT_THAT(text, HasSubstr("B at cycle 7: dequeue from 'x' (empty), sender 'A'"));
}

// A producer writes a and b alternately, N = 5 of each (no advance: all at cycle 0 unless
// back-pressured). The consumer reads all of a before any of b. b must hold what the
// producer writes to it while the consumer is still reading a.
struct ShallowFifo {
  Program g;
  static constexpr int N = 5;
  explicit ShallowFifo(std::uint64_t b_capacity) {
    auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 8});
    auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = b_capacity});
    g.add("producer", [](Context&, Sender<int> a, Sender<int> b) -> Process {
      for (int i = 0; i < N; ++i) {
        co_await a.push(i);
        co_await b.push(i);
      }
    }, std::move(a_tx), std::move(b_tx));
    g.add("consumer", [](Context&, Receiver<int> a, Receiver<int> b) -> Process {
      for (int i = 0; i < N; ++i) co_await a.pop();
      for (int i = 0; i < N; ++i) co_await b.pop();
    }, std::move(a_rx), std::move(b_rx));
  }
};

TEST_P(Deadlock, FifoTooShallowForThePattern) {
  // b capacity 3: the producer writes a0 b0 a1 b1 a2 b2 a3 and then needs b's slot freed by
  // the dequeue of b0, which comes after a4, which comes after b3: stuck at cycle 0. The
  // consumer took a0..a3 at cycle 1 (visible 0 + 1) and waits for a4.
  ShallowFifo f(3);
  RunResult r = run(f.g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  ASSERT_EQ(r.deadlock->blocked.size(), 2u);
  const BlockedContext& p = blocked(r, "producer");
  EXPECT_EQ(p.clock, 0u);
  EXPECT_EQ(p.operation, "enqueue");
  EXPECT_EQ(p.channel, "b");
  EXPECT_THAT(p.channel_state, StartsWith("full"));
  EXPECT_EQ(p.other_end, "consumer");
  EXPECT_FALSE(p.other_end_finished);
  const BlockedContext& c = blocked(r, "consumer");
  EXPECT_EQ(c.clock, 1u);
  EXPECT_EQ(c.operation, "dequeue");
  EXPECT_EQ(c.channel, "a");
  EXPECT_EQ(c.channel_state, "empty");
  EXPECT_EQ(c.other_end, "producer");
  EXPECT_EQ(r.channel("a").elements, 4u);
  EXPECT_EQ(r.channel("b").elements, 3u);
  EXPECT_EQ(r.elapsed_cycles, 1u);
}

TEST_P(Deadlock, TheSamePatternRunsWithDepthNMinusOne) {
  // b capacity 4: a0 b0 .. a3 b3 a4 at cycle 0; b4 waits for the free of b0. The consumer
  // takes a0..a4 and b0 at 1 (f = 2): b4 is written at 2, visible 3. b1..b3 at 1, b4 at 3.
  ShallowFifo f(4);
  RunResult r = run(f.g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.elapsed_cycles, 3u);
  EXPECT_EQ(r.context("producer").final_clock, 2u);
  EXPECT_EQ(r.channel("b").peak_occupancy, 4u);  // b0..b3 from 0 until b0 frees at 2
}

TEST_P(Deadlock, SenderWaitingOnAReceiverThatHasFinished) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1});
  g.add("sender", [](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(2);
    for (int i = 0; i < 3; ++i) co_await out.push(i);  // the second write never gets credit
  }, std::move(tx));
  g.add("receiver", [](Context& ctx, Receiver<int>) -> Process {
    ctx.advance(5);
    co_return;
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  ASSERT_EQ(r.deadlock->blocked.size(), 1u);  // the receiver returned: not blocked
  const BlockedContext& s = r.deadlock->blocked[0];
  EXPECT_EQ(s.context, "sender");
  EXPECT_EQ(s.clock, 2u);
  EXPECT_EQ(s.operation, "enqueue");
  EXPECT_EQ(s.channel, "x");
  EXPECT_THAT(s.channel_state, StartsWith("full"));
  EXPECT_EQ(s.other_end, "receiver");
  EXPECT_TRUE(s.other_end_finished);
  EXPECT_TRUE(r.context("receiver").finished);
  EXPECT_EQ(r.elapsed_cycles, 5u);
  EXPECT_THAT(r.describe_problem(), HasSubstr("has finished"));
}

TEST_P(Deadlock, FanOutWaitingOnOneFullOutput) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 1});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 1});
  g.add("sender", [](Context&, Sender<int> a, Sender<int> b) -> Process {
    for (int i = 0; i < 2; ++i) {
      co_await all_credit(a, b);
      a.push_now(i);
      b.push_now(i);
    }
  }, std::move(a_tx), std::move(b_tx));
  g.add("reader", units::discard<int>(), std::move(a_rx));  // frees a's slot
  g.add("idle", [](Context&, Receiver<int>) -> Process { co_return; }, std::move(b_rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  // The sender, and the reader waiting for a's next element; "idle" has returned.
  EXPECT_THAT(blocked_names(r), ::testing::ElementsAre("sender", "reader"));
  EXPECT_EQ(blocked(r, "reader").operation, "dequeue");
  EXPECT_EQ(blocked(r, "reader").channel, "a");
  EXPECT_EQ(blocked(r, "reader").clock, 1u);  // took e0 at 1
  const BlockedContext& s = blocked(r, "sender");
  EXPECT_EQ(s.clock, 0u);  // never got credit for e1
  EXPECT_EQ(s.operation, "fan-out credit");
  EXPECT_EQ(s.channel, "b");  // a has room (its element was read): b is the one that is full
  EXPECT_THAT(s.channel_state, StartsWith("full"));
  EXPECT_EQ(s.other_end, "idle");
  EXPECT_TRUE(s.other_end_finished);
  // e1 was not written to a either: atomic.
  EXPECT_EQ(r.channel("a").elements, 1u);
}

TEST_P(Deadlock, SelectWhoseSendersWaitOnTheSelector) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  g.add("sel", [](Context& ctx, Receiver<int> a, Receiver<int> b, Sender<int> x,
                  Sender<int> y) -> Process {
    ctx.advance(4);
    co_await select(a, b);
    co_await x.push(0);
    co_await y.push(0);
  }, std::move(a_rx), std::move(b_rx), std::move(x_tx), std::move(y_tx));
  g.add("a_src", [](Context& ctx, Receiver<int> x, Sender<int> a) -> Process {
    ctx.advance(1);
    while (auto v = co_await x.pop()) co_await a.push(*v);
  }, std::move(x_rx), std::move(a_tx));
  g.add("b_src", [](Context& ctx, Receiver<int> y, Sender<int> b) -> Process {
    ctx.advance(2);
    while (auto v = co_await y.pop()) co_await b.push(*v);
  }, std::move(y_rx), std::move(b_tx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  ASSERT_EQ(r.deadlock->blocked.size(), 3u);
  const BlockedContext& s = blocked(r, "sel");
  EXPECT_EQ(s.clock, 4u);
  EXPECT_EQ(s.operation, "select");
  EXPECT_THAT(s.channel, HasSubstr("a"));
  EXPECT_THAT(s.channel, HasSubstr("b"));
  EXPECT_EQ(s.channel_state, "empty");
  EXPECT_THAT(s.other_end, HasSubstr("a_src"));
  EXPECT_THAT(s.other_end, HasSubstr("b_src"));
  EXPECT_EQ(blocked(r, "a_src").clock, 1u);
  EXPECT_EQ(blocked(r, "a_src").channel, "x");
  EXPECT_EQ(blocked(r, "a_src").other_end, "sel");
  EXPECT_EQ(blocked(r, "b_src").clock, 2u);
  EXPECT_EQ(blocked(r, "b_src").channel, "y");
}

TEST_P(Deadlock, PeekIsReportedAsPeek) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  g.add("A", [](Context&, Receiver<int> y, Sender<int> x) -> Process {
    co_await y.peek();
    co_await x.push(1);
  }, std::move(y_rx), std::move(x_tx));
  g.add("B", [](Context&, Receiver<int> x, Sender<int> y) -> Process {
    co_await x.pop();
    co_await y.push(1);
  }, std::move(x_rx), std::move(y_tx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  EXPECT_EQ(blocked(r, "A").operation, "peek");
  EXPECT_EQ(blocked(r, "A").channel, "y");
  EXPECT_EQ(blocked(r, "B").operation, "dequeue");
}

// A ring of 40 contexts each waiting on the one before it, next to an unrelated pipeline
// that completes: only the ring is reported, the pipeline's cycles still count.
TEST_P(Deadlock, ARingNextToAHealthyPipeline) {
  constexpr int kRing = 40;
  Program g;
  workloads::build_pipeline(g, {.elements = 200, .stages = 4, .capacity = 2});  // 204 cycles
  std::vector<Sender<int>> outs;
  std::vector<Receiver<int>> ins;
  for (int i = 0; i < kRing; ++i) {
    auto [tx, rx] = g.channel<int>("ring" + std::to_string(i));
    outs.push_back(std::move(tx));
    ins.push_back(std::move(rx));
  }
  for (int i = 0; i < kRing; ++i) {
    // Node i reads ring(i-1) and writes ring(i).
    g.add("node" + std::to_string(i), [i](Context& ctx, Receiver<int> in, Sender<int> out) -> Process {
      ctx.advance(static_cast<Cycle>(i));
      while (auto v = co_await in.pop()) co_await out.push(*v);
    }, std::move(ins[static_cast<std::size_t>((i + kRing - 1) % kRing)]),
       std::move(outs[static_cast<std::size_t>(i)]));
  }
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  ASSERT_EQ(r.deadlock->blocked.size(), static_cast<std::size_t>(kRing));
  for (int i = 0; i < kRing; ++i) {
    const BlockedContext& b = blocked(r, "node" + std::to_string(i));
    EXPECT_EQ(b.clock, static_cast<Cycle>(i));
    EXPECT_EQ(b.operation, "dequeue");
    EXPECT_EQ(b.channel, "ring" + std::to_string((i + kRing - 1) % kRing));
    EXPECT_EQ(b.other_end, "node" + std::to_string((i + kRing - 1) % kRing));
  }
  EXPECT_TRUE(r.context("sink").finished);
  EXPECT_EQ(r.context("sink").final_clock, 204u);
  EXPECT_EQ(r.elapsed_cycles, 204u);  // max(204, ring clocks 0..39)
}

DFSIM_ON_EVERY_EXECUTOR(Deadlock);

}  // namespace
}  // namespace dfsim::test
