// --trace and --dot on every command that runs a graph, and the stall summary: the trace file
// checked against the Chrome trace format's rules, the DOT file rendered by Graphviz.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "../cli_sdpa/run_dfsim.hpp"
#include "../engine/trace_validator.hpp"

namespace dfsim::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Traced {
  std::string name;
  std::string args;
};

void PrintTo(const Traced& t, std::ostream* os) { *os << t.name; }

class EveryCommand : public ::testing::TestWithParam<Traced> {};

TEST_P(EveryCommand, WritesAValidTraceAndARenderableGraph) {
  TempDir dir;
  const auto trace = dir / "run.trace.json", graph = dir / "run.dot";
  Output o = run_dfsim(GetParam().args + " --trace " + trace.string() + " --dot " + graph.string(), dir);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("dfsim: trace written to " + trace.string()));
  EXPECT_THAT(o.err, HasSubstr("dfsim: graph written to " + graph.string()));
  EXPECT_THAT(o.out, HasSubstr("  bound: out of "));
  TraceCheck check = check_chrome_trace(slurp(trace));
  EXPECT_THAT(check.problems, IsEmpty());
  EXPECT_GT(check.phases["X"], 0u);
  EXPECT_GT(check.phases["b"], 0u);
  EXPECT_EQ(check.phases["b"], check.phases["e"]);
  EXPECT_GT(check.phases["C"], 0u);
  if (!std::filesystem::exists("/usr/bin/dot")) GTEST_SKIP() << "graphviz is not installed";
  const std::string render = "/usr/bin/dot -Tsvg " + graph.string() + " -o " + (dir / "run.svg").string();
  ASSERT_EQ(std::system(render.c_str()), 0);
  EXPECT_THAT(slurp(dir / "run.svg"), HasSubstr("<svg"));
}

INSTANTIATE_TEST_SUITE_P(
    Commands, EveryCommand,
    ::testing::Values(
        Traced{"pipeline", "pipeline -T 200 -K 3"},
        Traced{"pipeline_threads", "pipeline -T 200 -K 3 --threads 2 --spread"},
        Traced{"tree", "tree --leaves 8 -T 50"},
        Traced{"naive", "sdpa --variant naive --n 16"},
        Traced{"naive_stable", "sdpa --variant naive-stable --n 16"},
        Traced{"reordered", "sdpa --variant reordered --n 16"},
        Traced{"reordered_stable", "sdpa --variant reordered-stable --n 16"},
        Traced{"two_heads", "sdpa --variant reordered-stable --n 16 --heads 2 --threads 2"},
        Traced{"graph_file", "run " DFSIM_SOURCE_DIR "/examples/graphs/pipeline.json"}),
    [](const auto& info) { return info.param.name; });

// The example: a long FIFO of 70 at N = 64, where 80 keeps full speed. The bound
// names the unit that waited and the FIFO; its cycles are that unit's wait on that FIFO.
TEST(StallSummary, NamesTheFullFifoOfAShallowLongFifo) {
  TempDir dir;
  Output o = run_dfsim("sdpa --variant naive --n 64 --preset spatial-calibrated --depth long=70 --json", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);
  const auto& bound = j["stalls"]["bound"];
  EXPECT_EQ(bound["kind"], "full_channel");
  EXPECT_EQ(bound["context"], "qk");
  EXPECT_EQ(bound["channel"], "long");
  EXPECT_EQ(bound["elapsed"], j["cycles"]);
  for (const auto& c : j["stalls"]["contexts"])
    if (c["name"] == "qk") {
      EXPECT_EQ(c["backpressured_on"]["long"], bound["cycles"]);
    }
  EXPECT_EQ(bound["text"], "out of " + j["cycles"].dump() + " cycles, qk waited " +
                               bound["cycles"].dump() + " on `long`, full");
  Output text = run_dfsim("sdpa --variant naive --n 64 --preset spatial-calibrated --depth long=70", dir);
  EXPECT_THAT(text.out, HasSubstr("  bound: " + bound["text"].get<std::string>() + "\n"));
}

TEST(StallSummary, TracingChangesNoCycle) {
  TempDir dir;
  Output plain = run_dfsim("pipeline -T 300 -K 3 -C 1 --json", dir);
  Output traced = run_dfsim("pipeline -T 300 -K 3 -C 1 --json --trace " + (dir / "t.json").string(), dir);
  ASSERT_EQ(plain.status, 0);
  ASSERT_EQ(traced.status, 0);
  auto a = nlohmann::json::parse(plain.out), b = nlohmann::json::parse(traced.out);
  EXPECT_EQ(a["cycles"], b["cycles"]);
  EXPECT_EQ(a["channels"], b["channels"]);
  EXPECT_EQ(a["bound"], b["bound"]);
  for (std::size_t i = 0; i < a["contexts"].size(); ++i)
    EXPECT_EQ(a["contexts"][i], b["contexts"][i]);
}

TEST(TraceFlags, ALimitCutsTheTraceAndSaysSo) {
  TempDir dir;
  const auto trace = dir / "t.json";
  Output o = run_dfsim("pipeline -T 1000 -K 2 --trace " + trace.string() + " --trace-limit 100", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("dfsim: warning: the trace was cut at cycle "));
  EXPECT_THAT(o.err, HasSubstr("raise --trace-limit (now 100)"));
  TraceCheck check = check_chrome_trace(slurp(trace));
  EXPECT_THAT(check.problems, IsEmpty());
  EXPECT_EQ(check.document["otherData"]["truncated"], true);
  EXPECT_LE(check.document["otherData"]["events"].get<int>(), 100);
}

TEST(TraceFlags, FilterAndWindow) {
  TempDir dir;
  const auto trace = dir / "t.json";
  Output o = run_dfsim("sdpa --variant naive --n 16 --heads 2 --trace " + trace.string() +
                           " --trace-filter 'head1.*' --trace-window 100:300",
                       dir);
  ASSERT_EQ(o.status, 0) << o.err;
  TraceCheck check = check_chrome_trace(slurp(trace));
  EXPECT_THAT(check.problems, IsEmpty());
  for (const auto& e : check.document["traceEvents"]) {
    if (e["ph"] == "b") {
      EXPECT_THAT(e["name"].get<std::string>(), ::testing::StartsWith("head1."));
    }
    if (e["ph"] == "M" && e["name"] == "thread_name") {
      EXPECT_THAT(e["args"]["name"].get<std::string>(), ::testing::StartsWith("head1."));
    }
    if (e["ph"] == "X") {
      EXPECT_GE(e["ts"].get<int>(), 100);
      EXPECT_LE(e["ts"].get<int>() + e["dur"].get<int>(), 300);
    }
  }
}

TEST(TraceFlags, BadValuesAreRefused) {
  TempDir dir;
  Output o = run_dfsim("pipeline -T 10 --trace t.json --trace-window 5:3", dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "dfsim: error: --trace-window '5:3' is empty: UNTIL must be later than FROM\n");
  o = run_dfsim("pipeline -T 10 --trace t.json --trace-window 5", dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "dfsim: error: --trace-window '5': expected FROM:UNTIL in cycles, e.g. "
            "--trace-window 1000:2000\n");
  o = run_dfsim("tree --leaves 4 -T 10 --trace-filter 'x*'", dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("--trace-filter requires --trace"));
}

TEST(TraceFlags, AnUnwritableTraceKeepsTheResults) {
  TempDir dir;
  Output o = run_dfsim("pipeline -T 10 --trace " + (dir / "no/such/dir/t.json").string(), dir);
  EXPECT_EQ(o.status, 1);
  EXPECT_THAT(o.out, HasSubstr("elapsed cycles"));
  EXPECT_THAT(o.err, HasSubstr("dfsim: error: cannot write the trace to '"));
}

}  // namespace
}  // namespace dfsim::testing
