#include <gtest/gtest.h>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace dfsim::units {
namespace {

TEST(Map, Smoke) {
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a");
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 4});
  std::vector<double> out;
  g.add("src", source([](std::uint64_t, std::uint64_t j) { return double(j); }, {.row_length = 4}),
        std::move(a_tx));
  g.add("double", map([](double x) { return 2 * x; }, {.timing = {.latency = 3}}), std::move(a_rx),
        std::move(b_tx));
  g.add("sink", collect(out), std::move(b_rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(out, (std::vector<double>{0, 2, 4, 6}));
  EXPECT_EQ(r.elapsed_cycles, 7u);
}

}  // namespace
}  // namespace dfsim::units
