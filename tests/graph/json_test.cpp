// Graph files: errors name the JSON path, the key or value and what is allowed; a saved spec
// loads back the same; the examples of docs/graph-files.md run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "dfsim/graph/build.hpp"
#include "dfsim/graph/dot.hpp"
#include "dfsim/graph/json.hpp"
#include "files.hpp"

namespace dfsim::graph {
namespace {

using nlohmann::json;

json minimal() {
  return json::parse(R"({"version": 1,
    "channels": [{"name": "x", "type": "float64"}, {"name": "y", "type": "float64"}],
    "nodes": [{"name": "src", "kind": "source", "outputs": ["x"], "values": [1, 2]},
              {"name": "f", "kind": "map", "inputs": ["x"], "outputs": ["y"], "expressions": ["a + 1"]},
              {"name": "out", "kind": "sink", "inputs": ["y"]}]})");
}

std::string error_of(const json& j) {
  try {
    (void)from_json(j);
  } catch (const GraphFileError& e) {
    return e.what();
  }
  return "no error";
}

TEST(GraphFile, UnknownKeysNameThePathAndTheAllowedKeys) {
  json j = minimal();
  j["nodes"][1]["expr"] = "a";
  EXPECT_EQ(error_of(j),
            "nodes[1]: unknown key 'expr' in a map node: allowed keys are name, kind, inputs, outputs, "
            "latency, initiation_interval, startup_delay, per_row_delay, row_length, rows, "
            "per_row_inputs, input_discipline, output_discipline, variables, expressions");
  j = minimal();
  j["extra"] = 1;
  EXPECT_EQ(error_of(j), "unknown key 'extra' in a graph file: allowed keys are version, channels, nodes");
}

TEST(GraphFile, WrongTypesAndBadValues) {
  json j = minimal();
  j["nodes"][1]["latency"] = -1;
  EXPECT_EQ(error_of(j), "nodes[1].latency: expected a whole number >= 0, got -1");
  j = minimal();
  j["channels"][0]["type"] = "float16";
  EXPECT_EQ(error_of(j), "channels[0].type: 'float16' is not a type: float64, float32, int64, or "
                         "float64[d] / float32[d] for a vector of d values");
  j = minimal();
  j["channels"][0]["type"] = 64;
  EXPECT_EQ(error_of(j), "channels[0].type: expected a string, got 64");
  j = minimal();
  j["channels"][0]["type"] = "float32[0]";
  EXPECT_EQ(error_of(j), "channels[0].type: 'float32[0]': the vector size d is a whole number >= 1");
  j = minimal();
  j["channels"][1]["capacity"] = "big";
  EXPECT_EQ(error_of(j), "channels[1].capacity: \"big\" is not a capacity: a whole number >= 1, or \"unbounded\"");
  j = minimal();
  j["nodes"][1]["kind"] = "mapp";
  EXPECT_EQ(error_of(j), "nodes[1].kind: \"mapp\" is not allowed: one of source, map, reduce, scan, repeat, sink");
  j = minimal();
  j["nodes"][1]["input_discipline"] = "sometimes";
  EXPECT_EQ(error_of(j), "nodes[1].input_discipline: \"sometimes\" is not allowed: one of together, in_order");
  j = minimal();
  j["nodes"][0]["values"][1] = "two";
  EXPECT_EQ(error_of(j), "nodes[0].values[1]: expected a number, got \"two\"");
  j = minimal();
  j["version"] = 2;
  EXPECT_EQ(error_of(j), "version: 2 is not a version this dfsim reads: 1");
  j = minimal();
  j["nodes"][2].erase("name");
  EXPECT_EQ(error_of(j), "nodes[2]: missing key 'name'");
}

TEST(GraphFile, IntegerChannelsTakeIntegers) {
  json j = minimal();
  j["channels"][0]["type"] = "int64";
  j["nodes"][0]["values"][1] = 2.5;
  EXPECT_EQ(error_of(j), "nodes[0].values[1]: expected an integer (the channel is int64), got 2.5");
}

TEST(GraphFile, SaveThenLoadGivesTheSameSpec) {
  GraphSpec s = load_graph(DFSIM_SOURCE_DIR "/examples/graphs/attention_row.json");
  s.channels[0].capacity = std::nullopt;
  s.nodes[3].timing = {.latency = 2, .initiation_interval = 3, .startup_delay = 4, .per_row_delay = 5};
  s.nodes[3].input_discipline = units::Discipline::in_order;
  s.nodes[3].rows = 1;
  dfsim::test::TempDir dir;
  const auto file = dir / "round_trip.json";
  save_graph(s, file);
  GraphSpec back = load_graph(file);
  EXPECT_EQ(to_json(back), to_json(s));
  EXPECT_EQ(back.channels[0].capacity, std::nullopt);
  EXPECT_EQ(back.nodes[3].timing.per_row_delay, 5u);
  EXPECT_EQ(back.nodes[3].input_discipline, units::Discipline::in_order);
  EXPECT_EQ(back.nodes[4].outputs, (std::vector<std::vector<std::string>>{{"e", "l.in"}}));
}

TEST(GraphFile, ThePipelineExampleRunsAndChecks) {
  GraphRun r = run(load_graph(DFSIM_SOURCE_DIR "/examples/graphs/pipeline.json"));
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  EXPECT_TRUE(r.kept.empty());
}

TEST(GraphFile, TheAttentionRowExampleComputesSoftmaxTimesV) {
  GraphRun r = run(load_graph(DFSIM_SOURCE_DIR "/examples/graphs/attention_row.json"));
  ASSERT_TRUE(r.result.ok()) << r.result.describe_problem();
  // s = q . k_j = (1, 0, 2); o = sum_j exp(s_j) v_j, l = sum_j exp(s_j).
  const double e0 = std::exp(1.0), e1 = std::exp(0.0), e2 = std::exp(2.0);
  ASSERT_EQ(r.kept.size(), 2u);
  EXPECT_EQ(r.kept[0].reals, (std::vector<double>{e0 * 1 + e1 * 3 + e2 * 5, e0 * 2 + e1 * 4 + e2 * 6}));
  EXPECT_EQ(r.kept[1].reals, (std::vector<double>{e0 + e1 + e2}));
}

TEST(GraphFile, ANpyFileOfTheWrongShapeNamesTheNodeAndTheShapes) {
  GraphSpec s = load_graph(DFSIM_SOURCE_DIR "/examples/graphs/attention_row.json");
  s.channels[2].type.dims = 3;  // v: float64[3], but the file holds vectors of 2
  s.channels[7].type.dims = 3;  // o, which accumulates e * v
  try {
    BuiltGraph g(s);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'v_source': " DFSIM_SOURCE_DIR "/examples/graphs/attention_row_v.npy holds a 3 x 2 "
              "array; a channel of float64[3] needs 3 columns");
  }
}

TEST(GraphFile, ASpecDrawsAsDot) {
  GraphSpec s = load_graph(DFSIM_SOURCE_DIR "/examples/graphs/pipeline.json");
  EXPECT_EQ(to_dot(s),
            "digraph dfsim {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
            "  edge [fontname=\"monospace\", fontsize=10];\n"
            "  \"source\" [label=\"source\\nsource\\nP 1, II 1\"];\n"
            "  \"stage0\" [label=\"stage0\\nmap\\nP 3, II 1\"];\n"
            "  \"stage1\" [label=\"stage1\\nmap\\nP 1, II 1\"];\n"
            "  \"sink\" [label=\"sink\\nsink\"];\n"
            "  \"source\" -> \"stage0\" [label=\"c0\\nint64, capacity 8\"];\n"
            "  \"stage0\" -> \"stage1\" [label=\"c1\\nint64, capacity 8\"];\n"
            "  \"stage1\" -> \"sink\" [label=\"c2\\nint64, capacity 8\"];\n}\n");
}

TEST(GraphFile, AFileThatIsNotJsonSaysSo) {
  dfsim::test::TempDir dir;
  const auto file = dir / "bad.json";
  { std::ofstream(file) << "{\"version\": 1,"; }
  try {
    (void)load_graph(file);
    FAIL();
  } catch (const GraphFileError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 18), "not valid JSON: [j");
  }
}

}  // namespace
}  // namespace dfsim::graph
