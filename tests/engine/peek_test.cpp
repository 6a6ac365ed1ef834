// docs/semantics.md, "Peek-next: like dequeue, but the element stays in the channel and no slot
// is freed."
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "dfsim/engine.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;

class Peek : public EveryExecutor {};

TEST_P(Peek, MovesTheClockButFreesNoSlot) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1, .latency = 1, .response_latency = 1});
  std::vector<Cycle> writes;
  g.add("src", [&](Context& ctx, Sender<int> out) -> Process {
    co_await out.push(10);  // w0 = 0, visible 1
    writes.push_back(ctx.now());
    co_await out.push(20);  // k = 1 = C: waits for f0
    writes.push_back(ctx.now());
  }, std::move(tx));
  std::vector<int> seen;
  std::vector<Cycle> clocks;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    const int* p = co_await in.peek();  // 0 -> 1: the element's time
    seen.push_back(*p);
    clocks.push_back(ctx.now());
    p = co_await in.peek();  // the same element again, no further move
    seen.push_back(*p);
    clocks.push_back(ctx.now());
    ctx.advance(10);         // 11; the slot is still taken: the sender still waits
    auto v = co_await in.pop();  // the peeked element, at max(11, 1) = 11; f0 = 12
    seen.push_back(*v);
    clocks.push_back(ctx.now());
    v = co_await in.pop();  // written at max(0, f0 = 12) = 12, visible 13
    seen.push_back(*v);
    clocks.push_back(ctx.now());
    p = co_await in.peek();  // closed and empty
    seen.push_back(p == nullptr ? -1 : *p);
    clocks.push_back(ctx.now());
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(seen, ElementsAre(10, 10, 10, 20, -1));
  EXPECT_THAT(clocks, ElementsAre(1u, 1u, 11u, 13u, 13u));
  // Had a peek freed the slot (at 1 + R = 2), element 1 would have been written at 2.
  EXPECT_THAT(writes, ElementsAre(0u, 12u));
  EXPECT_EQ(r.context("src").backpressured_cycles, 12u);
  EXPECT_EQ(r.context("dst").starved_cycles, 3u);  // 0->1 (peek), 11->13 (pop)
  EXPECT_EQ(r.channel("x").peak_occupancy, 1u);
}

// Receiver::pop_now after a peek: the peeked element, dequeued at the clock as it is (no
// wait, since it is visible), its slot freed R cycles later.
TEST_P(Peek, PopNowTakesThePeekedElementWhereTheClockIs) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1, .latency = 1, .response_latency = 1});
  std::vector<Cycle> writes;
  g.add("src", [&](Context& ctx, Sender<int> out) -> Process {
    co_await out.push(7);  // w0 = 0, visible 1
    co_await out.push(8);  // k = 1 = C: waits for f0 = 5 + R = 6, visible 7
    writes.push_back(ctx.now());
  }, std::move(tx));
  std::vector<int> seen;
  std::vector<Cycle> clocks;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    const int* p = co_await in.peek();  // 0 -> 1
    ctx.advance(4);                      // 5
    seen.push_back(*p);
    seen.push_back(in.pop_now());  // at 5: f0 = 6
    clocks.push_back(ctx.now());
    auto v = co_await in.pop();  // 5 -> 7
    seen.push_back(*v);
    clocks.push_back(ctx.now());
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(seen, ElementsAre(7, 7, 8));
  EXPECT_THAT(clocks, ElementsAre(5u, 7u));
  EXPECT_THAT(writes, ElementsAre(6u));
  EXPECT_EQ(r.context("src").backpressured_cycles, 6u);
  EXPECT_EQ(r.context("dst").starved_cycles, 3u);  // 0->1 (peek), 5->7 (pop)
  EXPECT_EQ(r.channel("x").peak_occupancy, 1u);
}

TEST_P(Peek, WaitsForTheElementLikeAPop) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 2, .latency = 3});
  g.add("src", [](Context& ctx, Sender<int> out) -> Process {
    ctx.advance(5);
    co_await out.push(42);  // visible 5 + 3 = 8
  }, std::move(tx));
  std::vector<Cycle> clocks;
  std::vector<int> seen;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    const int* p = co_await in.peek();  // waits for it: 0 -> 8
    seen.push_back(*p);
    clocks.push_back(ctx.now());
    auto v = co_await in.pop();  // the same element: no move
    seen.push_back(*v);
    clocks.push_back(ctx.now());
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(seen, ElementsAre(42, 42));
  EXPECT_THAT(clocks, ElementsAre(8u, 8u));
  EXPECT_EQ(r.context("dst").starved_cycles, 8u);
}

TEST_P(Peek, PeekThenPopFreesAtThePopClock) {
  // The free follows the clock of the pop, not of the peek.
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1, .latency = 1, .response_latency = 2});
  std::vector<Cycle> writes;
  g.add("src", record_pushes(3, writes), std::move(tx));
  std::vector<Cycle> clocks;
  g.add("dst", [&](Context& ctx, Receiver<int> in) -> Process {
    for (;;) {
      const bool more = co_await in.peek() != nullptr;  // element k at its visible time
      if (!more) break;
      ctx.advance(4);             // look at it for 4 cycles
      co_await in.pop();          // then take it: frees at now + R
      clocks.push_back(ctx.now());
    }
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // w0 = 0 (v1): peek 1, pop 5, f0 = 7.   w1 = 7 (v8): peek 8, pop 12, f1 = 14.
  // w2 = 14 (v15): peek 15, pop 19.
  EXPECT_THAT(writes, ElementsAre(0u, 7u, 14u));
  EXPECT_THAT(clocks, ElementsAre(5u, 12u, 19u));
  EXPECT_EQ(r.elapsed_cycles, 19u);
}

DFSIM_ON_EVERY_EXECUTOR(Peek);

}  // namespace
}  // namespace dfsim::test
