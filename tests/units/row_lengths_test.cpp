// Rows of varying length (UnitOptions::row_lengths) and the counting Map (map_indexed): the
// triangle a causal mask streams. Cycle counts by hand from the step rule (docs/sdpa.md).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "timed.hpp"

namespace dfsim::units {
namespace {

using testing::record;
using testing::Timed;
using testing::times;
using testing::values;

auto triangle = [](std::uint64_t r) { return r + 1; };

TEST(RowLengths, ATriangleFromTheSourceFoldedRowByRow) {
  // The source writes rows of 1, 2, 3 elements, one per cycle at 0..5, visible at 1..6. The
  // Reduce (latency 1, II 1) takes element g at g + 1 and writes at the row's last step:
  // steps 1, 3, 6, visible 2, 4, 7.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src",
        source([](std::uint64_t i, std::uint64_t j) { return double(10 * i + j); },
               {.row_lengths = triangle, .rows = 3}),
        std::move(x_tx));
  g.add("sum", reduce(0.0, [](double& s, double x) { s += x; }, {.row_lengths = triangle, .rows = 3}),
        std::move(x_rx), std::move(s_tx));
  g.add("sink", record(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{0, 10 + 11, 20 + 21 + 22}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{2, 4, 7}));
  EXPECT_EQ(r.channel("x").elements, 6u);
}

TEST(RowLengths, ScanStateResetsAtEveryRowAndPerRowInputsFollowTheRows) {
  // Per row r: w_r (a per-row input) plus a running count over the row's 1 + r elements.
  Program g;
  auto [w_tx, w_rx] = g.channel<double>("w", {.capacity = unbounded});
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<double> got;
  g.add("w_src", memory_source(std::vector<double>{100, 200, 300}), std::move(w_tx));
  g.add("x_src", source([](std::uint64_t, std::uint64_t) { return 1.0; }, {.row_lengths = triangle, .rows = 3}),
        std::move(x_tx));
  g.add("count",
        scan(0.0, [](double& c, double w, double x) { return w + (c += x); },
             {.row_lengths = triangle, .rows = 3, .per_row_inputs = {0}}),
        std::move(w_rx), std::move(x_rx), std::move(y_tx));
  g.add("sink", collect(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<double>{101, 201, 202, 301, 302, 303}));
}

TEST(RowLengths, MapIndexedSeesTheRowAndTheStep) {
  // A causal mask: in row i, step j > i is masked.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<double> got;
  g.add("src", memory_source(std::vector<double>{1, 2, 3}, {.passes = 3}), std::move(x_tx));
  g.add("mask",
        map_indexed([](std::uint64_t i, std::uint64_t j, double x) { return j > i ? -1.0 : x; },
                    {.row_length = 3, .rows = 3}),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", collect(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(got, (std::vector<double>{1, -1, -1, 1, 2, -1, 1, 2, 3}));
}

TEST(RowLengths, ARowOfLengthZeroFailsTheRunByName) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = unbounded});
  std::vector<double> got;
  g.add("src", memory_source(std::vector<double>{1, 2}), std::move(x_tx));
  g.add("sum",
        reduce(0.0, [](double& s, double x) { s += x; },
               {.row_lengths = [](std::uint64_t r) -> std::uint64_t { return r == 0 ? 2 : 0; }}),
        std::move(x_rx), std::move(s_tx));
  g.add("sink", collect(got), std::move(s_rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "sum");
  EXPECT_EQ(r.failure->message, "unit 'sum': row_lengths(1) is 0: every row has at least one step");
}

}  // namespace
}  // namespace dfsim::units
