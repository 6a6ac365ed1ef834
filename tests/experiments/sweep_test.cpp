// The sweep protocol: a point's three runs fill its row; the row schema round-trips through
// JSON and has one CSV cell per column; a result folder's files.
#include "dfsim/experiments/sweep.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "dfsim/engine/version.hpp"
#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/result_folder.hpp"
#include "files.hpp"

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;

using dfsim::test::slurp;
using dfsim::test::TempDir;

// Naive, N = 64, spatial-calibrated: run 1 at the preset's depths takes the unbounded cycles,
// so the search's long FIFO is bounded by the preset's 98 and finds 80 (N + 16).
TEST(SweepPoint, ThreeRunsFillTheRow) {
  std::vector<Stage> stages;
  PointResult r = run_point({.variant = sdpa::Variant::naive, .n = 64},
                            {.on_stage_end = [&](const StageEnd& e) { stages.push_back(e.stage); }});
  EXPECT_EQ(stages, (std::vector<Stage>{Stage::preset, Stage::unbounded, Stage::min_depths}));
  const Row& row = r.row;
  EXPECT_EQ(row.status, "completed");
  EXPECT_EQ(row.runs_done, "preset;unbounded;min-depths");
  EXPECT_EQ(row.ii_max, 2u);
  EXPECT_EQ(row.ideal_cycles, 2u * 64 * 64);
  ASSERT_TRUE(row.preset_run && row.unbounded_run && row.min_depth_run);
  EXPECT_EQ(row.preset_run->cycles, row.min_depth_run->unbounded_cycles);
  EXPECT_EQ(row.preset_run->overhead_cycles,
            static_cast<std::int64_t>(row.preset_run->cycles) - 2 * 64 * 64);
  EXPECT_EQ(row.min_depth_run->depths, (std::map<std::string, std::uint64_t>{{"long", 80}}));
  EXPECT_EQ(row.min_depth_run->min_depth_long, 80u);
  EXPECT_EQ(row.min_depth_run->min_depth_cycles, row.min_depth_run->unbounded_cycles);
  EXPECT_FALSE(r.deadlock || r.failed || r.overflow || r.interrupted);
}

TEST(SweepPoint, AStopAfterRunOneLeavesAnInterruptedRow) {
  PointResult r = run_point({.variant = sdpa::Variant::reordered, .n = 16},
                            {.stop = [] { return true; }});
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.row.status, "interrupted after preset");
  EXPECT_TRUE(r.row.preset_run.has_value());
  EXPECT_FALSE(r.row.unbounded_run.has_value());
  auto j = to_json(r.row);
  EXPECT_TRUE(j.contains("cycles"));
  EXPECT_FALSE(j.contains("intermediate_memory_elements"));
}

TEST(RowSchema, JsonRoundTripAndOneCsvCellPerColumn) {
  PointResult r = run_point({.variant = sdpa::Variant::naive_stable, .n = 16},
                            {.min_depth_max_n = 16});
  auto j = to_json(r.row);
  for (const std::string& c : columns()) EXPECT_TRUE(j.contains(c)) << c;
  EXPECT_EQ(to_json(row_from_json(j)), j);
  EXPECT_TRUE(j["min_depth_long"].is_number());
  // The reordered graphs have no long FIFO: null in the JSON, an empty CSV cell.
  Row reordered = run_point({.variant = sdpa::Variant::reordered, .n = 16}).row;
  EXPECT_TRUE(to_json(reordered)["min_depth_long"].is_null());
  std::string line = csv_line(reordered);
  EXPECT_EQ(std::count(line.begin(), line.end(), ','), std::ptrdiff_t(columns().size() - 1));
  EXPECT_EQ(csv_header().rfind("variant,n,d,preset,", 0), 0u);
}

TEST(RowSchema, CsvQuotesCellsWithCommasOrQuotes) {
  Row row = pending_row({.variant = sdpa::Variant::naive, .n = 8});
  row.status = "error in the unbounded run: a \"quoted\", message";
  std::string line = csv_line(row);
  EXPECT_NE(line.find(",\"error in the unbounded run: a \"\"quoted\"\", message\","),
            std::string::npos)
      << line;
}

TEST(SweepFolderFiles, RowsAppearInBothFiles) {
  TempDir base;
  const fs::path dir = base / "sweep";  // FolderLock makes it
  {
    FolderLock lock(dir);
    EXPECT_THROW(FolderLock second(dir), FolderInUse);
    SweepPlan plan{.variants = {sdpa::Variant::reordered}, .sizes = {8}};
    SweepFolder folder(dir, to_json(plan));
    EXPECT_EQ(slurp(dir / "results.csv"), csv_header());
    Row row = run_point(points(plan).front()).row;
    std::size_t i = folder.add_row(pending_row(points(plan).front()));
    folder.finish_row(i, row);
    folder.finish("complete", 1.5);
    EXPECT_EQ(slurp(dir / "results.csv"), csv_header() + csv_line(row));
    auto doc = nlohmann::ordered_json::parse(slurp(dir / "results.json"));
    EXPECT_EQ(doc["status"], "complete");
    EXPECT_EQ(doc["config"]["variants"][0], "reordered");
    // Which simulator measured the rows, right after the config.
    EXPECT_EQ(doc["dfsim_version"], std::string(dfsim::version()));
    EXPECT_EQ(std::next(doc.begin()).key(), "dfsim_version");
    EXPECT_EQ(row_from_json(doc["results"][0]).min_depth_run->depths, row.min_depth_run->depths);
  }
}

}  // namespace
}  // namespace dfsim::experiments

namespace dfsim::experiments {
namespace {

// report.md without python: the conclusions come from the rows (naive long FIFO N + 16 at
// N = 8 and 16 with spatial-calibrated: c = 16), and the plots are said to be missing.
TEST(Report, WrittenFromTheRowsWithoutPython) {
  SweepPlan plan{.variants = {sdpa::Variant::naive, sdpa::Variant::reordered}, .sizes = {8, 16}};
  SweepDocument doc{.config = to_json(plan), .status = "complete", .wall_seconds = 1.25,
                    .dfsim_version = std::string(dfsim::version())};
  for (const Point& p : points(plan)) doc.results.push_back(run_point(p).row);
  TempDir temp;
  const fs::path& dir = temp.path();
  write_report(dir, doc, {.why_no_plots = "--no-plots"});
  std::string md = slurp(dir / "report.md");
  for (const std::string& part : std::vector<std::string>{
           "Sweep status: complete, 1.2 s of wall time. Simulated by dfsim " +
            std::string(dfsim::version()) + ".",
        "**naive**: the minimal long-FIFO depth is 24 (N + 16), 32 (N + 16); fit 1.000 N + 16.0: "
        "N + c with c = 16.",
        "**reordered**: intermediate memory constant at 6 for every N from 8 to 16.",
        "*(plot not drawn: --no-plots)*", "| reordered | 16 | 2 |"})
    EXPECT_NE(md.find(part), std::string::npos) << part << "\n" << md;
  // Graphviz is installed by scripts/setup.sh: each variant's picture, linked.
  if (std::system("command -v dot > /dev/null") == 0) {
    EXPECT_TRUE(fs::exists(dir / "graph-naive.svg"));
    EXPECT_NE(md.find("![the reordered graph](graph-reordered.svg)"), std::string::npos) << md;
  }
  EXPECT_EQ(render_report(doc, dir, {.why_no_plots = "--no-plots", .graphs = false}).find("graph-"),
            std::string::npos);
  // Round trip through results.json gives the same report.
  SweepFolder folder(dir, doc.config);
  for (const Row& r : doc.results) folder.finish_row(folder.add_row(r), r);
  folder.finish("complete", 1.25);
  EXPECT_EQ(render_report(read_sweep(dir), dir, {.why_no_plots = "--no-plots"}), md);
}

}  // namespace
}  // namespace dfsim::experiments
