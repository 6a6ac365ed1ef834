// Scan: the running state, written at every step, reset at every row.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <utility>

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

TEST(Scan, RunningSumPerRow) {
  // Rows of 3, II 2, latency 3: step g at 2g + 1 (x_g visible at g + 1), visible 2g + 4.
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = unbounded});
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
  std::vector<Timed<double>> got;
  g.add("src", memory_source(iota(6, 1)), std::move(x_tx));
  g.add("prefix",
        scan(0.0, [](double& s, double x) { return s += x; },
             {.timing = {.latency = 3, .initiation_interval = 2}, .row_length = 3}),
        std::move(x_rx), std::move(y_tx));
  g.add("sink", record(got), std::move(y_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(values(got), (std::vector<double>{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(times(got), (std::vector<Cycle>{4, 6, 8, 10, 12, 14}));
}

TEST(Scan, OnlineSoftmaxFactorsFanOutToTwoPortsOfTwo) {
  // The running-max Scan of reordered-stable: delta and c, each to two FIFOs (four in all).
  Program g;
  auto [s_tx, s_rx] = g.channel<double>("s");
  auto [d0_tx, d0_rx] = g.channel<double>("delta0");
  auto [d1_tx, d1_rx] = g.channel<double>("delta1");
  auto [c0_tx, c0_rx] = g.channel<double>("c0");
  auto [c1_tx, c1_rx] = g.channel<double>("c1");
  std::vector<double> d0, d1, c0, c1;
  g.add("src", memory_source(std::vector<double>{1, 3, 2, 0.5, -1, 4}), std::move(s_tx));
  g.add("running_max",
        scan(-std::numeric_limits<double>::infinity(),
             [](double& m, double s) {
               double m_new = std::max(m, s), delta = std::exp(m - m_new);
               m = m_new;
               return std::pair{delta, std::exp(s - m_new)};
             },
             {.row_length = 3}),
        std::move(s_rx), std::array{std::move(d0_tx), std::move(d1_tx)},
        std::array{std::move(c0_tx), std::move(c1_tx)});
  g.add("k0", collect(d0), std::move(d0_rx));
  g.add("k1", collect(d1), std::move(d1_rx));
  g.add("k2", collect(c0), std::move(c0_rx));
  g.add("k3", collect(c1), std::move(c1_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  // Row 0: m = 1, 3, 3. Row 1 (reset to -inf): m = 0.5, 0.5, 4.
  std::vector<double> delta = {0, std::exp(1.0 - 3), 1, 0, 1, std::exp(0.5 - 4)};
  std::vector<double> c = {1, 1, std::exp(2.0 - 3), 1, std::exp(-1 - 0.5), 1};
  EXPECT_EQ(d0, delta);
  EXPECT_EQ(d1, delta);
  EXPECT_EQ(c0, c);
  EXPECT_EQ(c1, c);
}

}  // namespace
}  // namespace dfsim::units
