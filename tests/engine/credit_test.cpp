// docs/semantics.md, "Channels", step 1 (credit): enqueue k >= C waits for the slot freed by
// dequeue k - C, at (receiver clock right after that dequeue) + R. Also the statistics of
// waiting: back-pressured cycles of the sender, starved cycles of the receiver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;

class Credit : public EveryExecutor {};

// A sender that writes 5 elements without advancing, a receiver that needs 10 cycles per
// element. Every write after the second waits for a free.
TEST_P(Credit, SenderWaitsForTheFreeOfDequeueKMinusC) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 2, .latency = 1, .response_latency = 1});
  std::vector<Cycle> writes, pops;
  g.add("src", record_pushes(5, writes), std::move(tx));
  g.add("dst", record_pop_clocks<int>(pops, 10), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // k=0: w0 = 0 (k < C), visible 1.   pop 0: max(0, 1) = 1, f0 = 1 + R = 2, then 11.
  // k=1: w1 = 0, visible 1.           pop 1: max(11, 1) = 11, f1 = 12, then 21.
  // k=2: w2 = max(0, f0 = 2) = 2, v 3. pop 2: max(21, 3) = 21, f2 = 22, then 31.
  // k=3: w3 = max(2, f1 = 12) = 12.   pop 3: max(31, 13) = 31, f3 = 32, then 41.
  // k=4: w4 = max(12, f2 = 22) = 22.  pop 4: max(41, 23) = 41, then 51.
  EXPECT_THAT(writes, ElementsAre(0u, 0u, 2u, 12u, 22u));
  EXPECT_THAT(pops, ElementsAre(1u, 11u, 21u, 31u, 41u));
  EXPECT_EQ(r.context("src").final_clock, 22u);
  EXPECT_EQ(r.context("src").backpressured_cycles, 22u);  // 0->2, 2->12, 12->22
  EXPECT_EQ(r.context("dst").starved_cycles, 1u);         // only 0->1 at the first pop
  EXPECT_EQ(r.context("dst").final_clock, 51u);
  EXPECT_EQ(r.elapsed_cycles, 51u);
}

TEST_P(Credit, ResponseLatencyDelaysTheFree) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 2, .latency = 1, .response_latency = 3});
  std::vector<Cycle> writes, pops;
  g.add("src", record_pushes(5, writes), std::move(tx));
  g.add("dst", record_pop_clocks<int>(pops, 10), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // As above with R = 3: pops at 1, 11, 21, 31, 41 free at 4, 14, 24, 34, 44.
  // w2 = max(0, 4) = 4, w3 = max(4, 14) = 14, w4 = max(14, 24) = 24; visible one later,
  // always before the receiver gets there, so the pops do not move.
  EXPECT_THAT(writes, ElementsAre(0u, 0u, 4u, 14u, 24u));
  EXPECT_THAT(pops, ElementsAre(1u, 11u, 21u, 31u, 41u));
  EXPECT_EQ(r.context("src").backpressured_cycles, 24u);
}

// One element per cycle on each side, C = 2, R = 3: the round trip of a slot is
// L + R = 4 cycles, so two elements go every 4 cycles.
TEST_P(Credit, ResponseLatencySlowsAFullRateSender) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 2, .latency = 1, .response_latency = 3});
  std::vector<Cycle> writes, pops;
  g.add("src", record_pushes(6, writes, 1), std::move(tx));
  g.add("dst", record_pop_clocks<int>(pops, 1), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // w0 = 0 (v1), w1 = 1 (v2).        pops: r0 = 1 (f 4), r1 = max(2, 2) = 2 (f 5).
  // w2 = max(2, f0 = 4) = 4 (v5),    r2 = max(3, 5) = 5 (f 8)
  // w3 = max(5, f1 = 5) = 5 (v6),    r3 = max(6, 6) = 6 (f 9)
  // w4 = max(6, f2 = 8) = 8 (v9),    r4 = max(7, 9) = 9 (f 12)
  // w5 = max(9, f3 = 9) = 9 (v10),   r5 = max(10, 10) = 10, then advance to 11.
  EXPECT_THAT(writes, ElementsAre(0u, 1u, 4u, 5u, 8u, 9u));
  EXPECT_THAT(pops, ElementsAre(1u, 2u, 5u, 6u, 9u, 10u));
  EXPECT_EQ(r.context("src").final_clock, 10u);           // 9 + 1
  EXPECT_EQ(r.context("src").backpressured_cycles, 4u);   // 2->4, 6->8
  EXPECT_EQ(r.context("dst").final_clock, 11u);
  EXPECT_EQ(r.context("dst").starved_cycles, 5u);         // 0->1, 3->5, 7->9
  EXPECT_EQ(r.elapsed_cycles, 11u);
}

// credit() moves the clock to the free time without writing; the next push uses that slot.
// Waiting twice, or pushing after the wait, never takes a second slot: with C = 1, a second
// slot would be the one freed by dequeue 0 of an element never written, and the run would
// deadlock.
TEST_P(Credit, CreditWaitIsIdempotent) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1});
  std::vector<Cycle> sender_clocks;
  std::vector<bool> had_credit;
  g.add("src", [&](Context& ctx, Sender<int> out) -> Process {
    co_await out.credit();  // k = 0 < C: no wait
    co_await out.credit();
    had_credit.push_back(out.has_credit());
    co_await out.push(10);  // w0 = 0, visible 1
    sender_clocks.push_back(ctx.now());
    had_credit.push_back(out.has_credit());  // the slot holds element 0, unless dst took it
    co_await out.credit();  // k = 1: waits for f0 = 1 + 1 = 2
    sender_clocks.push_back(ctx.now());
    co_await out.credit();  // same slot: no further wait
    sender_clocks.push_back(ctx.now());
    ctx.advance(5);
    co_await out.push(11);  // still the same slot: written at 7, visible 8
    sender_clocks.push_back(ctx.now());
  }, std::move(tx));
  std::vector<int> values;
  std::vector<Cycle> pops;
  g.add("dst", record_pops(values, pops), std::move(rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::completed) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(10, 11));
  EXPECT_THAT(pops, ElementsAre(1u, 8u));
  EXPECT_THAT(sender_clocks, ElementsAre(0u, 2u, 2u, 7u));
  // has_credit() asks whether a write could go without suspending, i.e. whether dst has
  // already taken element 0. On one thread it cannot have (src has not suspended since);
  // on another it may have, at any moment: the answer is not part of the timing.
  if (GetParam().options.threads == 1)
    EXPECT_THAT(had_credit, ElementsAre(true, false));
  else
    EXPECT_THAT(had_credit, ::testing::SizeIs(2));
  EXPECT_TRUE(had_credit.at(0));
  EXPECT_EQ(r.context("src").backpressured_cycles, 2u);  // 0 -> 2 inside the first credit()
  EXPECT_EQ(r.channel("x").elements, 2u);
  EXPECT_EQ(r.channel("x").peak_occupancy, 1u);
}

TEST_P(Credit, UnboundedChannelNeverBackpressures) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = unbounded});
  std::vector<Cycle> writes, pops;
  g.add("src", record_pushes(100, writes), std::move(tx));
  g.add("dst", record_pop_clocks<int>(pops, 10), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(writes, std::vector<Cycle>(100, 0));  // all at 0, visible 1
  EXPECT_EQ(pops.back(), 991u);                   // r_k = 1 + 10 k; k = 99
  EXPECT_EQ(r.context("src").backpressured_cycles, 0u);
  EXPECT_EQ(r.context("dst").final_clock, 1001u);
  EXPECT_FALSE(r.channel("x").capacity.has_value());
}

// The credit rule written out as a recurrence, for a producer that writes one element
// every `ii_p` cycles and a consumer that takes one every `ii_c` cycles:
//   p_k = w_{k-1} + ii_p (p_0 = 0)        clock of the producer before enqueue k
//   w_k = max(p_k, f_{k-C}) if k >= C      step 1
//   v_k = w_k + L                          step 2
//   c_k = r_{k-1} + ii_c (c_0 = 0)         clock of the consumer before dequeue k
//   r_k = max(c_k, v_k); f_k = r_k + R     dequeue
struct Expected {
  std::vector<Cycle> writes, pops;
  Cycle backpressured = 0, starved = 0, producer_final = 0, consumer_final = 0;
};

Expected recurrence(std::uint64_t count, std::uint64_t C, Cycle L, Cycle R, Cycle ii_p,
                    Cycle ii_c) {
  Expected e;
  std::vector<Cycle> freed;
  for (std::uint64_t k = 0; k < count; ++k) {
    Cycle p = k == 0 ? 0 : e.writes.back() + ii_p;
    Cycle w = k >= C ? std::max(p, freed[k - C]) : p;
    e.backpressured += w - p;
    e.writes.push_back(w);
    Cycle c = k == 0 ? 0 : e.pops.back() + ii_c;
    Cycle rk = std::max(c, w + L);
    e.starved += rk - c;
    e.pops.push_back(rk);
    freed.push_back(rk + R);
  }
  e.producer_final = e.writes.back() + ii_p;
  e.consumer_final = e.pops.back() + ii_c;
  return e;
}

TEST_P(Credit, MatchesTheCreditRecurrenceOverAGridOfParameters) {
  constexpr std::uint64_t kCount = 24;
  for (std::uint64_t C : {1u, 2u, 3u, 5u})
    for (Cycle L : {1u, 3u})
      for (Cycle R : {1u, 2u, 4u})
        for (Cycle ii_p : {0u, 1u, 3u})
          for (Cycle ii_c : {0u, 1u, 2u, 5u}) {
            SCOPED_TRACE("C=" + std::to_string(C) + " L=" + std::to_string(L) +
                         " R=" + std::to_string(R) + " ii_p=" + std::to_string(ii_p) +
                         " ii_c=" + std::to_string(ii_c));
            Program g;
            auto [tx, rx] = g.channel<int>(
                "x", {.capacity = C, .latency = L, .response_latency = R});
            std::vector<Cycle> writes, pops;
            g.add("src", record_pushes(kCount, writes, ii_p), std::move(tx));
            g.add("dst", record_pop_clocks<int>(pops, ii_c), std::move(rx));
            RunResult r = run(g);
            ASSERT_TRUE(r.ok()) << r.describe_problem();
            Expected e = recurrence(kCount, C, L, R, ii_p, ii_c);
            ASSERT_EQ(writes, e.writes);
            ASSERT_EQ(pops, e.pops);
            ASSERT_EQ(r.context("src").backpressured_cycles, e.backpressured);
            ASSERT_EQ(r.context("dst").starved_cycles, e.starved);
            ASSERT_EQ(r.context("src").final_clock, e.producer_final);
            ASSERT_EQ(r.context("dst").final_clock, e.consumer_final);
            ASSERT_EQ(r.elapsed_cycles, std::max(e.producer_final, e.consumer_final));
          }
}

DFSIM_ON_EVERY_EXECUTOR(Credit);

}  // namespace
}  // namespace dfsim::test
