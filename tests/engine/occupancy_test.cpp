// docs/semantics.md, "Statistics": peak occupancy of a channel is the largest number of elements
// written to it at or before cycle x whose slot was not yet freed after cycle x, over all x:
//   occupancy(x) = #{ k : w_k <= x < f_k },  f_k = infinity for an element never dequeued.
// (w_k: the sender's clock at write k, after any wait for credit; f_k = dequeue clock + R.)
// It is a property of simulated time, not of how far ahead in wall-clock time a sender ran.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

class Occupancy : public EveryExecutor {
 protected:
  // A producer writing one element every `ii_p` cycles and a consumer taking one every
  // `ii_c` cycles; returns channel x's statistics.
  ChannelStats producer_consumer(std::uint64_t count, ChannelOptions options, Cycle ii_p,
                                 Cycle ii_c) {
    Program g;
    auto [tx, rx] = g.channel<int>("x", options);
    std::vector<Cycle> writes, pops;
    g.add("producer", record_pushes(count, writes, ii_p), std::move(tx));
    g.add("consumer", record_pop_clocks<int>(pops, ii_c), std::move(rx));
    RunResult r = run(g);
    EXPECT_TRUE(r.ok()) << r.describe_problem();
    return r.channel("x");
  }
};

TEST_P(Occupancy, FullThroughputWithCapacityTwo) {
  // w_k = k, r_k = k + 1, f_k = k + 2 (throughput_test.cpp): at x, elements x - 1 and x.
  ChannelStats s = producer_consumer(50, {.capacity = 2}, 1, 1);
  EXPECT_EQ(s.peak_occupancy, 2u);
  EXPECT_EQ(s.elements, 50u);
  EXPECT_EQ(s.capacity, std::optional<std::uint64_t>(2));
}

TEST_P(Occupancy, HalfThroughputWithCapacityOne) {
  // w_k = 2k, f_k = 2k + 2: at x = 2k only element k (k - 1 freed at 2k, not after it).
  EXPECT_EQ(producer_consumer(50, {.capacity = 1}, 1, 1).peak_occupancy, 1u);
}

// Unbounded: the sender never waits and (sequential executor) writes all 1000 elements
// before the consumer runs at all. In simulated time the consumer keeps up: w_k = k,
// r_k = k + 1, f_k = k + 2, so the channel never holds more than 2.
TEST_P(Occupancy, UnboundedChannelWithAConsumerThatKeepsUp) {
  ChannelStats s = producer_consumer(1000, {.capacity = unbounded}, 1, 1);
  EXPECT_EQ(s.peak_occupancy, 2u);
  EXPECT_FALSE(s.capacity.has_value());
}

TEST_P(Occupancy, ResponseLatencyKeepsSlotsLonger) {
  // R = 3: f_k = (k + 1) + 3 = k + 4: at x, elements x - 3 .. x.
  EXPECT_EQ(producer_consumer(100, {.capacity = unbounded, .response_latency = 3}, 1, 1)
                .peak_occupancy,
            4u);
}

// A consumer that takes one element every 3 cycles from an unbounded channel written once
// per cycle: r_k = max(r_{k-1} + 3, k + 1) = 1 + 3k, f_k = 2 + 3k.
// occupancy(x) = #{k <= x, k < T} - #{k : 2 + 3k <= x}. It rises until the last write at
// x = T - 1 and falls afterwards:
//   T = 12: x = 11: 12 written, frees at 2, 5, 8, 11 are in: 12 - 4 = 8.
//   T = 30: x = 29: 30 written, frees at 2, 5, ..., 29 (k = 0..9): 30 - 10 = 20.
TEST_P(Occupancy, SlowConsumerGrowsTheUnboundedPeak) {
  EXPECT_EQ(producer_consumer(12, {.capacity = unbounded}, 1, 3).peak_occupancy, 8u);
  EXPECT_EQ(producer_consumer(30, {.capacity = unbounded}, 1, 3).peak_occupancy, 20u);
}

// Bounded, C = 4, consumer needs 10 cycles per element: the sender fills the channel, then
// every write waits for a free and the channel stays full.
//   w = 0, 1, 2, 3; r = 1, 11, 21, 31, ... (r_k = 1 + 10k); f_k = 2 + 10k.
//   w_4 = max(4, f_0 = 2) = 4: at x = 4, elements 1, 2, 3 (freed at 12, 22, 32) and 4: 4.
// It can never exceed C: write k waits for f_{k-C}, so element k - C is out when k is in.
TEST_P(Occupancy, SlowConsumerFillsABoundedChannel) {
  EXPECT_EQ(producer_consumer(12, {.capacity = 4}, 1, 10).peak_occupancy, 4u);
  EXPECT_EQ(producer_consumer(40, {.capacity = 3, .latency = 2, .response_latency = 2}, 1, 7)
                .peak_occupancy,
            3u);
}

TEST_P(Occupancy, WritesInTheSameCycleAllCount) {
  // Three writes at cycle 0 (no advance): at x = 0 all three are in; freed at 2, 2, 2.
  EXPECT_EQ(producer_consumer(3, {.capacity = unbounded}, 0, 0).peak_occupancy, 3u);
}

// Two bursts of 4 (at 0 and at 5), a consumer taking one element every 2 cycles:
//   visible 1 (x4), 6 (x4); r = 1, 3, 5, 7, 9, 11, 13, 15; f = r + 1 = 2, 4, 6, 8, 10, ...
//   At x = 5: 8 written, frees at 2 and 4 are in: 6. (At x = 0: 4.)
TEST_P(Occupancy, BurstsOverlap) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = unbounded});
  g.add("producer", [](Context& ctx, Sender<int> out) -> Process {
    for (int i = 0; i < 4; ++i) co_await out.push(i);
    ctx.advance_to(5);
    for (int i = 4; i < 8; ++i) co_await out.push(i);
  }, std::move(tx));
  std::vector<Cycle> pops;
  g.add("consumer", record_pop_clocks<int>(pops, 2), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(pops, (std::vector<Cycle>{1, 3, 5, 7, 9, 11, 13, 15}));
  EXPECT_EQ(r.channel("x").peak_occupancy, 6u);
}

TEST_P(Occupancy, ElementsNeverDequeuedAreNeverFreed) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = unbounded});
  g.add("producer", units::memory_source(iota_ints(5)), std::move(tx));
  g.add("consumer", [](Context&, Receiver<int> in) -> Process {
    co_await in.pop();  // e0 at 1, freed 2
    co_await in.pop();  // e1 at 2, freed 3
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Written at 0..4; at x = 4: 5 written, 2 freed (at 2 and 3): 3. Never less afterwards.
  EXPECT_EQ(r.channel("x").peak_occupancy, 3u);
  EXPECT_EQ(r.channel("x").elements, 5u);
}

TEST_P(Occupancy, AReceiverThatReadsNothing) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 8});
  g.add("producer", units::memory_source(std::vector{1, 2, 3}), std::move(tx));
  g.add("consumer", [](Context&, Receiver<int>) -> Process { co_return; }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.channel("x").peak_occupancy, 3u);  // written at 0, 1, 2; never freed
  EXPECT_EQ(r.channel("x").elements, 3u);
}

// Long runs cross the unbounded channel's storage chunks (256 elements) and the bounded
// ring's wrap-around: T = 600, a consumer every 3 cycles (as above):
//   frees at 2 + 3k <= 599 for k <= 199: at x = 599, 600 - 200 = 400.
TEST_P(Occupancy, LongUnboundedRun) {
  EXPECT_EQ(producer_consumer(600, {.capacity = unbounded}, 1, 3).peak_occupancy, 400u);
}

// Irregular traffic on both sides: the peak must be the definition applied to the clocks
// the two ends recorded (w_k after each push, r_k after each pop, f_k = r_k + R).
TEST_P(Occupancy, MatchesTheDefinitionOnIrregularTraffic) {
  std::mt19937 rng(7);
  for (std::optional<std::uint64_t> C :
       {std::optional<std::uint64_t>(1), std::optional<std::uint64_t>(3),
        std::optional<std::uint64_t>(5), std::optional<std::uint64_t>()}) {
    for (Cycle R : {1u, 3u}) {
      SCOPED_TRACE("C=" + (C ? std::to_string(*C) : std::string("unbounded")) +
                   " R=" + std::to_string(R));
      constexpr int T = 700;
      std::vector<Cycle> gaps_p(T), gaps_c(T);
      for (auto& g : gaps_p) g = rng() % 4 == 0 ? rng() % 9 : 0;  // bursts and pauses
      for (auto& g : gaps_c) g = rng() % 3 == 0 ? rng() % 7 : 1;
      Program g;
      auto [tx, rx] = g.channel<int>("x", {.capacity = C, .latency = 2, .response_latency = R});
      std::vector<Cycle> writes, pops;
      g.add("producer", [&](Context& ctx, Sender<int> out) -> Process {
        for (int k = 0; k < T; ++k) {
          ctx.advance(gaps_p[static_cast<std::size_t>(k)]);
          co_await out.push(k);
          writes.push_back(ctx.now());
        }
      }, std::move(tx));
      g.add("consumer", [&](Context& ctx, Receiver<int> in) -> Process {
        for (int k = 0; k < T; ++k) {
          ctx.advance(gaps_c[static_cast<std::size_t>(k)]);
          co_await in.pop();
          pops.push_back(ctx.now());
        }
      }, std::move(rx));
      RunResult r = run(g);
      ASSERT_TRUE(r.ok()) << r.describe_problem();
      // occupancy(x) = #{k : w_k <= x < f_k} only changes at a write time; the largest over
      // the write times is the peak.
      std::uint64_t expected = 0;
      for (std::size_t j = 0; j < writes.size(); ++j) {
        Cycle x = writes[j];
        std::uint64_t n = 0;
        for (std::size_t k = 0; k < writes.size(); ++k)
          if (writes[k] <= x && x < pops[k] + R) ++n;
        expected = std::max(expected, n);
      }
      EXPECT_EQ(r.channel("x").peak_occupancy, expected);
      if (C) {
        EXPECT_LE(expected, *C);
      }
    }
  }
}

DFSIM_ON_EVERY_EXECUTOR(Occupancy);

}  // namespace
}  // namespace dfsim::test
