// dfsim sdpa-sweep on tiny sizes: results.csv, results.json and report.md (with plots when
// /usr/bin/python3 has matplotlib), and a report without plots when python cannot run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_dfsim.hpp"

namespace dfsim::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

TEST(SdpaSweep, WritesResultsAndReport) {
  TempDir dir;
  auto out = dir / "sweep";
  auto o = run_dfsim(
      "sdpa-sweep --n 8,16,24 --variants naive,reordered-stable --out " + out.string(), dir);
  ASSERT_EQ(o.status, 0) << o.out << o.err;
  ASSERT_TRUE(fs::exists(out / "results.csv"));
  ASSERT_TRUE(fs::exists(out / "results.json"));
  ASSERT_TRUE(fs::exists(out / "report.md"));

  auto csv = lines(slurp(out / "results.csv"));
  ASSERT_EQ(csv.size(), 1u + 6u);  // header + 2 variants x 3 sizes
  EXPECT_EQ(csv[0].rfind("variant,n,d,preset,", 0), 0u) << csv[0];
  for (const char* column : {"cycles", "ideal_cycles", "throughput", "intermediate_memory_elements",
                             "min_depth_long", "max_abs_error", "wall_seconds"})
    EXPECT_NE(csv[0].find(column), std::string::npos) << column;

  json j = json::parse(slurp(out / "results.json"));
  EXPECT_EQ(j["status"], "complete");
  ASSERT_EQ(j["results"].size(), 6u);
  for (const auto& r : j["results"]) {
    EXPECT_EQ(r["status"], "completed") << r.dump();
    EXPECT_EQ(r["runs_done"], "preset;unbounded;min-depths") << r.dump();
    EXPECT_LT(r["max_abs_error"].get<double>(), 1e-12);
    EXPECT_EQ(r["unbounded_cycles"], r["min_depth_cycles"]) << r.dump();
    std::uint64_t n = r["n"];
    // docs/sdpa.md, "Cycles", spatial-calibrated (II_max 2); one-cycle for the unbounded run.
    const bool naive = r["variant"] == "naive";
    EXPECT_EQ(r["ideal_cycles"].get<std::uint64_t>(), 2 * n * n);
    EXPECT_EQ(r["cycles"].get<std::uint64_t>(), naive ? 2 * n * n + 2 * n + 52 : 2 * n * n + 46);
    EXPECT_EQ(r["unbounded_unit_cycles"].get<std::uint64_t>(), naive ? n * n + n + 3 : n * n + 4);
    // Spatial-calibrated: the naive long FIFO needs N + 16 (as at N = 64, where
    // tests/sdpa/dam_fidelity_test.cpp checks it against DAM), its memory is N + 7; the
    // reordered-stable FIFOs need constants (the scores FIFO 6) and 12 elements in all.
    if (r["variant"] == "naive") {
      EXPECT_EQ(r["min_depth_long"].get<std::uint64_t>(), n + 16) << r.dump();
      EXPECT_EQ(r["min_depths"], "long=" + std::to_string(n + 16));
      EXPECT_EQ(r["intermediate_memory_elements"].get<std::uint64_t>(), n + 7);
    } else {
      EXPECT_TRUE(r["min_depth_long"].is_null());
      EXPECT_EQ(r["min_depths"],
                "acc=1;c_acc=2;c_sum=2;delta_acc=2;delta_sum=2;k=1;out=1;q=1;scores=6;sum=1;v=1");
      EXPECT_EQ(r["min_depth_max"].get<std::uint64_t>(), 6u);
      EXPECT_EQ(r["intermediate_memory_elements"].get<std::uint64_t>(), 12u);
    }
  }
  // The reordered graph's memory does not change with N.
  EXPECT_EQ(j["results"][3]["intermediate_memory_elements"],
            j["results"][5]["intermediate_memory_elements"]);

  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();  // every write renamed in place

  std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("Intermediate memory"), std::string::npos);
  EXPECT_NE(o.out.find((out / "report.md").string()), std::string::npos) << o.out;
  EXPECT_NE(o.err.find(" 6/18]"), std::string::npos) << o.err;  // progress with a count
  if (python_has("matplotlib")) {
    for (const char* png : {"memory.png", "cycles.png", "min_depth.png"}) {
      EXPECT_TRUE(fs::exists(out / png)) << png;
      EXPECT_NE(report.find(std::string("](") + png + ")"), std::string::npos) << png;
    }
    EXPECT_NE(report.find("N + c with c = "), std::string::npos) << report;
  }
}

TEST(SdpaSweep, WithoutPythonTheReportHasNoPlotsAndTheExitIsZero) {
  TempDir dir;
  auto out = dir / "sweep";
  auto o = run_dfsim("sdpa-sweep --n 8,12 --variants reordered --out " + out.string() +
                         " --python /nonexistent/python3",
                     dir);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("warning"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("/nonexistent/python3"), std::string::npos) << o.err;
  ASSERT_TRUE(fs::exists(out / "report.md"));
  EXPECT_FALSE(fs::exists(out / "memory.png"));
  EXPECT_NE(slurp(out / "report.md").find("| reordered | 12 |"), std::string::npos)
      << slurp(out / "report.md");
}

TEST(SdpaSweep, NoPlotsStillWritesTheConclusions) {
  if (!python_has("json")) GTEST_SKIP() << "/usr/bin/python3 is not available";
  TempDir dir;
  auto out = dir / "sweep";
  auto o = run_dfsim("sdpa-sweep --n 8,12 --variants naive --no-plots --json --out " + out.string(),
                     dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = json::parse(o.out);  // --json: the results document instead of the summary
  EXPECT_EQ(j["results"].size(), 2u);
  EXPECT_EQ(j["report"], (out / "report.md").string());
  EXPECT_EQ(j["plots"], false);
  EXPECT_FALSE(fs::exists(out / "memory.png"));
  std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("not drawn: --no-plots"), std::string::npos) << report;
  EXPECT_NE(report.find("grows"), std::string::npos) << report;
}

// The script only draws; dfsim writes report.md and links the plots the script left, saying
// which are missing.
TEST(SdpaSweep, PlotScriptOverride) {
  TempDir dir;
  auto script = dir / "plot.py";
  std::ofstream(script) << "import sys\nopen(sys.argv[1] + '/memory.png', 'w').write('png')\n";
  auto out = dir / "sweep";
  auto o = run_dfsim("sdpa-sweep --n 8 --variants reordered --out " + out.string() +
                         " --plot-script " + script.string(),
                     dir);
  if (!python_has("sys")) GTEST_SKIP() << "/usr/bin/python3 is not available";
  EXPECT_EQ(o.status, 0) << o.err;
  std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("![intermediate memory against N](memory.png)"), std::string::npos)
      << report;
  EXPECT_NE(report.find("*(plot not drawn: cycles.png is missing)*"), std::string::npos)
      << report;
  EXPECT_NE(report.find("| reordered | 8 |"), std::string::npos) << report;
}

// The Dask executor is the Python package's (python/dfsim/distributed.py, tested by
// python/tests/test_distributed.py): a build without the package, as the sanitizer builds
// are, says so before anything runs or is written.
TEST(SdpaSweep, SchedulerWithoutThePythonPackageSaysWhy) {
#ifndef DFSIM_WITHOUT_PYTHON
  GTEST_SKIP() << "this build has the Python package";
#else
  TempDir dir;
  auto o = run_dfsim("sdpa-sweep --n 8 --variants naive --scheduler local --out " +
                         (dir / "out").string(),
                     dir);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "dfsim: error: --scheduler needs the Python package, and this dfsim was built without "
            "it (DFSIM_BUILD_PYTHON=OFF, as in the sanitizer builds): build with "
            "-DDFSIM_BUILD_PYTHON=ON, or drop --scheduler\n");
  EXPECT_FALSE(fs::exists(dir / "out"));
#endif
}

}  // namespace
}  // namespace dfsim::testing
