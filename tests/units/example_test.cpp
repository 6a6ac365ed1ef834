// The examples of docs/adding-a-unit.md, compiled and checked so that the page cannot rot.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace example {

using namespace dfsim;

// --- docs/adding-a-unit.md, "A unit of your own" ---
// Filter: one step per input, every II cycles; writes the input P cycles later, only if
// keep(x) holds. Map cannot do this: it writes at every step.
template <class Keep>
auto filter(Keep keep, units::Timing timing = {}) {
  units::check_timing(timing, "filter");
  return [keep, timing]<class T>(Context& ctx, Receiver<T> in, Sender<T> out) -> Process {
    ctx.advance(timing.startup_delay);
    while (auto x = co_await in.pop()) {  // waits until x is visible; frees its slot 1 later
      if (keep(*x)) co_await out.push(std::move(*x), PipelineDepth{timing.latency});
      ctx.advance(timing.initiation_interval);
    }
  };
}

// --- docs/adding-a-unit.md, "A graph of your own" ---
// RMS normalization of the rows of x (rows x cols): y_ij = x_ij / sqrt(mean_j x_ij^2 + eps).
// A row's statistic exists only after its last element, so the elements wait in `long`.
void build_rms_norm(Program& g, const std::vector<double>& x, std::uint64_t rows,
                    std::uint64_t cols, std::uint64_t long_depth, std::vector<double>& y) {
  auto [short_tx, short_rx] = g.channel<double>("short");
  auto [long_tx, long_rx] = g.channel<double>("long", {.capacity = long_depth});
  auto [ms_tx, ms_rx] = g.channel<double>("mean_square");
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = 3});  // latency 2 + 1: full rate
  g.add("x_source",
        units::source([&x, cols](std::uint64_t i, std::uint64_t j) { return x[i * cols + j]; },
                      {.row_length = cols, .rows = rows}),
        std::array{std::move(short_tx), std::move(long_tx)});
  g.add("mean_square",
        units::reduce(0.0, [cols](double& s, double v) { s += v * v / double(cols); },
                      {.timing = {.latency = 4}, .row_length = cols, .rows = rows}),
        std::move(short_rx), std::move(ms_tx));
  g.add("scale",
        units::map([](double v, double ms) { return v / std::sqrt(ms + 1e-6); },
                   {.timing = {.latency = 2}, .row_length = cols, .rows = rows, .per_row_inputs = {1}}),
        std::move(long_rx), std::move(ms_rx), std::move(y_tx));
  g.add("sink", units::collect(y), std::move(y_rx));
}

}  // namespace example

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
