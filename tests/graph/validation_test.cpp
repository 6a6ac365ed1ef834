// Every problem of a spec, by name, all at once.
#include <gtest/gtest.h>

#include "dfsim/engine/errors.hpp"
#include "dfsim/graph/build.hpp"
#include "dfsim/graph/validate.hpp"

namespace dfsim::graph {
namespace {

using Problems = std::vector<std::string>;

GraphSpec good() {
  GraphSpec s;
  s.channels = {{.name = "x"}, {.name = "y"}};
  s.nodes = {{.name = "src", .kind = NodeKind::source, .outputs = {{"x"}}, .data = {.reals = {1, 2}}},
             {.name = "f", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
              .compute = {.outputs = {"a + 1"}}},
             {.name = "out", .kind = NodeKind::sink, .inputs = {"y"}}};
  return s;
}

TEST(Validation, AGoodGraphHasNoProblems) { EXPECT_EQ(problems(good()), Problems{}); }

TEST(Validation, ChannelsWithoutEndsOrWithTwo) {
  GraphSpec s = good();
  s.channels.push_back({.name = "z"});
  s.nodes.push_back({.name = "out2", .kind = NodeKind::sink, .inputs = {"y"}});
  EXPECT_EQ(problems(s), (Problems{"channel 'y' has two receivers: 'out' and 'out2'",
                                   "channel 'z' has no sender: name it in a node's outputs",
                                   "channel 'z' has no receiver: name it in a node's inputs"}));
}

TEST(Validation, UnknownChannelsAndDuplicateNames) {
  GraphSpec s = good();
  s.nodes[1].inputs = {"w"};
  s.nodes[2].name = "f";
  EXPECT_EQ(problems(s), (Problems{"two nodes are named 'f'",
                                   "node 'f' reads channel 'w', which is not declared",
                                   "channel 'x' has no receiver: name it in a node's inputs"}));
}

TEST(Validation, ChannelOptionsAreTheEnginesRules) {
  GraphSpec s = good();
  s.channels[0].capacity = 0;
  s.channels[1].latency = 0;
  s.channels[1].type = {ScalarType::int64, 3};
  EXPECT_EQ(problems(s),
            (Problems{"channel 'y' has type int64[3]: vectors hold float64 or float32 values",
                      "channel 'x' has capacity 0: give it at least 1, or dfsim::unbounded",
                      "channel 'y' has latency 0: latencies are at least 1 cycle"}));
}

TEST(Validation, UnitOptionsAreTheUnitsRulesAndArity) {
  // The units' own rules (units::option_problems, check_repeat_count): every problem of each
  // node's options, named by the node.
  GraphSpec s = good();
  s.nodes[1].timing = {.latency = 0, .initiation_interval = 0};
  s.nodes[1].row_length = 0;
  s.nodes[2].outputs = {{"x"}};
  s.nodes.push_back({.name = "rep", .kind = NodeKind::repeat, .inputs = {"y"}, .outputs = {{"x"}},
                     .repeat_count = 0});
  EXPECT_EQ(problems(s),
            (Problems{"node 'f': latency 0: a unit's latency is at least 1 cycle (a result is visible "
                      "downstream the cycle after it is written at the earliest)",
                      "node 'f': initiation interval 0: a unit accepts at most one input per "
                      "cycle, so the initiation interval is at least 1",
                      "node 'f': row length 0: a row has at least one step (give row_length = "
                      "the number of inputs folded per output)",
                      "node 'out' (sink): a sink has no outputs",
                      "node 'rep': count 0: each input is written at least once",
                      "channel 'x' has two senders: 'src' and 'out'",
                      "channel 'y' has two receivers: 'out' and 'rep'"}));
}

TEST(Validation, RowsAndPerRowInputs) {
  GraphSpec s = good();
  s.nodes[1].rows = 0;
  EXPECT_EQ(problems(s), (Problems{"node 'f': rows 0: give at least 1, or leave rows unset to run "
                                   "until an input ends"}));
  s.nodes[1].rows = 1;
  s.nodes[1].per_row_inputs = {1};
  EXPECT_EQ(problems(s), (Problems{"node 'f': per-row input 1 does not exist: it has 1 inputs, "
                                   "numbered from 0 in the order they are passed"}));
}

TEST(Validation, ExpressionsAndData) {
  GraphSpec s = good();
  s.nodes[1].compute.outputs = {"a + q"};
  s.nodes[0].data = {.reals = {1, 2, 3}, .integers = {1}};
  s.nodes[0].row_length = 2;
  EXPECT_EQ(problems(s),
            (Problems{"node 'src': its channel is float64: give real values",
                      "node 'src': 3 elements are not whole rows of 2 (give rows to repeat them)",
                      "node 'f': output 0: expression 'a + q': unknown name 'q': the variables are a (float64)"}));
}

TEST(Validation, BuildThrowsGraphErrorListingEveryProblem) {
  GraphSpec s = good();
  s.nodes[1].compute.outputs = {};
  try {
    BuiltGraph g(s);
    FAIL() << "no error";
  } catch (const GraphError& e) {
    EXPECT_EQ(e.problems(), (Problems{"node 'f': 0 output expressions for 1 output ports"}));
  }
}

}  // namespace
}  // namespace dfsim::graph
