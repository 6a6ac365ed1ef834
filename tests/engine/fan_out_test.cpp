// docs/semantics.md, "A sender that must write the same value to several outputs waits until
// every output has credit before it writes any of them (an atomic fan-out). Waiting for
// credit is idempotent."
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <span>
#include <vector>

#include "dfsim/engine.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;

class FanOut : public EveryExecutor {};

// One sender to two C = 1 outputs: "fast" pops as soon as it can, "slow" needs 10 cycles per
// element. Writes 0, 1, 2 with no advance in between.
struct TwoOutputs {
  Program g;
  std::vector<Cycle> fast_pops, slow_pops;

  template <class Body>
  explicit TwoOutputs(Body body) {
    auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 1});
    auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 1});
    g.add("sender", body, std::move(a_tx), std::move(b_tx));
    g.add("fast", record_pop_clocks<int>(fast_pops), std::move(a_rx));
    g.add("slow", record_pop_clocks<int>(slow_pops, 10), std::move(b_rx));
  }
};

TEST_P(FanOut, WritesOnlyWhenEveryOutputHasCredit) {
  std::vector<Cycle> sender_clocks;
  TwoOutputs t([&](Context& ctx, Sender<int> a, Sender<int> b) -> Process {
    for (int i = 0; i < 3; ++i) {
      co_await all_credit(a, b);
      sender_clocks.push_back(ctx.now());
      a.push_now(i);
      b.push_now(i);
    }
  });
  RunResult r = run(t.g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // e0: credit at 0 on both, written at 0, visible 1.
  //     fast pops at 1 (f = 2); slow pops at 1 (f = 2), then 11.
  // e1: max(0, f0a = 2, f0b = 2) = 2, visible 3. fast pops at 3 (f = 4);
  //     slow pops at max(11, 3) = 11 (f = 12), then 21.
  // e2: max(2, f1a = 4, f1b = 12) = 12, visible 13: "a" had room from 4 on, but the
  //     sender writes neither until "b" has room. fast pops at 13; slow at max(21, 13) = 21.
  EXPECT_THAT(sender_clocks, ElementsAre(0u, 2u, 12u));
  EXPECT_THAT(t.fast_pops, ElementsAre(1u, 3u, 13u));
  EXPECT_THAT(t.slow_pops, ElementsAre(1u, 11u, 21u));
  EXPECT_EQ(r.context("sender").backpressured_cycles, 12u);
  EXPECT_EQ(r.elapsed_cycles, 31u);  // slow: 21 + 10
}

// The same sender writing the outputs one after the other is not atomic: "a" gets e2 early.
TEST_P(FanOut, SeparatePushesAreNotAtomic) {
  TwoOutputs t([](Context&, Sender<int> a, Sender<int> b) -> Process {
    for (int i = 0; i < 3; ++i) {
      co_await a.push(i);
      co_await b.push(i);
    }
  });
  RunResult r = run(t.g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // e0: a at 0, b at 0 (visible 1). e1: a at max(0, f0a = 2) = 2, b at max(2, f0b = 2) = 2.
  // e2: a at max(2, f1a = 4) = 4 (visible 5), b at max(4, f1b = 12) = 12 (visible 13).
  EXPECT_THAT(t.fast_pops, ElementsAre(1u, 3u, 5u));
  EXPECT_THAT(t.slow_pops, ElementsAre(1u, 11u, 21u));
}

TEST_P(FanOut, CreditWaitIsIdempotent) {
  std::vector<Cycle> sender_clocks;
  TwoOutputs t([&](Context& ctx, Sender<int> a, Sender<int> b) -> Process {
    // With C = 1 a second slot taken by a repeated wait would never come: deadlock.
    co_await all_credit(a, b);
    co_await all_credit(a, b);
    co_await a.credit();
    a.push_now(0);
    b.push_now(0);
    co_await all_credit(a, b);  // k = 1: waits for f0 of both = max(2, 2) = 2
    co_await all_credit(a, b);
    co_await b.credit();
    sender_clocks.push_back(ctx.now());
    co_await a.push(1);  // push after the wait: same slot, no further wait
    co_await b.push(1);
    sender_clocks.push_back(ctx.now());
  });
  RunResult r = run(t.g);
  ASSERT_EQ(r.status, RunStatus::completed) << r.describe_problem();
  EXPECT_THAT(sender_clocks, ElementsAre(2u, 2u));
  EXPECT_THAT(t.fast_pops, ElementsAre(1u, 3u));
  EXPECT_THAT(t.slow_pops, ElementsAre(1u, 11u));
  EXPECT_EQ(r.channel("a").elements, 2u);
  EXPECT_EQ(r.channel("b").elements, 2u);
}

TEST_P(FanOut, SpanOfOutputsWithPipelineDepth) {
  Program g;
  std::vector<Sender<int>> outs;
  std::vector<std::vector<Cycle>> pops(3);
  std::vector<std::vector<int>> values(3);
  std::vector<Receiver<int>> ins;
  for (int i = 0; i < 3; ++i) {
    // Output i has capacity i + 1.
    auto [tx, rx] = g.channel<int>("o" + std::to_string(i),
                                   {.capacity = static_cast<std::uint64_t>(i + 1)});
    outs.push_back(std::move(tx));
    ins.push_back(std::move(rx));
  }
  std::vector<Cycle> sender_clocks;
  g.add("sender", [&](Context& ctx, std::vector<Sender<int>> o) -> Process {
    for (int v = 0; v < 4; ++v) {
      const Cycle issued = co_await all_credit(std::span<Sender<int>>(o));
      sender_clocks.push_back(ctx.now());
      // Stamped from the clock before the wait: visible at max(issued + 3, now + 1).
      push_all(std::span<Sender<int>>(o), v, issued + 3);
    }
  }, std::move(outs));
  for (int i = 0; i < 3; ++i)
    g.add("sink" + std::to_string(i), record_pops(values[static_cast<std::size_t>(i)],
                                                  pops[static_cast<std::size_t>(i)], 5),
          std::move(ins[static_cast<std::size_t>(i)]));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Every sink pops element k at max(prev + 5, visible) and frees it 1 later. The sender
  // never advances: each write is issued at the clock the previous one's wait ended.
  // e0: issued 0, written 0, visible 3; popped 3 by all (f = 4), next at 8.
  // e1: issued 0; o0 (C=1) needs f0 = 4: written 4, visible max(0 + 3, 4 + 1) = 5. Popped at
  //     max(8, 5) = 8 (f = 9), next at 13.
  // e2: issued 4; o0 needs f1 = 9, o1 (C=2) needs f0 = 4: written 9, visible max(7, 10) = 10.
  //     Popped at 13 (f 14).
  // e3: issued 9; o0 needs f2 = 14, o1 f1 = 9, o2 (C=3) f0 = 4: written 14, visible
  //     max(12, 15) = 15. Popped at max(18, 15) = 18.
  EXPECT_THAT(sender_clocks, ElementsAre(0u, 4u, 9u, 14u));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(values[static_cast<std::size_t>(i)], ElementsAre(0, 1, 2, 3));
    EXPECT_THAT(pops[static_cast<std::size_t>(i)], ElementsAre(3u, 8u, 13u, 18u));
  }
}

DFSIM_ON_EVERY_EXECUTOR(FanOut);

}  // namespace
}  // namespace dfsim::test
