// The same graphs built in C++ from units:: and from a GraphSpec give the same run: cycles,
// every context's and channel's statistics, values, deadlock reports. The spec's units run
// the units' own step loop (and, for the simplest Map, transform's bulk moves), so any
// difference is a defect of the translation.
#include <gtest/gtest.h>

#include <cmath>

#include "dfsim/engine.hpp"
#include "dfsim/graph/build.hpp"
#include "dfsim/units.hpp"
#include "element_types.hpp"
#include "same_run.hpp"

namespace dfsim::graph {
namespace {

using test::expect_same_run;
using test::kF64;
using test::kI64;
using units::Discipline;

std::vector<double> ramp(std::size_t n, double first = 0) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = first + static_cast<double>(i);
  return v;
}

RunOptions threads(unsigned t) { return {.threads = t, .placement = Placement::round_robin}; }

class Equivalence : public ::testing::TestWithParam<unsigned> {};

TEST_P(Equivalence, Int64PipelineUnderBackPressure) {
  // Capacity 1 and a stage of latency 3: every stage waits for credit (the bulk path's
  // fallback), the sink takes one element per cycle.
  const std::uint64_t n = 200;
  std::vector<std::int64_t> data(n);
  for (std::uint64_t i = 0; i < n; ++i) data[i] = static_cast<std::int64_t>(i) * 3 - 7;
  Program g;
  auto [c0_tx, c0_rx] = g.channel<std::int64_t>("c0", {.capacity = 1});
  auto [c1_tx, c1_rx] = g.channel<std::int64_t>("c1", {.capacity = 1});
  auto [c2_tx, c2_rx] = g.channel<std::int64_t>("c2", {.capacity = 1, .latency = 2});
  std::vector<std::int64_t> got;
  g.add("src", units::memory_source(data), std::move(c0_tx));
  g.add("inc", units::map([](std::int64_t a) { return a + 5; }, {.timing = {.latency = 3}}),
        std::move(c0_rx), std::move(c1_tx));
  g.add("twice", units::map([](std::int64_t a) { return a * 2; }, {.timing = {.initiation_interval = 2}}),
        std::move(c1_rx), std::move(c2_tx));
  g.add("out", units::collect(got), std::move(c2_rx));
  RunResult expected = run(g, threads(GetParam()));
  ASSERT_TRUE(expected.ok()) << expected.describe_problem();

  GraphSpec s;
  s.channels = {{.name = "c0", .type = kI64, .capacity = 1},
                {.name = "c1", .type = kI64, .capacity = 1},
                {.name = "c2", .type = kI64, .capacity = 1, .latency = 2}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"c0"}}, .row_length = n,
              .data = {.integers = data}},
             {.name = "inc", .kind = NodeKind::map, .inputs = {"c0"}, .outputs = {{"c1"}},
              .timing = {.latency = 3}, .compute = {.outputs = {"a + 5"}}},
             {.name = "twice", .kind = NodeKind::map, .inputs = {"c1"}, .outputs = {{"c2"}},
              .timing = {.initiation_interval = 2}, .compute = {.outputs = {"a * 2"}}},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"c2"}}};
  GraphRun r = run(s, threads(GetParam()));
  expect_same_run(r.result, expected);
  ASSERT_EQ(r.kept.size(), 1u);
  EXPECT_EQ(r.kept[0].integers, got);
  EXPECT_EQ(r.kept[0].count, n);
}

TEST_P(Equivalence, TwoInputsPerRowDelaysFanOutAndBothDisciplines) {
  // q is a per-row input; the Map takes its inputs in order, spends a start-up and a per-row
  // delay, and writes a fan-out port (in order) and a second port.
  const std::uint64_t rows = 4, len = 3;
  auto q = ramp(rows, 10), k = ramp(rows * len, 1);
  for (Discipline in : {Discipline::together, Discipline::in_order})
    for (Discipline out : {Discipline::together, Discipline::in_order}) {
      units::UnitOptions o{.timing = {.latency = 4, .initiation_interval = 2, .startup_delay = 5,
                                      .per_row_delay = 3},
                           .row_length = len, .rows = rows, .per_row_inputs = {0},
                           .input_discipline = in, .output_discipline = out};
      Program g;
      auto [q_tx, q_rx] = g.channel<double>("q", {.capacity = 1});
      auto [k_tx, k_rx] = g.channel<double>("k", {.capacity = 2});
      auto [x_tx, x_rx] = g.channel<double>("x", {.capacity = 1});
      auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = unbounded});
      auto [z_tx, z_rx] = g.channel<double>("z", {.capacity = 2, .response_latency = 3});
      std::vector<double> gx, gy, gz;
      g.add("qs", units::memory_source(q), std::move(q_tx));
      g.add("ks", units::memory_source(k), std::move(k_tx));
      g.add("qk", units::map([](double a, double b) { return std::pair{a * b, a - b}; }, o),
            std::move(q_rx), std::move(k_rx), std::array{std::move(x_tx), std::move(y_tx)},
            std::move(z_tx));
      g.add("sx", units::collect(gx), std::move(x_rx));
      g.add("sy", units::collect(gy), std::move(y_rx));
      g.add("sz", units::collect(gz), std::move(z_rx));
      RunResult expected = run(g, threads(GetParam()));
      ASSERT_TRUE(expected.ok()) << expected.describe_problem();

      GraphSpec s;
      s.channels = {{.name = "q", .capacity = 1}, {.name = "k", .capacity = 2},
                    {.name = "x", .capacity = 1}, {.name = "y", .capacity = std::nullopt},
                    {.name = "z", .capacity = 2, .response_latency = 3}};
      s.nodes = {{.name = "qs", .kind = NodeKind::source, .outputs = {{"q"}}, .row_length = rows,
                  .data = {.reals = q}},
                 {.name = "ks", .kind = NodeKind::source, .outputs = {{"k"}}, .row_length = rows * len,
                  .data = {.reals = k}},
                 {.name = "qk", .kind = NodeKind::map, .inputs = {"q", "k"}, .outputs = {{"x", "y"}, {"z"}},
                  .timing = o.timing, .row_length = len, .rows = rows, .per_row_inputs = {0},
                  .input_discipline = in, .output_discipline = out,
                  .compute = {.outputs = {"a * b", "a - b"}}},
                 {.name = "sx", .kind = NodeKind::sink, .inputs = {"x"}},
                 {.name = "sy", .kind = NodeKind::sink, .inputs = {"y"}},
                 {.name = "sz", .kind = NodeKind::sink, .inputs = {"z"}}};
      GraphRun r = run(s, threads(GetParam()));
      expect_same_run(r.result, expected);
      ASSERT_EQ(r.kept.size(), 3u);
      EXPECT_EQ(r.kept[0].reals, gx);
      EXPECT_EQ(r.kept[1].reals, gy);
      EXPECT_EQ(r.kept[2].reals, gz);
    }
}

TEST_P(Equivalence, ReduceAndScanRows) {
  // Rows of 5: a Reduce (II 2, latency 7) sums each row; a Scan keeps the running max and
  // writes it and exp(x - max) to two ports.
  const std::uint64_t rows = 6, len = 5;
  std::vector<double> x(rows * len);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i)) * 3;
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = 2});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 2});
  auto [r_tx, r_rx] = g.channel<double>("r", {.capacity = 1});
  auto [m_tx, m_rx] = g.channel<double>("m", {.capacity = 3});
  auto [e_tx, e_rx] = g.channel<double>("e", {.capacity = 1});
  std::vector<double> gr, gm, ge;
  g.add("src", units::source([&x](std::uint64_t row, std::uint64_t j) { return x[row * len + j]; },
                             {.row_length = len, .rows = rows}),
        std::array{std::move(a_tx), std::move(b_tx)});
  g.add("sum", units::reduce(0.0, [](double& acc, double v) { acc = acc + v; },
                             {.timing = {.latency = 7, .initiation_interval = 2}, .row_length = len}),
        std::move(a_rx), std::move(r_tx));
  g.add("max", units::scan(-1e300, [](double& acc, double v) {
          acc = std::max(acc, v);
          return std::pair{acc, std::exp(v - acc)};
        }, {.timing = {.latency = 2, .per_row_delay = 1}, .row_length = len, .rows = rows}),
        std::move(b_rx), std::move(m_tx), std::move(e_tx));
  g.add("sr", units::collect(gr), std::move(r_rx));
  g.add("sm", units::collect(gm), std::move(m_rx));
  g.add("se", units::collect(ge), std::move(e_rx));
  RunResult expected = run(g, threads(GetParam()));
  ASSERT_TRUE(expected.ok()) << expected.describe_problem();

  GraphSpec s;
  s.channels = {{.name = "a"}, {.name = "b"}, {.name = "r", .capacity = 1},
                {.name = "m", .capacity = 3}, {.name = "e", .capacity = 1}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"a", "b"}}, .row_length = len,
              .rows = rows, .data = {.reals = x}},
             {.name = "sum", .kind = NodeKind::reduce, .inputs = {"a"}, .outputs = {{"r"}},
              .timing = {.latency = 7, .initiation_interval = 2}, .row_length = len,
              .compute = {.update = "acc + a"}},
             {.name = "max", .kind = NodeKind::scan, .inputs = {"b"}, .outputs = {{"m"}, {"e"}},
              .timing = {.latency = 2, .per_row_delay = 1}, .row_length = len, .rows = rows,
              .compute = {.outputs = {"acc", "exp(v - acc)"}, .update = "max(acc, v)",
                          .variables = {"v"}, .init = {-1e300}}},
             {.name = "sr", .kind = NodeKind::sink, .inputs = {"r"}},
             {.name = "sm", .kind = NodeKind::sink, .inputs = {"m"}},
             {.name = "se", .kind = NodeKind::sink, .inputs = {"e"}}};
  GraphRun r = run(s, threads(GetParam()));
  expect_same_run(r.result, expected);
  ASSERT_EQ(r.kept.size(), 3u);
  EXPECT_EQ(r.kept[0].reals, gr);
  EXPECT_EQ(r.kept[1].reals, gm);
  EXPECT_EQ(r.kept[2].reals, ge);
}

TEST_P(Equivalence, RepeatAndUnboundedChannels) {
  auto x = ramp(7, 2);
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = unbounded});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = unbounded, .latency = 4});
  std::vector<double> got;
  g.add("src", units::memory_source(x, {.timing = {.latency = 2, .initiation_interval = 3}}),
        std::move(a_tx));
  g.add("rep", units::repeat(3, {.timing = {.latency = 2, .per_row_delay = 1}}), std::move(a_rx),
        std::move(b_tx));
  g.add("out", units::collect(got), std::move(b_rx));
  RunResult expected = run(g, threads(GetParam()));
  ASSERT_TRUE(expected.ok()) << expected.describe_problem();

  GraphSpec s;
  s.channels = {{.name = "a", .capacity = std::nullopt}, {.name = "b", .capacity = std::nullopt, .latency = 4}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"a"}},
              .timing = {.latency = 2, .initiation_interval = 3}, .row_length = x.size(),
              .data = {.reals = x}},
             {.name = "rep", .kind = NodeKind::repeat, .inputs = {"a"}, .outputs = {{"b"}},
              .timing = {.latency = 2, .per_row_delay = 1}, .repeat_count = 3},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"b"}}};
  GraphRun r = run(s, threads(GetParam()));
  expect_same_run(r.result, expected);
  EXPECT_EQ(r.kept[0].reals, got);
}

TEST_P(Equivalence, DeadlockGivesTheSameReport) {
  // The source writes both channels together; the Map needs a row of 4 summed from `a` before
  // it takes `b`, whose one slot is full after the first write: nobody can move.
  auto x = ramp(8);
  Program g;
  auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = 1});
  auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 1});
  auto [s_tx, s_rx] = g.channel<double>("s", {.capacity = 1});
  auto [o_tx, o_rx] = g.channel<double>("o", {.capacity = 1});
  std::vector<double> got;
  g.add("src", units::memory_source(x), std::array{std::move(a_tx), std::move(b_tx)});
  g.add("sum", units::reduce(0.0, [](double& acc, double v) { acc += v; }, {.row_length = 4}),
        std::move(a_rx), std::move(s_tx));
  g.add("scale", units::map([](double s, double b) { return s * b; }), std::move(s_rx),
        std::move(b_rx), std::move(o_tx));
  g.add("out", units::collect(got), std::move(o_rx));
  RunResult expected = run(g, threads(GetParam()));
  ASSERT_EQ(expected.status, RunStatus::deadlock);

  GraphSpec s;
  s.channels = {{.name = "a", .capacity = 1}, {.name = "b", .capacity = 1},
                {.name = "s", .capacity = 1}, {.name = "o", .capacity = 1}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"a", "b"}}, .row_length = x.size(),
              .data = {.reals = x}},
             {.name = "sum", .kind = NodeKind::reduce, .inputs = {"a"}, .outputs = {{"s"}},
              .row_length = 4, .compute = {.update = "acc + a"}},
             {.name = "scale", .kind = NodeKind::map, .inputs = {"s", "b"}, .outputs = {{"o"}},
              .compute = {.outputs = {"a * b"}}},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"o"}}};
  GraphRun r = run(s, threads(GetParam()));
  expect_same_run(r.result, expected);
}

TEST_P(Equivalence, SingleInputMapOfEveryTimingTakesTheStepLoopWithTheSameCycles) {
  // Start-up delay on the bulk path; per-row delay and rows off it.
  auto x = ramp(12);
  for (int variant = 0; variant < 3; ++variant) {
    units::UnitOptions o{.timing = {.latency = 2, .startup_delay = 4}};
    if (variant == 1) o.timing.per_row_delay = 2;
    if (variant == 2) o.rows = 10;
    Program g;
    auto [a_tx, a_rx] = g.channel<double>("a", {.capacity = 2});
    auto [b_tx, b_rx] = g.channel<double>("b", {.capacity = 1});
    std::vector<double> got;
    g.add("src", units::memory_source(x), std::move(a_tx));
    g.add("f", units::map([](double a) { return std::exp(a * 0.5); }, o), std::move(a_rx), std::move(b_tx));
    g.add("out", units::collect(got), std::move(b_rx));
    RunResult expected = run(g, threads(GetParam()));
    GraphSpec s;
    s.channels = {{.name = "a"}, {.name = "b", .capacity = 1}};
    s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"a"}}, .row_length = x.size(),
                .data = {.reals = x}},
               {.name = "f", .kind = NodeKind::map, .inputs = {"a"}, .outputs = {{"b"}},
                .timing = o.timing, .rows = o.rows, .compute = {.outputs = {"exp(a * 0.5)"}}},
               {.name = "out", .kind = NodeKind::sink, .inputs = {"b"}}};
    GraphRun r = run(s, threads(GetParam()));
    expect_same_run(r.result, expected);
    EXPECT_EQ(r.kept[0].reals, got) << variant;
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, Equivalence, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "threads" + std::to_string(info.param); });

}  // namespace
}  // namespace dfsim::graph
