// The examples of docs/adding-a-unit.md (examples/cpp/adding_a_unit.hpp), checked cycle by cycle.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "adding_a_unit.hpp"  // examples/cpp
#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace {

using namespace dfsim;

TEST(Example, Filter) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  std::vector<int> y;
  g.add("source", units::memory_source(std::vector<int>{3, -1, 4, -1, 5}), std::move(x_tx));
  g.add("positive", example::filter([](int v) { return v > 0; }, {.latency = 3}), std::move(x_rx),
        std::move(y_tx));
  g.add("sink", units::collect(y), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(y, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(r.elapsed_cycles, 5u + 3u);  // the last input is visible at 5, its output 3 later
}

TEST(Example, RmsNorm) {
  const std::uint64_t rows = 6, cols = 16;
  std::vector<double> x(rows * cols);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(double(i));
  {
    Program g;
    std::vector<double> y;
    example::build_rms_norm(g, x, rows, cols, cols + 8, y);
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    for (std::uint64_t i = 0; i < rows; ++i) {
      double ms = 0;
      for (std::uint64_t j = 0; j < cols; ++j) ms += x[i * cols + j] * x[i * cols + j] / double(cols);
      for (std::uint64_t j = 0; j < cols; ++j)
        EXPECT_NEAR(y[i * cols + j], x[i * cols + j] / std::sqrt(ms + 1e-6), 1e-12);
    }
    // Row r's statistic is visible at (r + 1) cols + 4; its elements then flow one per
    // cycle, so the last output is visible at rows cols + 4 + (cols - 1) + 2.
    EXPECT_EQ(r.elapsed_cycles, rows * cols + cols + 5);
    // Element g (row r, step j: g = r cols + j) is written at g and dequeued by scale's step at
    // (r + 1) cols + 4 + j = g + cols + 4, its slot freed one cycle later: from cycle cols + 4
    // on, the cols + 5 elements written in (x - cols - 5, x] are in `long` at every cycle x.
    EXPECT_EQ(r.channel("long").peak_occupancy, cols + 5);
  }
  {
    // A long FIFO shallower than a row: the statistic can never be computed.
    Program g;
    std::vector<double> y;
    example::build_rms_norm(g, x, rows, cols, cols - 1, y);
    RunResult r = run(g);
    EXPECT_EQ(r.status, RunStatus::deadlock);
    EXPECT_NE(r.describe_problem().find("x_source"), std::string::npos);
  }
}

}  // namespace
