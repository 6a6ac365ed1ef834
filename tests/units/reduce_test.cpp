// Reduce: folds each row into one output written at the row's last step.
#include <gtest/gtest.h>

#include <span>
#include <stdexcept>

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

auto sum = [](double& s, double x) { s += x; };

TEST(Reduce, RowSumsWithInitiationIntervalTwo) {
  // Rows of R = 4, II 2, latency 5, 3 rows (M R = 12 inputs). x_g is visible at g + 1
  // (unbounded FIFO); step g runs at 2g + 1, never waiting. Row r ends at step 4r + 3,
  // so its sum is visible at 2(4r + 3) + 1 + 5 = 8r + 12. The last: 2 M R - 1 + P = 28.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(12)), std::move(x_tx));
  g.add("sum", reduce(0.0, sum, {.timing = {.latency = 5, .initiation_interval = 2}, .row_length = 4}),
        std::move(x_rx), std::move(s_tx));
  g.add("sink", record(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{0 + 1 + 2 + 3, 4 + 5 + 6 + 7, 8 + 9 + 10 + 11}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{12, 20, 28}));
  EXPECT_EQ(r.elapsed_cycles, 28u);
}

TEST(Reduce, ThrottlesADepthTwoProducerToItsRate) {
  // The same with the source's FIFO at depth 2: write j needs the slot of j - 2, freed at
  // 2(j - 2) + 1 + 1 = 2j - 2, which is before the Reduce needs x_j (2j + 1): same cycles.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 2});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(12)), std::move(x_tx));
  g.add("sum", reduce(0.0, sum, {.timing = {.latency = 5, .initiation_interval = 2}, .row_length = 4}),
        std::move(x_rx), std::move(s_tx));
  g.add("sink", record(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(times(got), (std::vector<Cycle>{12, 20, 28}));
  EXPECT_GT(r.context("src").backpressured_cycles, 0u);
}

TEST(Reduce, StartupAndPerRowDelays) {
  // S = 3, D = 4, II 2, R = 3, M = 2 rows, P = 5. Row 0: steps at 7, 9, 11 (written
  // visible 16); row 1: 13 + 4 = 17, 19, 21 (visible 26) = S + M D + (M R - 1) II + P.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(6)), std::move(x_tx));
  g.add("sum",
        reduce(0.0, sum,
               {.timing = {.latency = 5, .initiation_interval = 2, .startup_delay = 3, .per_row_delay = 4},
                .row_length = 3,
                .rows = 2}),
        std::move(x_rx), std::move(s_tx));
  g.add("sink", record(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{3, 12}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{16, 26}));
  EXPECT_EQ(r.context("sum").final_clock, 23u);
}

TEST(Reduce, StateResetsEveryRow) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [m_tx, m_rx] = g.channel<double>("m");
  std::vector<double> got;
  g.add("src", memory_source(std::vector<double>{5, -1, 2, -7, -3, -9}), std::move(x_tx));
  g.add("max", reduce(-1e300, [](double& m, double x) { m = std::max(m, x); }, {.row_length = 3}),
        std::move(x_rx), std::move(m_tx));
  g.add("sink", collect(got), std::move(m_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<double>{5, -3}));
}

TEST(Reduce, PerRowInputAndVectorState) {
  // acc_r = sum_j w_r * v_j over rows of 2, with w per row: a weighted sum of 2-vectors.
  Program g;
  auto [w_tx, w_rx] = g.channel<double>("w");
  auto [v_tx, v_rx] = g.channel<std::span<const double>>("v");
  auto [o_tx, o_rx] = g.channel<std::vector<double>>("o");
  std::vector<std::vector<double>> got;
  g.add("w_src", memory_source(std::vector<double>{1, 10}), std::move(w_tx));
  g.add("v_src", memory_rows_source(std::vector<double>{1, 2, 3, 4}, 2, {.passes = 2}), std::move(v_tx));
  g.add("acc",
        reduce(std::vector<double>(2, 0.0),
               [](std::vector<double>& acc, double w, std::span<const double> v) {
                 for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += w * v[i];
               },
               {.row_length = 2, .per_row_inputs = {0}}),
        std::move(w_rx), std::move(v_rx), std::move(o_tx));
  g.add("sink", collect(got), std::move(o_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<std::vector<double>>{{4, 6}, {40, 60}}));
  EXPECT_EQ(r.channel("w").elements, 2u);
}

TEST(Reduce, InputEndingInTheMiddleOfARowFailsTheRunByName) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [s_tx, s_rx] = g.channel<double>("s");
  std::vector<double> got;
  g.add("src", memory_source(iota(4)), std::move(x_tx));
  g.add("sum", reduce(0.0, sum, {.row_length = 3}), std::move(x_rx), std::move(s_tx));
  g.add("sink", collect(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "sum");
  EXPECT_NE(r.failure->message.find("input 'x' ended in the middle of row 1"), std::string::npos)
      << r.failure->message;
}

TEST(Reduce, FewerRowsThanPromisedFailsTheRun) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [s_tx, s_rx] = g.channel<double>("s");
  std::vector<double> got;
  g.add("src", memory_source(iota(4)), std::move(x_tx));
  g.add("sum", reduce(0.0, sum, {.row_length = 2, .rows = 3}), std::move(x_rx), std::move(s_tx));
  g.add("sink", collect(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_NE(r.failure->message.find("ended after 2 of 3 rows"), std::string::npos)
      << r.failure->message;
}

}  // namespace
}  // namespace dfsim::units
