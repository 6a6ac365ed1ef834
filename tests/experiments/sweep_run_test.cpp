// Running a sweep (sweep_run.hpp): the points largest first, a point as a task's JSON, resume
// from the folder an earlier run left (only the missing points run), rows written in plan
// order whatever order they finished in, the in-process executor on several threads.
#include "dfsim/experiments/sweep_run.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "files.hpp"

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;


using dfsim::test::slurp;
using dfsim::test::TempDir;

SweepPlan small_plan() {
  return {.variants = {sdpa::Variant::naive, sdpa::Variant::reordered}, .sizes = {16, 32}};
}

// Every column but the wall times.
json without_wall(const Row& row) {
  json j = to_json(row);
  j.erase("wall_seconds");
  return j;
}

TEST(SweepRunOrder, LargestEstimatedCostFirst) {
  SweepRun run({.variants = {sdpa::Variant::naive, sdpa::Variant::naive_stable}, .sizes = {16, 32}},
               "");
  std::vector<std::string> order;
  for (const Point& p : run.pending()) order.push_back(point_name(p));
  // N = 32 before N = 16 (4 times the elements); at one N the naive-stable graph's search
  // bisects two long FIFOs, the naive graph's one.
  EXPECT_EQ(order, (std::vector<std::string>{"naive-stable N=32", "naive N=32",
                                             "naive-stable N=16", "naive N=16"}));
  EXPECT_GT(estimated_cost({.n = 64}, 1024), estimated_cost({.n = 64}, 32))
      << "the min-depth search is part of the cost up to min_depth_max_n";
}

TEST(SweepRunPoint, JsonRoundTrip) {
  Point p{.variant = sdpa::Variant::reordered_stable, .n = 48, .d = 4,
          .preset = sdpa::Preset::one_cycle, .precision = sdpa::Precision::fp32,
          .causal = sdpa::Causal::mask, .heads = 4, .kv_heads = 2, .lanes = 3, .seed = 7};
  EXPECT_EQ(to_json(point_from_json(to_json(p))), to_json(p));
  EXPECT_EQ(to_json(p).dump(),
            R"({"variant":"reordered-stable","n":48,"d":4,"preset":"one-cycle","precision":"fp32",)"
            R"("causal":"mask","decode_rows":0,"heads":4,"kv_heads":2,"lanes":3,"seed":7})");
  Point decode{.variant = sdpa::Variant::naive, .decode_rows = 5};
  EXPECT_EQ(point_from_json(to_json(decode)).decode_rows, 5u);
  // A point written before the preset was renamed reads as the same point.
  EXPECT_EQ(to_json(point_from_json(json::parse(
                R"({"variant":"reordered-stable","n":48,"d":4,"preset":"unit","precision":"fp32",)"
                R"("causal":"mask","decode_rows":0,"heads":4,"kv_heads":2,"lanes":3,"seed":7})"))),
            to_json(p));
  EXPECT_THROW(point_from_json(json{{"variant", "fast"}}), std::invalid_argument);
}

TEST(SweepPlanJson, RoundTripAndWhatItRefuses) {
  SweepPlan plan{.variants = {sdpa::Variant::naive_stable}, .sizes = {16, 48}, .d = 2,
                 .preset = sdpa::Preset::one_cycle,
                 .precisions = {sdpa::Precision::fp32, sdpa::Precision::bf16},
                 .causal = {sdpa::Causal::none, sdpa::Causal::mask}, .decode = {0, 3}, .heads = 2,
                 .kv_heads = {1, 2}, .seed = 3, .threads = 2, .min_depth_max_n = 32,
                 .depth_curve = 5};
  EXPECT_EQ(to_json(plan_from_json(to_json(plan))), to_json(plan));
  // Keys left out keep their defaults.
  EXPECT_EQ(to_json(plan_from_json({{"variants", {"naive"}}})),
            to_json(SweepPlan{.variants = {sdpa::Variant::naive}}));
  const auto message = [](const json& j) {
    try {
      plan_from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({{"variants", {"fast"}}}),
            "unknown variant 'fast': valid variants are naive, naive-stable, reordered, "
            "reordered-stable");
  EXPECT_EQ(message({{"sizes", {16}}}),
            "unknown key 'sizes' in a sweep plan: the keys are those of results.json's config "
            "(docs/outputs.md)");
  EXPECT_EQ(message({{"n", json::array()}}), "a sweep plan needs at least one variant and one N");
  EXPECT_EQ(message({{"d", "two"}}).rfind("a sweep plan's d cannot be \"two\": give each key as "
                                         "results.json's config does, e.g. {\"n\":[64,",
                                         0),
            0u);
}

// A point in parts (begin_point, probes by FifoSearch rounds of two, end_point; the work
// crossing as JSON as it does to Dask) gives run_point's row, for a graph of several FIFOs
// and for one long FIFO at the one-cycle preset, with a depth curve after the search.
TEST(SweepRunPoint, InPartsTheSameRowAsWhole) {
  for (const Point& p : {Point{.variant = sdpa::Variant::reordered, .n = 24},
                         Point{.variant = sdpa::Variant::naive, .n = 16, .preset = sdpa::Preset::one_cycle}}) {
    const PointOptions options{.probe_threads = 1, .depth_curve = 3};
    const Row whole = run_point(p, options).row;
    PointWork work = point_work_from_json(to_json(begin_point(p, options)));
    ASSERT_TRUE(work.search) << point_name(p);
    SearchResults searches;
    for (const FifoBound& f : work.search->fifos) {
      FifoSearch s(f.upper);
      while (!s.done()) {
        const std::vector<std::uint64_t> round = s.next(2);
        std::vector<bool> m;
        for (auto d : round) m.push_back(probe_point(p, f.fifo, d, work.search->unbounded_cycles).matches);
        searches.probes += round.size();
        s.record(round, m);
      }
      searches.depths[f.fifo] = s.depth();
    }
    const Row parts = end_point(p, std::move(work), searches, options).row;
    EXPECT_EQ(without_wall(parts), without_wall(whole)) << point_name(p);
    EXPECT_EQ(parts.status, "completed");
  }
}

// Stops after the first point (the largest); a second SweepRun on the folder runs the other
// three only, and the rows are those of one uninterrupted run.
TEST(SweepRunResume, OnlyTheMissingPointsRunAgain) {
  TempDir dir;
  std::vector<Point> first_order;
  {
    SweepRun first(small_plan(), dir.path());
    first_order = first.pending();
    std::atomic<bool> one_done{false};
    PointOptions stop_after_one{.stop = [&] { return one_done.load(); }};
    EXPECT_FALSE(run_in_process(first, stop_after_one,
                                {.on_point = [&](const Row&, const std::string&) { one_done = true; }}));
    EXPECT_EQ(first.close("SIGINT"), "interrupted");
    EXPECT_EQ(first.points_run(), 1u);
  }
  json interrupted = json::parse(slurp(dir.path() / "results.json"));
  ASSERT_EQ(interrupted["results"].size(), 1u);
  EXPECT_EQ(interrupted["results"][0]["n"], 32);  // the largest point ran first

  SweepRun second(small_plan(), dir.path());
  EXPECT_EQ(second.resumed(), 1u);
  ASSERT_EQ(second.pending().size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(point_name(second.pending()[i]), point_name(first_order[i + 1]));
  EXPECT_TRUE(run_in_process(second, {}, {.workers = 2}));
  EXPECT_EQ(second.close(), "complete");
  EXPECT_EQ(second.points_run(), 3u);

  SweepRun whole(small_plan(), "");
  EXPECT_TRUE(run_in_process(whole, {}));
  ASSERT_EQ(second.rows().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(without_wall(second.rows()[i]), without_wall(whole.rows()[i])) << i;

  // The files in plan order: naive 16, naive 32, reordered 16, reordered 32.
  json done = json::parse(slurp(dir.path() / "results.json"));
  EXPECT_EQ(done["status"], "complete");
  std::vector<std::string> order;
  for (const auto& r : done["results"])
    order.push_back(r["variant"].get<std::string>() + " " + std::to_string(r["n"].get<int>()));
  EXPECT_EQ(order, (std::vector<std::string>{"naive 16", "naive 32", "reordered 16", "reordered 32"}));
  std::string csv = slurp(dir.path() / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_LT(csv.find("\nnaive,16,"), csv.find("\nreordered,32,"));

  // A sweep that ended runs again whole (the simulator may have changed since).
  SweepRun third(small_plan(), dir.path());
  EXPECT_EQ(third.resumed(), 0u);
  EXPECT_EQ(third.pending().size(), 4u);
}

TEST(SweepRunResume, FreshIgnoresAStoppedSweep) {
  TempDir dir;
  {
    SweepRun first(small_plan(), dir.path());
    std::atomic<bool> one_done{false};
    run_in_process(first, {.stop = [&] { return one_done.load(); }},
                   {.on_point = [&](const Row&, const std::string&) { one_done = true; }});
    first.close("SIGTERM");
  }
  SweepRun fresh(small_plan(), dir.path(), /*fresh=*/true);
  EXPECT_EQ(fresh.resumed(), 0u);
  EXPECT_EQ(fresh.pending().size(), 4u);
}

TEST(SweepRunResume, AnotherPlanStartsTheFolderAgain) {
  TempDir dir;
  std::vector<Point> first_order;
  {
    SweepRun first(small_plan(), dir.path());
    first_order = first.pending();
    EXPECT_TRUE(run_in_process(first, {}));
    first.close();
  }
  SweepPlan other = small_plan();
  other.seed = 2;  // other inputs: no row of the first sweep is this one's
  SweepRun second(other, dir.path());
  EXPECT_EQ(second.resumed(), 0u);
  EXPECT_EQ(second.pending().size(), 4u);
  EXPECT_EQ(json::parse(slurp(dir.path() / "results.json"))["results"].size(), 0u);
}

TEST(SweepRunRows, AFailedPointIsAFinalRowWithItsStatus) {
  Row deadlock = pending_row({.n = 16});
  deadlock.status = "deadlock";
  EXPECT_TRUE(is_final(deadlock));
  Row interrupted = deadlock;
  interrupted.status = "interrupted after preset";
  EXPECT_FALSE(is_final(interrupted));
  Row error = error_row({.n = 16}, "KilledWorker: the task killed 4 workers");
  EXPECT_EQ(error.status, "error: KilledWorker: the task killed 4 workers");
  EXPECT_TRUE(is_final(error));
  EXPECT_FALSE(error.preset_run.has_value());
}

TEST(SweepProgressLine, PointsDoneRunningFailedAndTimeLeft) {
  SweepProgress p;
  p.begin(4, 40.0);
  p.started();
  p.started();
  Row row = pending_row({.n = 16});
  row.status = "deadlock";
  row.wall_seconds = 1.25;
  const std::string line = p.finished(row, 10.0);
  EXPECT_EQ(line.substr(0, line.find(", ~")),
            "[1/4 points] naive N=16: deadlock (1.2 s); 1 running, 1 failed");
  EXPECT_NE(line.find(" left"), std::string::npos) << line;
}

}  // namespace
}  // namespace dfsim::experiments
