// docs/semantics.md, "Select": the earliest element across several inputs wins, ties go to the
// lower input index, an empty input is ruled out only by a lower bound of its sender's
// clock (sender clock + L), and the result never depends on wall-clock timing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <span>
#include <utility>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;
using Pick = std::pair<int, Cycle>;  // (input index or -1 at the end, clock after select)

class Select : public EveryExecutor {};

// Selects and pops until every input has ended; records each choice.
auto select_all(std::vector<Pick>& picks, std::vector<int>* values = nullptr) {
  return [&picks, values](Context& ctx, Receiver<int> a, Receiver<int> b) -> Process {
    while (true) {
      auto i = co_await select(a, b);
      picks.emplace_back(i ? static_cast<int>(*i) : -1, ctx.now());
      if (!i) break;
      auto v = *i == 0 ? co_await a.pop() : co_await b.pop();
      if (values) values->push_back(*v);
    }
  };
}

// Writes `value` at each of `times` (advancing to it first).
auto send_at(std::vector<Cycle> times, int first_value = 0) {
  return [times = std::move(times), first_value](Context& ctx, Sender<int> out) -> Process {
    int v = first_value;
    for (Cycle t : times) {
      ctx.advance_to(t);
      co_await out.push(v++);
    }
  };
}

TEST_P(Select, EarliestTimestampWins) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  std::vector<int> values;
  g.add("sel", select_all(picks, &values), std::move(a_rx), std::move(b_rx));
  g.add("a_src", send_at({4}, 100), std::move(a_tx));  // visible 5
  g.add("b_src", send_at({2}, 200), std::move(b_tx));  // visible 3
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // b (3) before a (5); the clock moves to the chosen element's time. Then both closed.
  EXPECT_THAT(picks, ElementsAre(Pick{1, 3}, Pick{0, 5}, Pick{-1, 5}));
  EXPECT_THAT(values, ElementsAre(200, 100));
  EXPECT_EQ(r.context("sel").starved_cycles, 5u);  // 0 -> 3 -> 5
}

TEST_P(Select, EarliestTimestampWinsAlsoWhenBothAreAlreadyVisible) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  g.add("sel", [&](Context& ctx, Receiver<int> a, Receiver<int> b) -> Process {
    ctx.advance(10);  // both elements are visible by now: the timestamps still decide
    auto i = co_await select(a, b);
    picks.emplace_back(static_cast<int>(*i), ctx.now());
  }, std::move(a_rx), std::move(b_rx));
  g.add("a_src", send_at({4}), std::move(a_tx));  // visible 5
  g.add("b_src", send_at({2}), std::move(b_tx));  // visible 3
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(picks, ElementsAre(Pick{1, 10}));  // b: 3 < 5; the clock stays at 10
  EXPECT_EQ(r.context("sel").starved_cycles, 0u);
}

TEST_P(Select, TiesBreakByInputOrder) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  g.add("sel", select_all(picks), std::move(a_rx), std::move(b_rx));
  // Add b's sender first, so that in wall-clock b's element is there first.
  g.add("b_src", send_at({3, 6}), std::move(b_tx));  // visible 4, 7
  g.add("a_src", send_at({3, 7}), std::move(a_tx));  // visible 4, 8
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // 4 = 4: a (input 0) first. Then b's 4, b's 7, a's 8.
  EXPECT_THAT(picks, ElementsAre(Pick{0, 4}, Pick{1, 4}, Pick{1, 7}, Pick{0, 8}, Pick{-1, 8}));
}

TEST_P(Select, SelectDoesNotDequeue) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  g.add("sel", [&](Context& ctx, Receiver<int> a, Receiver<int> b) -> Process {
    for (int k = 0; k < 2; ++k) {
      auto i = co_await select(a, b);
      picks.emplace_back(static_cast<int>(*i), ctx.now());
    }
    while (auto x = co_await a.pop()) {}
    while (auto x = co_await b.pop()) {}
  }, std::move(a_rx), std::move(b_rx));
  g.add("a_src", send_at({5}), std::move(a_tx));  // visible 6
  g.add("b_src", send_at({1}), std::move(b_tx));  // visible 2
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(picks, ElementsAre(Pick{1, 2}, Pick{1, 2}));  // the element is still there
  EXPECT_EQ(r.context("sel").final_clock, 6u);              // then pops a at 6
}

// b's element (visible 10) is in the channel early in wall-clock terms. a's sender is still
// at cycle 0 (its clock + L = 1 < 10): a later write of it may be earlier, so the select must
// wait. It is: a's sender first waits for a gate element (whose sender is added last, so it
// runs last), then writes at 3 (visible 4). The later-arriving element wins.
TEST_P(Select, WaitsForAnEmptyInputWhoseSenderIsBehind) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  auto [gate_tx, gate_rx] = g.channel<int>("gate");
  std::vector<Pick> picks;
  std::vector<int> values;
  g.add("sel", select_all(picks, &values), std::move(a_rx), std::move(b_rx));
  g.add("b_src", send_at({9, 14}, 200), std::move(b_tx));  // visible 10, 15
  g.add("a_src", [](Context& ctx, Receiver<int> gate, Sender<int> out) -> Process {
    co_await gate.pop();  // the gate element is visible at 1
    ctx.advance_to(3);
    co_await out.push(100);  // visible 4
    ctx.advance_to(20);
    co_await out.push(101);  // visible 21
  }, std::move(gate_rx), std::move(a_tx));
  g.add("gate", units::memory_source(std::vector{0}), std::move(gate_tx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(100, 200, 201, 101));
  EXPECT_THAT(picks, ElementsAre(Pick{0, 4}, Pick{1, 10}, Pick{1, 15}, Pick{0, 21}, Pick{-1, 21}));
}

// A tie with an empty lower-index input: input 1 holds an element visible at 5; input 0's
// sender is blocked at cycle 4, so it may still write an element visible at 4 + 1 = 5, which
// would win the tie. The select must wait for it, and it comes.
TEST_P(Select, ATieWithAnEmptyLowerInputMustWait) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  auto [gate_tx, gate_rx] = g.channel<int>("gate");
  std::vector<Pick> picks;
  std::vector<int> values;
  g.add("sel", select_all(picks, &values), std::move(a_rx), std::move(b_rx));
  g.add("b_src", send_at({4}, 200), std::move(b_tx));  // visible 5
  g.add("a_src", [](Context& ctx, Receiver<int> gate, Sender<int> out) -> Process {
    ctx.advance_to(4);
    co_await gate.pop();      // blocks at 4 until the gate element (visible 1) comes
    co_await out.push(100);   // at 4: visible 5
  }, std::move(gate_rx), std::move(a_tx));
  g.add("gate", units::memory_source(std::vector{0}), std::move(gate_tx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(100, 200));
  EXPECT_THAT(picks, ElementsAre(Pick{0, 5}, Pick{1, 5}, Pick{-1, 5}));
}

TEST_P(Select, EndsWhenEveryInputHasEnded) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  g.add("sel", select_all(picks), std::move(a_rx), std::move(b_rx));
  g.add("a_src", send_at({}), std::move(a_tx));
  g.add("b_src", send_at({}), std::move(b_tx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(picks, ElementsAre(Pick{-1, 0}));
}

TEST_P(Select, AClosedInputIsSkipped) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a");
  auto [b_tx, b_rx] = g.channel<int>("b");
  std::vector<Pick> picks;
  g.add("sel", select_all(picks), std::move(a_rx), std::move(b_rx));
  g.add("a_src", send_at({}), std::move(a_tx));       // closes at once
  g.add("b_src", send_at({0, 7}), std::move(b_tx));   // visible 1, 8
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(picks, ElementsAre(Pick{1, 1}, Pick{1, 8}, Pick{-1, 8}));
}

// The select sits in a loop: a's sender only writes after receiving from the selector (x).
// Nobody can run, so the engine must settle the select from lower bounds of the clocks:
// a's sender writes nothing before x brings something, which the selector sends only after
// its select. The bounds: sel >= min(b's front, bound(a_src) + La), a_src >= bound(sel) + Lx.
//
// La = Lx = 5. b's elements are visible at 10 and 30.
//   select 1: b@10 (a is bounded by 0 + 5 + 5 + ... > 10). Pop b at 10, write x (visible 15).
//   a_src pops x at 15 and writes a at 15, visible 20.
//   select 2: a@20 < b@30. Pop a at 20.
//   select 3 (sel at 20): a is empty and a_src waits on x at 15, which alone bounds a by
//   15 + 5 = 20 < 30. With sel's own bound: sel >= min(a_src + 5, 30) and
//   a_src >= sel + 5 give sel >= 20 -> a_src >= 25 -> sel >= 30 -> a_src >= 35, so a >= 40
//   > 30: b@30. Pop b at 30, write x (visible 35); sel returns at 30.
//   a_src pops x at 35, writes a at 35 (never read), sees the end of x and returns at 35.
TEST_P(Select, SelectInAFeedbackLoopIsSettledFromClockBounds) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 2, .latency = 5});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 2, .latency = 1});
  auto [x_tx, x_rx] = g.channel<int>("x", {.capacity = 2, .latency = 5});
  std::vector<Pick> picks;
  g.add("sel", [&](Context& ctx, Receiver<int> a, Receiver<int> b, Sender<int> x) -> Process {
    for (int k = 0; k < 3; ++k) {
      auto i = co_await select(a, b);
      picks.emplace_back(static_cast<int>(*i), ctx.now());
      if (*i == 0) {
        co_await a.pop();
      } else {
        co_await b.pop();
        co_await x.push(k);
      }
    }
  }, std::move(a_rx), std::move(b_rx), std::move(x_tx));
  g.add("a_src", [](Context&, Receiver<int> x, Sender<int> a) -> Process {
    while (auto v = co_await x.pop()) co_await a.push(*v);
  }, std::move(x_rx), std::move(a_tx));
  g.add("b_src", send_at({9, 29}), std::move(b_tx));  // visible 10, 30
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(picks, ElementsAre(Pick{1, 10}, Pick{0, 20}, Pick{1, 30}));
  EXPECT_EQ(r.context("sel").final_clock, 30u);
  EXPECT_EQ(r.context("a_src").final_clock, 35u);
  EXPECT_EQ(r.elapsed_cycles, 35u);
  EXPECT_EQ(r.channel("a").elements, 2u);
}

// As above with La = Lx = 1 and b's element further away, at 100. The same argument
// (sel >= min(a_src + 1, 100), a_src >= sel + 1) settles the select for b: a's sender can
// never write before the selector does. Nothing here is a simulated deadlock; how far away
// b's element is, or how many unrelated contexts the graph has, must not matter.
//   sel pops b at 100, writes x (visible 101) and returns; a_src pops x at 101, writes a
//   (never read), sees the end of x and returns at 101.
TEST_P(Select, SelectInAFeedbackLoopIsSettledHoweverFarTheOtherElementIs) {
  for (int unrelated : {0, 60}) {
    SCOPED_TRACE("unrelated context pairs: " + std::to_string(unrelated));
    Program g;
    auto [a_tx, a_rx] = g.channel<int>("a");
    auto [b_tx, b_rx] = g.channel<int>("b");
    auto [x_tx, x_rx] = g.channel<int>("x");
    std::vector<Pick> picks;
    g.add("sel", [&](Context& ctx, Receiver<int> a, Receiver<int> b, Sender<int> x) -> Process {
      auto i = co_await select(a, b);
      picks.emplace_back(i ? static_cast<int>(*i) : -1, ctx.now());
      if (i && *i == 1) {
        co_await b.pop();
        co_await x.push(0);  // at 100, visible 101
      }
    }, std::move(a_rx), std::move(b_rx), std::move(x_tx));
    g.add("a_src", [](Context&, Receiver<int> x, Sender<int> a) -> Process {
      while (auto v = co_await x.pop()) co_await a.push(*v);  // pops at 101
    }, std::move(x_rx), std::move(a_tx));
    g.add("b_src", send_at({99}), std::move(b_tx));  // visible 100
    for (int u = 0; u < unrelated; ++u) {  // each pair returns at once
      auto [tx, rx] = g.channel<int>("u" + std::to_string(u));
      g.add("u_src" + std::to_string(u), send_at({}), std::move(tx));
      g.add("u_dst" + std::to_string(u), units::discard<int>(), std::move(rx));
    }
    RunResult r = run(g);
    EXPECT_EQ(r.status, RunStatus::completed) << r.describe_problem();
    EXPECT_THAT(picks, ElementsAre(Pick{1, 100}));
    EXPECT_EQ(r.elapsed_cycles, 101u);
  }
}

// Three senders with random gaps and latencies into unbounded channels (so every write time
// is known in advance): the selector's order must be the merge of the three streams by
// visible time, ties to the lower index.
TEST_P(Select, MergeOfRandomStreamsFollowsTimestamps) {
  constexpr int kInputs = 3, kPerInput = 60;
  std::mt19937 rng(12345);
  std::vector<std::vector<Cycle>> write_times(kInputs);
  std::vector<Cycle> latency(kInputs);
  for (int i = 0; i < kInputs; ++i) {
    latency[static_cast<std::size_t>(i)] = 1 + rng() % 3;
    Cycle t = 0;
    for (int k = 0; k < kPerInput; ++k) {
      t += rng() % 4;  // gaps of 0..3 cycles: plenty of ties
      write_times[static_cast<std::size_t>(i)].push_back(t);
    }
  }
  // The reference merge.
  std::vector<std::pair<int, Cycle>> expected;  // (input, visible time)
  std::vector<std::size_t> next(kInputs, 0);
  while (true) {
    int best = -1;
    Cycle best_time = 0;
    for (int i = 0; i < kInputs; ++i) {
      auto& n = next[static_cast<std::size_t>(i)];
      if (n == kPerInput) continue;
      Cycle v = write_times[static_cast<std::size_t>(i)][n] + latency[static_cast<std::size_t>(i)];
      if (best < 0 || v < best_time) best = i, best_time = v;
    }
    if (best < 0) break;
    ++next[static_cast<std::size_t>(best)];
    expected.emplace_back(best, best_time);
  }

  Program g;
  std::vector<Receiver<int>> ins;
  for (int i = 0; i < kInputs; ++i) {
    auto [tx, rx] = g.channel<int>("in" + std::to_string(i),
                                   {.capacity = unbounded, .latency = latency[static_cast<std::size_t>(i)]});
    g.add("src" + std::to_string(i), send_at(write_times[static_cast<std::size_t>(i)]), std::move(tx));
    ins.push_back(std::move(rx));
  }
  std::vector<std::pair<int, Cycle>> got;
  g.add("merge", [&](Context& ctx, std::vector<Receiver<int>> in) -> Process {
    while (auto i = co_await select(std::span<Receiver<int>>(in))) {
      got.emplace_back(static_cast<int>(*i), ctx.now());
      co_await in[*i].pop();
    }
  }, std::move(ins));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Visible times of the merge never decrease, so the selector's clock is each one's time.
  EXPECT_EQ(got, expected);
}

DFSIM_ON_EVERY_EXECUTOR(Select);

}  // namespace
}  // namespace dfsim::test
