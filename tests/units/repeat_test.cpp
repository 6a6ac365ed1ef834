// Repeat: every input written count times, one per step.
#include <gtest/gtest.h>

#include <stdexcept>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "timed.hpp"

namespace dfsim::units {
namespace {

using testing::record;
using testing::Timed;
using testing::times;
using testing::values;

TEST(Repeat, EachInputCountTimesOnePerCycle) {
  // x_r is visible at r + 1; step (r, s) runs at r R + s + 1 and is visible one cycle later:
  // M R outputs, the last visible at M R + P = 6 + 1.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(std::vector<double>{7, 8}), std::move(x_tx));
  g.add("rep", repeat(3), std::move(x_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{7, 7, 7, 8, 8, 8}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r.channel("x").elements, 2u);
}

TEST(Repeat, WithTimingAndAKnownInputCount) {
  // II 2, latency 4, per-row delay 1 (once per input), 2 inputs of 2 repeats:
  // steps at 1 (x_0 visible at 1), 3; then 5 + 1 = 6, 8. Visible 4 cycles later.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(std::vector<double>{1, 2}), std::move(x_tx));
  g.add("rep", repeat(2, {.timing = {.latency = 4, .initiation_interval = 2, .per_row_delay = 1}, .inputs = 2}),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{5, 7, 10, 12}));
  EXPECT_EQ(r.context("rep").final_clock, 10u);
}

TEST(Repeat, ZeroCountIsRejected) {
  EXPECT_THROW(repeat(0), std::invalid_argument);
}

}  // namespace
}  // namespace dfsim::units
