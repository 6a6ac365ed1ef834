// bulk.hpp: bulk moves give exactly the cycles and statistics of the element-at-a-time loops
// they stand for, move only what needs no wait, and step aside where they do not apply.
// (The differential tests hold them to the reference model on random graphs too: the engine
// adapter runs every other node with them.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <type_traits>
#include <random>
#include <stdexcept>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Shape {
  std::uint64_t elements, capacity;
  Cycle latency, response, depth, interval, sink_interval;
  unsigned stages;
};

// An element whose slot (72 bytes) is not a power of two: the bulk moves then index their
// rings by element instead of by byte (detail::Bulk::Ring).
struct Wide {
  std::int64_t v = 0, pad[5] = {};
  friend Wide operator+(Wide w, std::int64_t d) { return {w.v + d, {}}; }
  friend bool operator!=(const Wide& a, const Wide& b) { return a.v != b.v; }
};
static_assert(!std::has_single_bit(sizeof(detail::Slot<Wide>)));
static_assert(std::has_single_bit(sizeof(detail::Slot<std::int64_t>)));

template <class T>
T element(std::int64_t v) {
  if constexpr (std::is_same_v<T, Wide>)
    return Wide{v, {}};
  else
    return v;
}

// The pipeline source -> stages -> sink, written as loops (bulk = false) or with the bulk
// units (index_source, map, a pop_ready sink).
template <class T = std::int64_t>
RunResult run_shape(const Shape& s, bool bulk, const RunOptions& options,
                    std::vector<Cycle>& sink_clocks) {
  Program g;
  ChannelOptions ch{.capacity = s.capacity, .latency = s.latency, .response_latency = s.response};
  auto [tx, rx] = g.channel<T>("c0", ch);
  auto value = [](std::uint64_t i) { return element<T>(static_cast<std::int64_t>(i * 3)); };
  if (bulk) {
    g.add("src", units::index_source(s.elements, value, {.initiation_interval = s.interval}), std::move(tx));
  } else {
    g.add("src",
          [&](Context& ctx, Sender<T> out) -> Process {
            for (std::uint64_t i = 0; i < s.elements; ++i) {
              co_await out.push(value(i));
              ctx.advance(s.interval);
            }
          },
          std::move(tx));
  }
  auto add_two = [](T v) { return T(v + 2); };
  for (unsigned k = 0; k < s.stages; ++k) {
    auto [out, in] = g.channel<T>("c" + std::to_string(k + 1), ch);
    const std::string name = "stage" + std::to_string(k);
    if (bulk && k % 2 == 0) {
      g.add(name, units::map(add_two, {.timing = {.latency = std::max<Cycle>(s.depth, 1), .initiation_interval = s.interval}}), std::move(rx), std::move(out));
    } else if (bulk) {
      // Bulk and element-at-a-time moves in turn, so that each reads slots the other wrote.
      g.add(name,
            [&, add_two](Context& ctx, Receiver<T> in, Sender<T> out) mutable -> Process {
              for (;;) {
                const bool more = co_await in.wait();
                if (!more) break;
                transfer_ready(ctx, in, out, add_two, PipelineDepth{s.depth}, s.interval);
                if (auto x = co_await in.pop()) {
                  co_await out.push(add_two(*x), PipelineDepth{s.depth});
                  ctx.advance(s.interval);
                }
              }
            },
            std::move(rx), std::move(out));
    } else {
      g.add(name,
            [&, add_two](Context& ctx, Receiver<T> in, Sender<T> out) -> Process {
              while (auto x = co_await in.pop()) {
                co_await out.push(add_two(*x), PipelineDepth{s.depth});
                ctx.advance(s.interval);
              }
            },
            std::move(rx), std::move(out));
    }
    rx = std::move(in);
  }
  g.add("sink",
        [&, bulk](Context& ctx, Receiver<T> in) -> Process {
          std::uint64_t i = 0;
          auto check = [&](T v) {
            if (v != T(value(i) + 2 * static_cast<std::int64_t>(s.stages)))
              throw std::runtime_error("wrong value");
            ++i;
            sink_clocks.push_back(ctx.now());
          };
          if (bulk) {
            // A few bulk pops, then one element at a time: each reads slots the other wrote.
            for (;;) {
              const bool more = co_await in.wait();
              if (!more) break;
              pop_ready(ctx, in, check, s.sink_interval, 1 + i % 3);
              if (auto x = co_await in.pop()) {
                check(*x);
                ctx.advance(s.sink_interval);
              }
            }
          } else {
            while (auto x = co_await in.pop()) {
              check(*x);
              ctx.advance(s.sink_interval);
            }
          }
        },
        std::move(rx));
  return run(g, options);
}

class Bulk : public EveryExecutor {};

// Random shapes, including capacity 1 (a wait every other element), long response latencies
// (credit-bound runs) and slow sinks (back-pressure all the way up).
template <class T>
void expect_bulk_same_as_loops(const RunOptions& options, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  for (int round = 0; round < 25; ++round) {
    Shape s{.elements = pick(1, 300), .capacity = pick(1, 9), .latency = pick(1, 4),
            .response = pick(1, 5), .depth = pick(0, 6), .interval = pick(1, 3),
            .sink_interval = pick(0, 4), .stages = static_cast<unsigned>(pick(1, 6))};
    SCOPED_TRACE(::testing::Message() << "round " << round << ": T " << s.elements << " C "
                                      << s.capacity << " L " << s.latency << " R " << s.response
                                      << " P " << s.depth << " II " << s.interval << " sink II "
                                      << s.sink_interval << " K " << s.stages);
    std::vector<Cycle> loop_clocks, bulk_clocks;
    RunResult a = run_shape<T>(s, false, options, loop_clocks);
    RunResult b = run_shape<T>(s, true, options, bulk_clocks);
    ASSERT_TRUE(a.ok()) << a.describe_problem();
    ASSERT_TRUE(b.ok()) << b.describe_problem();
    EXPECT_EQ(a.elapsed_cycles, b.elapsed_cycles);
    EXPECT_EQ(loop_clocks, bulk_clocks);
    ASSERT_EQ(a.contexts.size(), b.contexts.size());
    for (std::size_t i = 0; i < a.contexts.size(); ++i) {
      EXPECT_EQ(a.contexts[i].final_clock, b.contexts[i].final_clock) << a.contexts[i].name;
      EXPECT_EQ(a.contexts[i].starved_cycles, b.contexts[i].starved_cycles) << a.contexts[i].name;
      EXPECT_EQ(a.contexts[i].backpressured_cycles, b.contexts[i].backpressured_cycles)
          << a.contexts[i].name;
    }
    ASSERT_EQ(a.channels.size(), b.channels.size());
    for (std::size_t i = 0; i < a.channels.size(); ++i) {
      EXPECT_EQ(a.channels[i].elements, b.channels[i].elements) << a.channels[i].name;
      EXPECT_EQ(a.channels[i].peak_occupancy, b.channels[i].peak_occupancy) << a.channels[i].name;
    }
  }
}

TEST_P(Bulk, SameCyclesAndStatisticsAsTheLoops) {
  expect_bulk_same_as_loops<std::int64_t>(GetParam().options, 20261202);
}

TEST_P(Bulk, SameCyclesAndStatisticsAsTheLoopsWithSlotsNotAPowerOfTwo) {
  expect_bulk_same_as_loops<Wide>(GetParam().options, 20261203);
}

DFSIM_ON_EVERY_EXECUTOR(Bulk);

// Hand-derived: the source writes 5 elements at 0..4 (L = 1: visible 1..5); the stage,
// capacity 8 everywhere, takes element i at i + 1 and writes it (depth 2) visible at i + 3.
// The stage's first resume finds one element (the source ran first and wrote all 5, but
// transfer_ready sees what is there when it runs): whatever it moves in one go, the clocks are
// those of the loop.
TEST(BulkMoves, TransformCyclesByHand) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 8});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 8});
  g.add("src", units::memory_source(iota_ints(5)), std::move(a_tx));
  g.add("stage", units::map([](int v) { return v * 10; }, {.timing = {.latency = 2}}), std::move(a_rx),
        std::move(b_tx));
  std::vector<int> values;
  std::vector<Cycle> clocks;
  g.add("dst", record_pops(values, clocks), std::move(b_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(values, ElementsAre(0, 10, 20, 30, 40));
  EXPECT_THAT(clocks, ElementsAre(3u, 4u, 5u, 6u, 7u));
  EXPECT_EQ(r.context("stage").final_clock, 6u);   // took element 4 at 5, then + II 1
  EXPECT_EQ(r.context("stage").starved_cycles, 1u);  // waited from 0 for element 0 at 1
}

// Moves only what needs no wait: 3 elements there, credit for 2.
TEST(BulkMoves, TransferReadyStopsAtTheFirstWait) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 4});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 2});
  std::vector<std::uint64_t> moved;
  g.add("src", units::memory_source(iota_ints(3)), std::move(a_tx));
  g.add("stage",
        [&](Context& ctx, Receiver<int> in, Sender<int> out) -> Process {
          ctx.advance(10);  // the source has written all three by now (its clock: 3)
          co_await in.wait();
          auto same = [](int v) { return v; };
          moved.push_back(transfer_ready(ctx, in, out, same, {}, 1));
          moved.push_back(transfer_ready(ctx, in, out, same, {}, 1));  // no credit left
        },
        std::move(a_rx), std::move(b_tx));
  g.add("dst", units::discard<int>(), std::move(b_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // The sequential executor runs src first; a parallel one may not have: then fewer moved.
  EXPECT_THAT(moved, ElementsAre(2u, 0u));
  EXPECT_EQ(r.context("stage").final_clock, 12u);  // 10, 11, then + II
}

// A context that feeds itself sees its own pushes: bulk moves step aside.
TEST(BulkMoves, ContextFeedingItselfIsLeftToTheLoop) {
  Program g;
  auto [tx, rx] = g.channel<int>("loop", {.capacity = 2});
  std::vector<std::uint64_t> moved;
  g.add("self",
        [&](Context& ctx, Receiver<int> in, Sender<int> out) -> Process {
          co_await out.push(1);
          auto inc = [](int v) { return v + 1; };
          for (int i = 0; i < 3; ++i) {
            moved.push_back(transfer_ready(ctx, in, out, inc, {}, 1));
            auto x = co_await in.pop();
            co_await out.push(inc(*x));
            ctx.advance(1);
          }
        },
        std::move(rx), std::move(tx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_THAT(moved, ElementsAre(0u, 0u, 0u));
  // push at 0 (visible 1); pop at 1, push at 1 (visible 2), advance to 2; pop at 2, push, 3;
  // pop at 3, push, 4.
  EXPECT_EQ(r.context("self").final_clock, 4u);
}

// A traced run records every element: bulk moves step aside and the loop runs, same cycles.
TEST(BulkMoves, TracedRunFallsBackWithTheSameCycles) {
  Shape s{.elements = 50, .capacity = 2, .latency = 1, .response = 2, .depth = 3, .interval = 1,
          .sink_interval = 1, .stages = 3};
  std::vector<Cycle> plain_clocks, traced_clocks;
  RunResult plain = run_shape(s, true, {}, plain_clocks);
  Tracer tracer;
  RunResult traced = run_shape(s, true, {.tracer = &tracer}, traced_clocks);
  ASSERT_TRUE(plain.ok() && traced.ok());
  EXPECT_EQ(plain.elapsed_cycles, traced.elapsed_cycles);
  EXPECT_EQ(plain_clocks, traced_clocks);
}

// A throw from the function of a bulk move fails the run, naming the context; the elements
// written before it stay counted.
TEST(BulkMoves, ThrowInsideABulkMoveFailsTheRun) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 8});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 8});
  g.add("src", units::memory_source(iota_ints(6)), std::move(a_tx));
  g.add("stage",
        units::map([](int v) {
          if (v == 4) throw std::runtime_error("bad element 4");
          return v;
        }),
        std::move(a_rx), std::move(b_tx));
  g.add("dst", units::discard<int>(), std::move(b_rx));
  RunResult r = run(g);
  EXPECT_EQ(r.status, RunStatus::failed);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->context, "stage");
  EXPECT_THAT(r.failure->message, HasSubstr("bad element 4"));
  EXPECT_EQ(r.channel("b").elements, 4u);  // 0..3 written before fn threw at 4
}

}  // namespace
}  // namespace dfsim::test
