// Sources stream from memory (one element per cycle, stamped clock + 1 by default); sinks
// dequeue each element as soon as it is visible.
#include <gtest/gtest.h>

#include <array>
#include <span>
#include <stdexcept>
#include <string>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "timed.hpp"

namespace dfsim::units {
namespace {

using testing::record;
using testing::Timed;
using testing::times;
using testing::values;

TEST(Source, OneElementPerCycleStampedClockPlusOne) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(std::vector<double>{4, 5, 6}), std::move(x_tx));
  g.add("sink", record(got), std::move(x_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{1, 2, 3}));
  EXPECT_EQ(r.context("src").final_clock, 3u);
  EXPECT_EQ(r.elapsed_cycles, 3u);
}

TEST(Source, PassesRepeatTheMemory) {
  // K is streamed once per query row: n passes over the n keys.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  std::vector<double> got;
  g.add("src", memory_source(std::vector<double>{1, 2}, {.passes = 3}), std::move(x_tx));
  g.add("sink", collect(got), std::move(x_rx));
  ASSERT_TRUE(run(g).ok());
  EXPECT_EQ(got, (std::vector<double>{1, 2, 1, 2, 1, 2}));
}

TEST(Source, GridWithTimingAndDelays) {
  // 2 rows of 2, start-up 1, per-row delay 2, II 3, latency 4: writes at 3, 6, then
  // 9 + 2 = 11, 14; visible 4 cycles later.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src",
        source([](std::uint64_t i, std::uint64_t j) { return double(10 * i + j); },
               {.timing = {.latency = 4, .initiation_interval = 3, .startup_delay = 1, .per_row_delay = 2},
                .row_length = 2,
                .rows = 2}),
        std::move(x_tx));
  g.add("sink", record(got), std::move(x_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{0, 1, 10, 11}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{7, 10, 15, 18}));
}

TEST(Source, BackPressuredByADepthOneFifo) {
  // Depth 1: write k needs the slot freed one cycle after the sink dequeues k - 1 (at its
  // visible time): one element every 2 cycles.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 1});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(std::vector<double>{1, 2, 3}), std::move(x_tx));
  g.add("sink", record(got), std::move(x_rx));
  ASSERT_TRUE(run(g).ok());
  EXPECT_EQ(times(got), (std::vector<Cycle>{1, 3, 5}));
}

TEST(Source, RowsOfAMatrixAsSpans) {
  Program g;
  auto [x_tx, x_rx] = g.channel<std::span<const float>>("x");
  std::vector<std::vector<float>> got;
  g.add("src", memory_rows_source(std::vector<float>{1, 2, 3, 4, 5, 6}, 3, {.passes = 2}), std::move(x_tx));
  g.add("sink", sink([&got](std::span<const float> row) { got.emplace_back(row.begin(), row.end()); }),
        std::move(x_rx));
  ASSERT_TRUE(run(g).ok());
  EXPECT_EQ(got, (std::vector<std::vector<float>>{{1, 2, 3}, {4, 5, 6}, {1, 2, 3}, {4, 5, 6}}));
}

TEST(Source, RowsSourceRejectsARaggedMatrix) {
  EXPECT_THROW(memory_rows_source(std::vector<double>{1, 2, 3}, 2), std::invalid_argument);
}

TEST(Source, FanOutToTwoFifos) {
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a");
  auto [b_tx, b_rx] = g.channel<double>("b");
  std::vector<double> a, b;
  g.add("src", memory_source(std::vector<double>{1, 2, 3}), std::array{std::move(a_tx), std::move(b_tx)});
  g.add("sa", collect(a), std::move(a_rx));
  g.add("sb", collect(b), std::move(b_rx));
  ASSERT_TRUE(run(g).ok());
  EXPECT_EQ(a, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(b, a);
}

TEST(Source, FanOutOfRunTimeWidth) {
  // One memory read per step, written to every Sender of the vector at the same cycle.
  Program g;
  const std::size_t width = 3;
  std::vector<Sender<double>> port;
  std::vector<std::vector<Timed<double>>> got(width);
  for (std::size_t i = 0; i < width; ++i) {
    auto [tx, rx] = g.channel<double>("out" + std::to_string(i));
    port.push_back(std::move(tx));
    g.add("sink" + std::to_string(i), testing::record(got[i]), std::move(rx));
  }
  g.add("src", memory_source(std::vector<double>{1, 2, 3}), std::move(port));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  for (const auto& sink : got) {
    EXPECT_EQ(testing::values(sink), (std::vector<double>{1, 2, 3}));
    EXPECT_EQ(testing::times(sink), (std::vector<Cycle>{1, 2, 3}));
  }
  EXPECT_EQ(r.elapsed_cycles, 3u);
}

TEST(Sink, DequeuesAtTheVisibleTime) {
  // The sink never advances its own clock: the run ends when the last element is visible.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  std::vector<double> got;
  g.add("src", memory_source(std::vector<double>{1, 2}, {.timing = {.latency = 9}}), std::move(x_tx));
  g.add("sink", collect(got), std::move(x_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.context("sink").final_clock, 10u);  // written at 1, visible at 10
  EXPECT_EQ(r.elapsed_cycles, 10u);
}

TEST(Source, TheSameCyclesWhateverTheFifoDepth) {
  // Ten writes, latency 1, II 1; the sink dequeues each at its visible time, freeing its slot
  // 1 later. Depth 1: write k waits for the slot of k - 1 (dequeued at 2k - 1, free at 2k), so
  // k is visible at 2k + 1. Depth 2 or more: the slot of k - 2 is free at k, no wait; visible
  // at k + 1. Depths 4 and 8 run the stream loop's bulk moves, 1 and 2 the step loop (a FIFO
  // that shallow never holds a move long enough to pay).
  for (std::uint64_t depth : {1u, 2u, 4u, 8u}) {
    Program g;
    auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = depth});
    std::vector<Timed<double>> got;
    g.add("src", index_source(10, [](std::uint64_t i) { return double(i); }), std::move(x_tx));
    g.add("sink", record(got), std::move(x_rx));
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    std::vector<Cycle> expected;
    for (Cycle k = 0; k < 10; ++k) expected.push_back(depth == 1 ? 2 * k + 1 : k + 1);
    EXPECT_EQ(times(got), expected) << "depth " << depth;
    EXPECT_EQ(r.context("src").backpressured_cycles, depth == 1 ? 9u : 0u) << "depth " << depth;
  }
}

TEST(Sink, DequeuesInBulkEachAtItsVisibleTime) {
  // Ten elements visible at 1, ..., 10 in a FIFO of depth 8 (the source never waits): the
  // sink dequeues those already there in bulk, fn seeing the clock of each one's dequeue, as
  // a pop at a time would. Its clock only ever waits: starved for all 10 cycles.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 8});
  std::vector<Cycle> seen_at;
  std::vector<double> got;
  Context* sink_ctx = nullptr;
  g.add("src", index_source(10, [](std::uint64_t i) { return double(i); }), std::move(x_tx));
  sink_ctx = &g.add("sink", sink([&](double v) {
                      got.push_back(v);
                      seen_at.push_back(sink_ctx->now());
                    }),
                    std::move(x_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(seen_at, (std::vector<Cycle>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(r.context("sink").final_clock, 10u);
  EXPECT_EQ(r.context("sink").starved_cycles, 10u);
}

// A sink's fn with end_of_stream() hears the end of the stream once, after the last element,
// at the clock the sink reached; what it throws fails the run, naming the sink.
struct ExpectCount {
  std::size_t expected;
  std::size_t* seen;
  std::vector<std::size_t>* ends;
  void operator()(double) { ++*seen; }
  void end_of_stream() const {
    ends->push_back(*seen);
    if (*seen != expected)
      throw std::runtime_error("got " + std::to_string(*seen) + " of " + std::to_string(expected));
  }
};

TEST(Sink, EndOfStreamAfterTheLastElement) {
  for (std::size_t expected : {3u, 5u}) {
    Program g;
    auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 8});
    std::size_t seen = 0;
    std::vector<std::size_t> ends;
    g.add("src", memory_source(std::vector<double>{1, 2, 3}), std::move(x_tx));
    g.add("sink", sink(ExpectCount{expected, &seen, &ends}), std::move(x_rx));
    RunResult r = run(g);
    EXPECT_EQ(ends, (std::vector<std::size_t>{3})) << "expected " << expected;
    if (expected == 3) {
      EXPECT_TRUE(r.ok()) << r.describe_problem();
    } else {
      ASSERT_EQ(r.status, RunStatus::failed);
      EXPECT_EQ(r.failure->context, "sink");
      EXPECT_EQ(r.failure->message, "got 3 of 5");
      EXPECT_EQ(r.failure->clock, 3u);  // the last element was visible at 3
    }
  }
}

}  // namespace
}  // namespace dfsim::units
