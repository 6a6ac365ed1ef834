// The sweep's axes beyond variant and N (causal, precision, decode, kv_heads, lanes): how a plan
// crosses them, and the rows of small sweeps over each, their cycles derived by hand as in
// tests/sdpa (cycles_test.cpp's fill constants: reordered 43, reordered-stable 46, naive
// 2 N + 52 at the spatial-calibrated preset, where II_max = 2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/experiments/sweep_run.hpp"

namespace dfsim::experiments {
namespace {

using sdpa::Causal;
using sdpa::Variant;

// The rows of `plan` run in process, without the min-depth search (fast), in plan order.
std::vector<Row> sweep_rows(SweepPlan plan) {
  plan.min_depth_max_n = 0;
  SweepRun run(plan, "");
  EXPECT_TRUE(run_in_process(run, point_options(plan)));
  return run.rows();
}

std::vector<Cycle> cycles(const std::vector<Row>& rows) {
  std::vector<Cycle> list;
  for (const Row& r : rows) list.push_back(r.preset_run ? r.preset_run->cycles : 0);
  return list;
}

TEST(SweepAxes, PlanCrossesTheAxesDecodeOnlyWithoutACausalMask) {
  SweepPlan plan{.variants = {Variant::reordered},
                 .sizes = {8, 16},
                 .causal = {Causal::none, Causal::skip},
                 .decode = {0, 2}};
  std::vector<std::string> names;
  for (const Point& p : points(plan)) names.push_back(point_name(p));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "reordered N=8", "reordered N=16", "reordered N=8 decode=2",
                       "reordered N=16 decode=2", "reordered N=8 causal=skip",
                       "reordered N=16 causal=skip"}));
  EXPECT_EQ(run_count(plan), 6u * 3);
  const auto config = to_json(plan);
  EXPECT_EQ(config["causal"], nlohmann::ordered_json::array({"none", "skip"}));
  EXPECT_EQ(config["decode"], nlohmann::ordered_json::array({0, 2}));
  EXPECT_EQ(config["precision"], nlohmann::ordered_json::array({"fp64"}));
  EXPECT_EQ(config["lanes"], nlohmann::ordered_json::array({1}));
}

TEST(SweepAxes, APointThatCannotRunNamesItself) {
  SweepPlan plan{.variants = {Variant::naive}, .sizes = {8}, .lanes = {1, 9}};
  try {
    check(plan);
    FAIL() << "9 lanes for 8 keys were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("point naive N=8 lanes=9: lanes = 9 is more than n = 8", 0), 0u)
        << e.what();
  }
  EXPECT_THROW(check(SweepPlan{.sizes = {8}, .lanes = {}}), std::invalid_argument);
}

// II_max x N x ceil(N / L) + 46 + 21 per level of the merge tree (lanes_test.cpp).
TEST(SweepAxes, LanesRows) {
  auto rows = sweep_rows({.variants = {Variant::reordered_stable}, .sizes = {40}, .lanes = {1, 2, 4}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>{2 * 40 * 40 + 46, 2 * 40 * 20 + 46 + 21,
                                              2 * 40 * 10 + 46 + 42}));
  EXPECT_EQ(rows[2].lanes, 4u);
  EXPECT_EQ(rows[2].ideal_cycles, 2u * 40 * 10);
  EXPECT_EQ(rows[2].status, "completed");
}

// The naive lanes: II_max x N x ceil(N / L) + 2 ceil(N / L) + 52 + 8 per level of each of the
// two trees (lanes_test.cpp).
TEST(SweepAxes, NaiveLanesRows) {
  auto rows = sweep_rows({.variants = {Variant::naive}, .sizes = {40}, .lanes = {1, 2, 4}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>{2 * 40 * 40 + 2 * 40 + 52, 2 * 40 * 20 + 2 * 20 + 52 + 16,
                                              2 * 40 * 10 + 2 * 10 + 52 + 32}));
  EXPECT_EQ(rows[2].ideal_cycles, 2u * 40 * 10);
  EXPECT_EQ(rows[2].status, "completed");
}

// Masking costs nothing; skipping streams N (N + 1) / 2 keys (causal_test.cpp).
TEST(SweepAxes, CausalRows) {
  const Cycle n = 33, full = 2 * n * n, half = n * (n + 1);
  auto rows = sweep_rows({.variants = {Variant::naive, Variant::reordered},
                          .sizes = {33},
                          .causal = {Causal::none, Causal::mask, Causal::skip}});
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>{full + 2 * n + 52, full + 2 * n + 52, half + 2 * n + 52,
                                              full + 43, full + 43, half + 43}));
  EXPECT_EQ(rows[5].causal, "skip");
  EXPECT_EQ(rows[5].ideal_cycles, half);
  ASSERT_TRUE(rows[3].preset_run && rows[4].preset_run);
  EXPECT_LT(rows[4].preset_run->max_abs_error, 1e-14) << "the masked run against the masked reference";
}

// B rows against N keys: II_max B N + 46 (decode_test.cpp).
TEST(SweepAxes, DecodeRows) {
  auto rows = sweep_rows({.variants = {Variant::reordered_stable}, .sizes = {16}, .decode = {0, 1, 8}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>{2 * 16 * 16 + 46, 2 * 16 + 46, 2 * 8 * 16 + 46}));
  EXPECT_EQ(rows[1].decode_rows, 1u);
  EXPECT_EQ(rows[2].ideal_cycles, 2u * 8 * 16);
}

// Heads sharing K/V streams take the cycles and FIFO memory of independent heads
// (gqa_test.cpp): 4 heads side by side, each as one head alone.
TEST(SweepAxes, KvHeadsRows) {
  auto rows = sweep_rows(
      {.variants = {Variant::reordered_stable}, .sizes = {16}, .heads = 4, .kv_heads = {0, 2, 1}});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>(3, 2 * 16 * 16 + 46)));
  EXPECT_EQ(rows[0].kv_heads, 4u);
  EXPECT_EQ(rows[1].kv_heads, 2u);
  EXPECT_EQ(rows[2].kv_heads, 1u);
  EXPECT_EQ(rows[2].heads, 4u);
  ASSERT_TRUE(rows[0].unbounded_run && rows[2].unbounded_run);
  EXPECT_EQ(rows[0].unbounded_run->intermediate_memory_elements,
            rows[2].unbounded_run->intermediate_memory_elements);
}

// The format changes the values, never the timing. |Q K^T| <= 1 here: no overflow. fp16 keeps
// 11 significant bits, so its outputs (below 1) are off by more than fp64's and by less than
// a few hundred units of 2^-11 after a row of 33 rounded sums.
TEST(SweepAxes, PrecisionRowsAndTheReportsErrorTable) {
  auto rows = sweep_rows({.variants = {Variant::reordered},
                          .sizes = {33},
                          .precisions = {sdpa::Precision::fp64, sdpa::Precision::fp16}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(cycles(rows), (std::vector<Cycle>(2, 2 * 33 * 33 + 43)));
  ASSERT_TRUE(rows[0].preset_run && rows[1].preset_run);
  EXPECT_LT(rows[0].preset_run->max_abs_error, 1e-14);
  EXPECT_GT(rows[1].preset_run->max_abs_error, 1e-5);
  EXPECT_LT(rows[1].preset_run->max_abs_error, 0.1);
  SweepDocument doc{.config = to_json(SweepPlan{.variants = {Variant::reordered},
                                                .sizes = {33},
                                                .precisions = {sdpa::Precision::fp64,
                                                               sdpa::Precision::fp16}}),
                    .status = "complete",
                    .results = rows};
  const std::string md = render_report(doc, "", {.why_no_plots = "test", .graphs = false});
  EXPECT_NE(md.find("| variant | fp64 | fp16 |"), std::string::npos) << md;
}

TEST(SweepAxes, TheReportHasASectionPerAxisSwept) {
  SweepPlan plan{.variants = {Variant::reordered_stable}, .sizes = {40}, .lanes = {1, 2, 4}};
  SweepDocument doc{.config = to_json(plan), .status = "complete", .results = sweep_rows(plan)};
  const std::string md = render_report(doc, "", {.why_no_plots = "test", .graphs = false});
  EXPECT_NE(md.find("## Parallel lanes: cycles"), std::string::npos) << md;
  EXPECT_NE(md.find("| variant | lanes = 1 | lanes = 2 | lanes = 4 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| reordered-stable | 3246 | 1667 | 888 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("## Causal masking"), std::string::npos) << "one causal mode: no section";
}

// With lanes the min-depth search covers the lanes' own FIFOs too (lane_scores, max).
TEST(SweepAxes, MinDepthsOfLanesSearchTheLaneFifos) {
  PointResult r = run_point({.variant = Variant::reordered_stable, .n = 16, .lanes = 2});
  ASSERT_TRUE(r.row.min_depth_run);
  EXPECT_TRUE(r.row.min_depth_run->depths.count("lane_scores"));
  EXPECT_TRUE(r.row.min_depth_run->depths.count("max"));
  EXPECT_EQ(r.row.min_depth_run->min_depth_cycles, r.row.min_depth_run->unbounded_cycles);
}

}  // namespace
}  // namespace dfsim::experiments
