// Units under back-pressure (docs/semantics.md, "Several outputs, several inputs" and "Worked
// examples"): a stamp counts from the clock at which the step issues its writes, before any
// wait for credit; outputs are written together or in order, inputs taken together or in
// order. Every count below is derived by hand from the contract.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "timed.hpp"

namespace dfsim::units {
namespace {

using testing::iota;
using testing::record;
using testing::Timed;
using testing::times;

// A consumer slower than one element per cycle: pops, then spends `interval` cycles.
auto record_every(std::vector<Timed<double>>& into, Cycle interval) {
  return [&into, interval](Context& ctx, Receiver<double> in) -> Process {
    while (auto v = co_await in.pop()) {
      into.push_back({*v, ctx.now()});
      ctx.advance(interval);
    }
  };
}

TEST(Discipline, APipelinedUnitStampsFromTheClockItIssuesAt) {
  // x_k visible at k + 1. The unit (P = 4, II 1) pops x_k at t_k and stamps its write t_k + 4;
  // the write waits for the slot of y_{k-1} (C = 1), freed at (the pop of y_{k-1}) + 1, to
  // t'_k, and is visible at max(t_k + 4, t'_k + 1). The consumer pops at max(its clock,
  // visible) and then advances 3.
  //   k  t_k  stamp  free  t'_k  visible   popped
  //   0   1     5     -     1   max(5, 2)=5   5
  //   1   2     6     6     6   max(6, 7)=7   max(8, 7) = 8
  //   2   7    11     9     9   max(11,10)=11 11
  //   3  10    14    12    12   14            14
  //   4  13    17    15    15   17            17
  // The unit waits 4 + 2 + 2 + 2 cycles for credit. Stamped after the wait (t'_k + 4) the
  // elements would be popped at 5, 10, 15, 20, 25: the pipeline depth in series with the
  // credit loop.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = 1});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(5)), std::move(x_tx));
  g.add("unit", map([](double x) { return x; }, {.timing = {.latency = 4}}), std::move(x_rx),
        std::move(y_tx));
  g.add("slow", record_every(got, 3), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{5, 8, 11, 14, 17}));
  EXPECT_EQ(r.context("unit").backpressured_cycles, 10u);
  EXPECT_EQ(r.elapsed_cycles, 20u);  // the consumer's clock after its last pop, 17 + 3
}

struct TwoOutputs {
  std::vector<Timed<double>> a, b;
  RunResult result;
};

// x -> unit (P = 4, II 1) -> a (C = 2, popped when visible) and b (C = 1, popped every 5).
TwoOutputs run_two_outputs(Discipline outputs) {
  TwoOutputs out;
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = 2});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 1});
  g.add("src", memory_source(iota(3)), std::move(x_tx));
  g.add("unit",
        map([](double x) { return std::pair{x, -x}; },
            {.timing = {.latency = 4}, .output_discipline = outputs}),
        std::move(x_rx), std::move(a_tx), std::move(b_tx));
  g.add("fast", record(out.a), std::move(a_rx));
  g.add("slow", record_every(out.b, 5), std::move(b_rx));
  out.result = run(g);
  return out;
}

TEST(Discipline, OutputsWrittenTogetherWaitForTheFullestChannel) {
  // Step k pops x_k at t_k and stamps both writes t_k + 4. Together, both wait for b's slot
  // (freed at b's pop of element k - 1, + 1) and are written at the same t'_k.
  //   k  t_k  stamp  b free  t'_k  visible (a and b)  b popped
  //   0   1     5      -      1        5                5
  //   1   2     6      6      6     max(6, 7) = 7       max(10, 7) = 10
  //   2   7    11     11     11     max(11, 12) = 12    15
  TwoOutputs r = run_two_outputs(Discipline::together);
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(times(r.a), (std::vector<Cycle>{5, 7, 12}));
  EXPECT_EQ(times(r.b), (std::vector<Cycle>{5, 10, 15}));
  EXPECT_EQ(r.result.context("unit").backpressured_cycles, 4u + 4u);
}

TEST(Discipline, OutputsWrittenInOrderLetTheFirstGoAhead) {
  // In order, a then b, both stamped t_k + 4: a is written as soon as it has credit, then the
  // unit waits for b's own.
  //   k  t_k  stamp  a written  a visible        b written (free)  b visible
  //   0   1     5        1      max(5, 2) = 5        1             5
  //   1   2     6        2      max(6, 3) = 6        6             max(6, 7) = 7
  //   2   7    11        7      max(11, 8) = 11      11            max(11, 12) = 12
  // (a's write 2 needs a's slot 0, freed at 5 + 1 = 6 <= 7.) b's times, and the unit's waits,
  // are those of the together case; a's elements 1 and 2 arrive a cycle earlier.
  TwoOutputs r = run_two_outputs(Discipline::in_order);
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(times(r.a), (std::vector<Cycle>{5, 6, 11}));
  EXPECT_EQ(times(r.b), (std::vector<Cycle>{5, 10, 15}));
  EXPECT_EQ(r.result.context("unit").backpressured_cycles, 4u + 4u);
}

// x -> unit (P = 4, II 1) -> one fan-out port of a (C = 2, popped when visible) and b (C = 1,
// popped every 5): a std::array of the two Senders, or a std::vector (width known at run time).
template <class Port>
TwoOutputs run_fan_out(Discipline outputs) {
  TwoOutputs out;
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = 2});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 1});
  Port port{};
  if constexpr (requires { port.push_back(std::move(a_tx)); }) {
    port.push_back(std::move(a_tx));
    port.push_back(std::move(b_tx));
  } else {
    port = {std::move(a_tx), std::move(b_tx)};
  }
  g.add("src", memory_source(iota(3)), std::move(x_tx));
  g.add("unit", map([](double x) { return x; }, {.timing = {.latency = 4}, .output_discipline = outputs}),
        std::move(x_rx), std::move(port));
  g.add("fast", record(out.a), std::move(a_rx));
  g.add("slow", record_every(out.b, 5), std::move(b_rx));
  out.result = run(g);
  return out;
}

TEST(Discipline, ARunTimeFanOutIsTimedAsACompileTimeOne) {
  // The tables of the two tests above: a fan-out is two outputs that receive one value.
  using Fixed = std::array<Sender<double>, 2>;
  using Runtime = std::vector<Sender<double>>;
  for (Discipline d : {Discipline::together, Discipline::in_order}) {
    TwoOutputs fixed = run_fan_out<Fixed>(d);
    TwoOutputs runtime = run_fan_out<Runtime>(d);
    ASSERT_TRUE(runtime.result.ok()) << runtime.result.describe_problem();
    const bool together = d == Discipline::together;
    EXPECT_EQ(times(runtime.a), together ? (std::vector<Cycle>{5, 7, 12}) : (std::vector<Cycle>{5, 6, 11}));
    EXPECT_EQ(times(runtime.b), (std::vector<Cycle>{5, 10, 15}));
    EXPECT_EQ(testing::values(runtime.a), (std::vector<double>{0, 1, 2}));
    EXPECT_EQ(testing::values(runtime.b), testing::values(runtime.a));
    EXPECT_EQ(runtime.result.context("unit").backpressured_cycles, 8u);
    EXPECT_EQ(times(runtime.a), times(fixed.a));
    EXPECT_EQ(times(runtime.b), times(fixed.b));
  }
}

// x (C = 1, from a source writing every cycle) and y (a source starting at cycle 3) -> unit
// (P = 1, II 1) -> out.
RunResult run_two_inputs(Discipline inputs, std::vector<Timed<double>>& got) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 1});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  auto [o_tx, o_rx] = g.channel<double>("out", {.capacity = unbounded});
  g.add("x_src", memory_source(iota(4)), std::move(x_tx));
  g.add("y_src", memory_source(iota(4), {.timing = {.startup_delay = 3}}), std::move(y_tx));
  g.add("unit",
        map([](double x, double y) { return x + y; }, {.input_discipline = inputs}),
        std::move(x_rx), std::move(y_rx), std::move(o_tx));
  g.add("sink", record(got), std::move(o_rx));
  return run(g);
}

TEST(Discipline, InputsTakenTogetherFreeTheirSlotsAtTheLatest) {
  // y_k is visible at k + 4. Step k peeks x_k and y_k, then dequeues both at
  // t_k = max(clock, x_k, y_k); x's slot frees at t_k + 1, so x_src writes x_{k+1} then,
  // visible one later.
  //   k:            0  1  2   3
  //   x_k visible:  1  6  8  10   (x_1 written at f_0 = 5, x_2 at 7, x_3 at 9)
  //   t_k:          4  6  8  10
  //   out visible:  5  7  9  11
  std::vector<Timed<double>> got;
  RunResult r = run_two_inputs(Discipline::together, got);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{5, 7, 9, 11}));
  // x_src: x_1 waits 1 -> 5, x_2 6 -> 7, x_3 8 -> 9.
  EXPECT_EQ(r.context("x_src").backpressured_cycles, 4u + 1u + 1u);
}

TEST(Discipline, InputsTakenInOrderFreeTheFirstEarly) {
  // In order: dequeue x_k (its slot frees one cycle later), then y_k.
  //   k:             0  1  2  3
  //   x_k written:   0  2  6  8   (at the free of the pop of x_{k-1})
  //   x_k popped:    1  5  7  9   (max(clock, visible); x_1 visible 3, the unit busy until 5)
  //   t_k (y too):   4  5  7  9   (y_k visible k + 4)
  //   out visible:   5  6  8 10
  // A cycle per element faster from the second on: x's producer gets its credit back before
  // the unit's clock moves on for y.
  std::vector<Timed<double>> got;
  RunResult r = run_two_inputs(Discipline::in_order, got);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{5, 6, 8, 10}));
  // x_src: x_1 waits 1 -> 2, x_2 3 -> 6, x_3 7 -> 8.
  EXPECT_EQ(r.context("x_src").backpressured_cycles, 1u + 3u + 1u);
}

}  // namespace
}  // namespace dfsim::units
