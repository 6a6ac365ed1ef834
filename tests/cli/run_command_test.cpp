// dfsim run FILE.json, as a user runs it: the summary and kept values, --json, --npy, and
// the exit status of a bad file (2), a failed check (1) and a deadlock (3).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_dfsim.hpp"

namespace dfsim::testing {
namespace {

const std::string kExamples = DFSIM_SOURCE_DIR "/examples/graphs/";

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

// A source of `values` into a sink that checks `expected` (int64, capacity 2).
std::string checked(const std::string& values, const std::string& expected) {
  return R"({"version": 1, "channels": [{"name": "x", "type": "int64"}, {"name": "y", "type": "int64"}],
    "nodes": [{"name": "src", "kind": "source", "outputs": ["x"], "values": )" + values + R"(},
              {"name": "inc", "kind": "map", "inputs": ["x"], "outputs": ["y"], "expressions": ["a + 1"]},
              {"name": "check", "kind": "sink", "inputs": ["y"], "mode": "check", "values": )" +
         expected + "}]}";
}

TEST(RunCommand, PrintsTheSummaryAndKeptValues) {
  TempDir dir;
  Output o = run_dfsim("run " + kExamples + "attention_row.json", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("  status          completed\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("sink 'l_sink' (float64 from 'l'): 1 element\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("sink 'o_sink' (float64[2] from 'o'): 1 element\n"), std::string::npos) << o.out;
}

TEST(RunCommand, JsonHoldsTheRunAndTheKeptValues) {
  TempDir dir;
  Output o = run_dfsim("run " + kExamples + "attention_row.json --json --threads 2", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["status"], "completed");
  ASSERT_EQ(j["kept"].size(), 2u);
  EXPECT_EQ(j["kept"][1]["sink"], "l_sink");
  EXPECT_EQ(j["kept"][1]["values"][0].get<double>(), std::exp(1.0) + std::exp(0.0) + std::exp(2.0));
  EXPECT_EQ(j["kept"][0]["values"][0].size(), 2u);
}

TEST(RunCommand, NpyWritesEachKeepingSink) {
  TempDir dir;
  Output o = run_dfsim("run " + kExamples + "attention_row.json --npy " + (dir / "out").string(), dir);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "o_sink.npy"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "l_sink.npy"));
}

TEST(RunCommand, TheCheckingExamplePasses) {
  TempDir dir;
  Output o = run_dfsim("run " + kExamples + "pipeline.json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("  elapsed cycles  12\n"), std::string::npos) << o.out;
}

TEST(RunCommand, AFailedCheckExitsOneNamingTheSink) {
  TempDir dir;
  Output o = run_dfsim("run " + write(dir, "g.json", checked("[1, 2, 3]", "[2, 3, 5]")), dir);
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("check"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("element 2: expected 5, got 4"), std::string::npos) << o.err;
}

TEST(RunCommand, ACheckedStreamShorterOrLongerExitsOneSayingSo) {
  TempDir dir;
  Output shorter = run_dfsim("run " + write(dir, "short.json", checked("[1, 2]", "[2, 3, 4]")), dir);
  EXPECT_EQ(shorter.status, 1);
  EXPECT_NE(shorter.err.find("stream ended after 2 of 3 expected elements"), std::string::npos)
      << shorter.err;
  Output longer = run_dfsim("run " + write(dir, "long.json", checked("[1, 2, 3]", "[2, 3]")), dir);
  EXPECT_EQ(longer.status, 1);
  EXPECT_NE(longer.err.find("received more than the 2 expected elements"), std::string::npos)
      << longer.err;
}

TEST(RunCommand, ABadFileExitsTwoNamingTheJsonPath) {
  TempDir dir;
  std::string text = checked("[1]", "[2]");
  text.replace(text.find("\"mode\""), 6, "\"mood\"");
  const std::string file = write(dir, "g.json", text);
  Output o = run_dfsim("run " + file, dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "dfsim: error: " + file + ": nodes[2]: unknown key 'mood' in a sink node: allowed keys "
                   "are name, kind, inputs, outputs, mode, values, file, abs_tolerance, rel_tolerance\n");
  EXPECT_EQ(o.out, "");
}

TEST(RunCommand, AGraphThatCannotRunExitsTwoListingItsProblems) {
  TempDir dir;
  std::string text = checked("[1]", "[2]");
  text.replace(text.find("\"a + 1\""), 7, "\"a + b\"");
  const std::string file = write(dir, "g.json", text);
  Output o = run_dfsim("run " + file, dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "dfsim: error: " + file + ": the graph cannot run: node 'inc': output 0: expression "
                   "'a + b': unknown name 'b': the variables are a (int64)\n");
}

TEST(RunCommand, ADeadlockExitsThree) {
  TempDir dir;
  // The source writes both channels together; the Map waits for a row of 4 sums while b's
  // one slot is full.
  const std::string file = write(dir, "g.json", R"({"version": 1,
    "channels": [{"name": "a", "type": "float64", "capacity": 1}, {"name": "b", "type": "float64", "capacity": 1},
                 {"name": "s", "type": "float64"}, {"name": "o", "type": "float64"}],
    "nodes": [{"name": "src", "kind": "source", "outputs": [["a", "b"]], "values": [1, 2, 3, 4, 5, 6, 7, 8]},
              {"name": "sum", "kind": "reduce", "inputs": ["a"], "outputs": ["s"], "row_length": 4, "update": "acc + a"},
              {"name": "scale", "kind": "map", "inputs": ["s", "b"], "outputs": ["o"], "expressions": ["a * b"]},
              {"name": "out", "kind": "sink", "inputs": ["o"]}]})");
  Output o = run_dfsim("run " + file, dir);
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_NE(o.err.find("deadlock"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace dfsim::testing
