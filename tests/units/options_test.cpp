// Parameters are checked when a unit is added, with messages that name the unit and the fix.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace dfsim::units {
namespace {

// The message of the std::invalid_argument that adding `body` throws ("" if none).
template <class Body>
std::string add_error(Body body) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  auto [y_tx, y_rx] = g.channel<double>("y");
  try {
    g.add("src", memory_source(std::vector<double>{1}), std::move(x_tx));
    g.add("unit", std::move(body), std::move(x_rx), std::move(y_tx));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

auto id = [](double x) { return x; };
auto sum = [](double& s, double x) { s += x; };

TEST(Options, LatencyZeroIsRejected) {
  std::string e = add_error(map(id, {.timing = {.latency = 0}}));
  EXPECT_NE(e.find("unit 'unit': latency 0"), std::string::npos) << e;
  EXPECT_NE(e.find("at least 1"), std::string::npos) << e;
}

TEST(Options, InitiationIntervalZeroIsRejected) {
  std::string e = add_error(reduce(0.0, sum, {.timing = {.initiation_interval = 0}}));
  EXPECT_NE(e.find("unit 'unit': initiation interval 0"), std::string::npos) << e;
}

TEST(Options, EveryProblemIsSaidAtOnce) {
  std::string e = add_error(map(id, {.timing = {.latency = 0, .initiation_interval = 0}}));
  EXPECT_NE(e.find("unit 'unit': latency 0: a unit's latency is at least 1 cycle (a result is "
                   "visible downstream the cycle after it is written at the earliest); "
                   "initiation interval 0: a unit accepts at most one input per cycle, so the "
                   "initiation interval is at least 1"),
            std::string::npos)
      << e;
}

TEST(Options, RowLengthZeroIsRejected) {
  std::string e = add_error(scan(0.0, [](double& s, double x) { return s += x; }, {.row_length = 0}));
  EXPECT_NE(e.find("unit 'unit': row length 0"), std::string::npos) << e;
}

TEST(Options, RowsZeroIsRejected) {
  std::string e = add_error(reduce(0.0, sum, {.rows = 0}));
  EXPECT_NE(e.find("rows 0"), std::string::npos) << e;
}

TEST(Options, PerRowInputMustExist) {
  std::string e = add_error(map(id, {.per_row_inputs = {1}}));
  EXPECT_NE(e.find("per-row input 1 does not exist: it has 1 inputs"), std::string::npos) << e;
}

TEST(Options, SourceTimingIsChecked) {
  Program g;
  auto [x_tx, x_rx] = g.channel<double>("x");
  EXPECT_THROW(g.add("src", memory_source(std::vector<double>{1}, {.timing = {.initiation_interval = 0}}),
                     std::move(x_tx)),
               std::invalid_argument);
}

TEST(Options, CheckTimingDirectly) {
  EXPECT_NO_THROW(check_timing({}, "x"));
  EXPECT_THROW(check_timing({.latency = 0}, "x"), std::invalid_argument);
  EXPECT_THROW(check_options({.row_length = 0}, "x"), std::invalid_argument);
}

}  // namespace
}  // namespace dfsim::units
