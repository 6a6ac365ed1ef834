// The hooks a binding fills: a foreign step (what a Map/Reduce/Scan computes) and a custom
// node (a whole context over the node's channel ends).
#include <gtest/gtest.h>

#include "dfsim/engine.hpp"
#include "dfsim/graph/build.hpp"
#include "dfsim/graph/json.hpp"
#include "dfsim/units.hpp"
#include "same_run.hpp"

namespace dfsim::graph {
namespace {

GraphSpec two_stage(NodeSpec middle) {
  GraphSpec s;
  s.channels = {{.name = "x"}, {.name = "y"}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"x"}}, .data = {.reals = {1, 2, 3, 4}}},
             std::move(middle),
             {.name = "out", .kind = NodeKind::sink, .inputs = {"y"}}};
  return s;
}

TEST(Hooks, AForeignMapComputesWithTheUnitsTiming) {
  NodeSpec f{.name = "f", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
             .timing = {.latency = 3},
             .compute = {.foreign = [](const StepArgs& a) {
               a.outputs[0] = Value::real(a.inputs[0].real() * 10);
             }}};
  GraphRun r = run(two_stage(f));
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{10, 20, 30, 40}));
  // The same as the expression "a * 10": only the computing is foreign.
  NodeSpec e = f;
  e.compute = {.outputs = {"a * 10"}};
  test::expect_same_run(r.result, run(two_stage(e)).result);
}

TEST(Hooks, AForeignScanUpdatesItsState) {
  NodeSpec f{.name = "f", .kind = NodeKind::scan, .inputs = {"x"}, .outputs = {{"y"}}, .row_length = 2,
             .compute = {.foreign = [](const StepArgs& a) {
               *a.state = Value::real(a.state->real() + a.inputs[0].real());
               a.outputs[0] = *a.state;
             }}};
  GraphRun r = run(two_stage(f));
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{1, 3, 3, 7}));
}

TEST(Hooks, AnErrorInAForeignStepFailsTheRunNamingTheUnitAndCycle) {
  NodeSpec f{.name = "f", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
             .compute = {.foreign = [](const StepArgs& a) {
               if (a.inputs[0].real() == 3) throw std::runtime_error("three");
               a.outputs[0] = a.inputs[0];
             }}};
  GraphRun r = run(two_stage(f));
  ASSERT_EQ(r.result.status, RunStatus::failed);
  EXPECT_EQ(r.result.failure->context, "f");
  EXPECT_EQ(r.result.failure->message, "three");
  EXPECT_EQ(r.result.failure->clock, 3u);  // x_2 is visible at 3
}

TEST(Hooks, ACustomNodeGetsItsEndsAndRunsAsAContext) {
  // A merge of two streams: the smaller head first.
  GraphSpec s;
  s.channels = {{.name = "a"}, {.name = "b"}, {.name = "m", .capacity = std::nullopt}};
  s.nodes = {{.name = "sa", .kind = NodeKind::source, .outputs = {{"a"}}, .data = {.reals = {1, 4, 5}}},
             {.name = "sb", .kind = NodeKind::source, .outputs = {{"b"}}, .data = {.reals = {2, 3, 6}}},
             {.name = "merge", .kind = NodeKind::custom, .inputs = {"a", "b"}, .outputs = {{"m"}},
              .custom = [](Context& ctx, CustomEnds ends) -> Process {
                return [](Context& ctx, CustomEnds e) -> Process {
                  Receiver<Value>& a = e.inputs[0];
                  Receiver<Value>& b = e.inputs[1];
                  const Value* va = co_await a.peek();
                  const Value* vb = co_await b.peek();
                  while (va || vb) {
                    const bool take_a = va && (!vb || va->real() <= vb->real());
                    auto v = co_await (take_a ? a : b).pop();
                    co_await e.outputs[0].push(*v, PipelineDepth{1});
                    ctx.advance(1);
                    va = co_await a.peek();
                    vb = co_await b.peek();
                  }
                }(ctx, std::move(ends));
              }},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"m"}}};
  GraphRun r = run(s);
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(Hooks, NodesWithHooksCannotBeSaved) {
  NodeSpec f{.name = "f", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
             .compute = {.foreign = [](const StepArgs&) {}}};
  try {
    (void)to_json(two_stage(f));
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "node 'f' computes with a foreign step: a graph file holds only expressions");
  }
}

}  // namespace
}  // namespace dfsim::graph
