// Map: cycle counts derived by hand from docs/sdpa.md's step rule; values; several inputs;
// per-row inputs; atomic fan-out; several ports; vectors.
#include <gtest/gtest.h>

#include <array>
#include <span>
#include <string>
#include <tuple>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "timed.hpp"

namespace dfsim::units {
namespace {

using testing::iota;
using testing::record;
using testing::Timed;
using testing::times;
using testing::values;

TEST(Map, LatencyDelaysEveryResult) {
  // x_j is written at j and visible at j + 1 (source: latency 1, II 1, unbounded FIFO). A Map
  // with II 1 and latency 4 dequeues x_j at j + 1 and writes x_j^2 visible at j + 1 + 4.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(5)), std::move(x_tx));
  g.add("square", map([](double x) { return x * x; }, {.timing = {.latency = 4}}), std::move(x_rx),
        std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{0, 1, 4, 9, 16}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{5, 6, 7, 8, 9}));
  EXPECT_EQ(r.elapsed_cycles, 9u);
}

TEST(Map, InitiationIntervalSpacesTheSteps) {
  // II 3: steps at 1, 4, 7, 10 (x_j is visible at j + 1, never later than the step); latency 2.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(4)), std::move(x_tx));
  g.add("inc", map([](double x) { return x + 1; }, {.timing = {.latency = 2, .initiation_interval = 3}}),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{3, 6, 9, 12}));
  // The Map returns after seeing the end at clock 13 (its fourth step at 10, + II).
  EXPECT_EQ(r.context("inc").final_clock, 13u);
  EXPECT_EQ(r.elapsed_cycles, 13u);
}

TEST(Map, ShallowOutputFifoThrottlesALongLatency) {
  // Latency 3 into a FIFO of depth 2: write k needs the slot freed by the sink's dequeue of
  // k - 2 (at its visible time + 1). Each write is stamped 3 after the pop that issues it,
  // before the wait: pops at 1, 2, 3, 6; writes at 1, 2, 5 (waits 2 for f_0 = 5), 6; visible
  // at max(pop + 3, write + 1) = 4, 5, 6, 9. (Stamped after the wait, element 2 would be
  // visible at 8.) Depth P + 1 = 4 streams at full rate (see LatencyDelaysEveryResult).
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = 2});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(4)), std::move(x_tx));
  g.add("id", map([](double x) { return x; }, {.timing = {.latency = 3}}), std::move(x_rx),
        std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{4, 5, 6, 9}));
  EXPECT_EQ(r.context("id").backpressured_cycles, 2u);
}

TEST(Map, WaitsForEveryInputAndDequeuesThemTogether) {
  // a_j is visible at j + 1; b_j (II 2 source) at 2j + 1. A step waits for both, so step j
  // runs at 2j + 1 and both elements are dequeued then.
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = unbounded});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("a_src", memory_source(iota(4)), std::move(a_tx));
  g.add("b_src", memory_source(iota(4, 10), {.timing = {.initiation_interval = 2}}), std::move(b_tx));
  g.add("add", map([](double a, double b) { return a + b; }), std::move(a_rx), std::move(b_rx),
        std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{10, 12, 14, 16}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{2, 4, 6, 8}));
}

TEST(Map, PerRowInputIsReadOnceARowAndHeld) {
  // Rows of 3: a_r is read at the first step of row r only; b streams every step.
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a");
  auto [b_tx, b_rx] = g.channel<double>("b");
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("a_src", memory_source(std::vector<double>{100, 200}), std::move(a_tx));
  g.add("b_src", memory_source(iota(6)), std::move(b_tx));
  g.add("add", map([](double a, double b) { return a + b; }, {.row_length = 3, .per_row_inputs = {0}}),
        std::move(a_rx), std::move(b_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{100, 101, 102, 203, 204, 205}));
  // b_j is visible at j + 1 and never waits for a (a_1 is visible at 2): full rate.
  EXPECT_EQ(times(got), (std::vector<Cycle>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r.channel("a").elements, 2u);
}

TEST(Map, FanOutWaitsForCreditOnEveryOutput) {
  // y goes to a fast sink (unbounded FIFO "fast") and, through a FIFO of depth 1 ("slow"), to
  // a Map with II 4. Write j needs the slot of j - 1 in "slow", freed one cycle after the slow
  // Map dequeues j - 1 at d_{j-1}: writes at w = 1, 3, 7, 11, 15 (d = 2, 6, 10, 14, 18). Both
  // outputs get each value at the same cycle, so the fast sink sees w + 1.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [fast_tx, fast_rx] = g.channel<double>("fast", {.capacity = unbounded});
  auto [slow_tx, slow_rx] = g.channel<double>("slow", {.capacity = 1});
  auto [z_tx, z_rx] = g.channel<double>("z", {.capacity = unbounded});
  std::vector<Timed<double>> fast, slow;
  g.add("src", memory_source(iota(5)), std::move(x_tx));
  g.add("fan", map([](double x) { return -x; }), std::move(x_rx),
        std::array{std::move(fast_tx), std::move(slow_tx)});
  g.add("slow_map", map([](double x) { return x; }, {.timing = {.initiation_interval = 4}}),
        std::move(slow_rx), std::move(z_tx));
  g.add("fast_sink", record(fast), std::move(fast_rx));
  g.add("slow_sink", record(slow), std::move(z_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(fast), (std::vector<double>{0, -1, -2, -3, -4}));
  EXPECT_EQ(values(slow), values(fast));
  EXPECT_EQ(times(fast), (std::vector<Cycle>{2, 4, 8, 12, 16}));
  EXPECT_EQ(times(slow), (std::vector<Cycle>{3, 7, 11, 15, 19}));
}

TEST(Map, TupleResultGoesOnePortPerComponent) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [lo_tx, lo_rx] = g.channel<double>("lo");
  auto [hi_tx, hi_rx] = g.channel<int>("hi");
  std::vector<double> lo;
  std::vector<int> hi;
  g.add("src", memory_source(std::vector<double>{1.25, 7.5}), std::move(x_tx));
  g.add("split", map([](double x) { return std::tuple{x - int(x), int(x)}; }), std::move(x_rx),
        std::move(lo_tx), std::move(hi_tx));
  g.add("lo_sink", collect(lo), std::move(lo_rx));
  g.add("hi_sink", collect(hi), std::move(hi_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(lo, (std::vector<double>{0.25, 0.5}));
  EXPECT_EQ(hi, (std::vector<int>{1, 7}));
}

TEST(Map, VectorElements) {
  // Rows of a 3 x 2 matrix stream as spans; the Map scales each into a std::vector.
  Program g;
  auto [x_tx, x_rx] = g.channel<std::span<const double>>("x");
  auto [y_tx, y_rx] = g.channel<std::vector<double>>("y");
  std::vector<std::vector<double>> got;
  g.add("src", memory_rows_source(std::vector<double>{1, 2, 3, 4, 5, 6}, 2), std::move(x_tx));
  g.add("scale",
        map([](std::span<const double> x) { return std::vector<double>{2 * x[0], 2 * x[1]}; }),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", collect(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<std::vector<double>>{{2, 4}, {6, 8}, {10, 12}}));
}

TEST(Map, ControllerDelays) {
  // Start-up delay 5, per-row delay 3, rows of 2, II 1, latency 1, rows known (2):
  // row 0 steps at 0 + 5 + 3 = 8, 9; row 1 at 10 + 3 = 13, 14. Visible one cycle later.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(4)), std::move(x_tx));
  g.add("id", map([](double x) { return x; },
                  {.timing = {.startup_delay = 5, .per_row_delay = 3}, .row_length = 2, .rows = 2}),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{9, 10, 14, 15}));
  EXPECT_EQ(r.context("id").final_clock, 15u);  // returns after its last row: 14 + II
}

TEST(Map, WithoutARowCountItSpendsThePerRowDelayBeforeSeeingTheEnd) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(2)), std::move(x_tx));
  g.add("id", map([](double x) { return x; }, {.timing = {.per_row_delay = 3}}), std::move(x_rx),
        std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Rows of 1: steps at 3 and 7 (3 + II + 3); then 8 + 3 = 11 before the end is seen.
  EXPECT_EQ(times(got), (std::vector<Cycle>{4, 8}));
  EXPECT_EQ(r.context("id").final_clock, 11u);
}

TEST(Map, ElementWiseWithAStartUpDelayAsTheStepLoop) {
  // Start-up delay 5, rows of 1, no row count: the element-wise stage (bulk moves where it has
  // credit). x_j is visible at j + 1; steps at 5, 6, 7, 8, visible one cycle later. With a row
  // count (rows = 4) the same Map runs the step loop: the same cycles.
  for (bool with_rows : {false, true}) {
    Program g;
    auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 8});
    auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = 8});
    std::vector<Timed<double>> got;
    UnitOptions options{.timing = {.startup_delay = 5}};
    if (with_rows) options.rows = 4;
    ASSERT_EQ(detail::is_element_wise(options), !with_rows);
    g.add("src", memory_source(iota(4)), std::move(x_tx));
    g.add("id", map([](double x) { return x + 1; }, options), std::move(x_rx), std::move(y_tx));
    g.add("sink", record(got), std::move(y_rx));
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    EXPECT_EQ(values(got), (std::vector<double>{1, 2, 3, 4}));
    EXPECT_EQ(times(got), (std::vector<Cycle>{6, 7, 8, 9})) << "rows given: " << with_rows;
    EXPECT_EQ(r.context("id").final_clock, 9u) << "rows given: " << with_rows;
  }
}

TEST(Map, ElementWiseWaitsForItsInputWithAPeek) {
  // Two Maps in a ring with nothing in it: each waits for the other's element, and the
  // deadlock report says what the step loop would: a peek.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [y_tx, y_rx] = g.channel<double>("y");
  g.add("a", map([](double v) { return v; }), std::move(y_rx), std::move(x_tx));
  g.add("b", map([](double v) { return v; }), std::move(x_rx), std::move(y_tx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  const std::string text = r.describe_problem();
  EXPECT_NE(text.find("a at cycle 0: peek from 'y' (empty), sender 'b'"), std::string::npos) << text;
  EXPECT_NE(text.find("b at cycle 0: peek from 'x' (empty), sender 'a'"), std::string::npos) << text;
}

}  // namespace
}  // namespace dfsim::units
