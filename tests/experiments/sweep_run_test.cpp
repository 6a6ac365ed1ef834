// Running a sweep (sweep_run.hpp): the points largest first, a point as a task's JSON, resume
// from the folder an earlier run left (only the missing points run), rows written in plan
// order whatever order they finished in, the in-process executor on several threads.
#include "dfsim/experiments/sweep_run.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct SweepRunDir {
  fs::path path = fs::temp_directory_path() /
                  ("dfsim_sweep_run_" + std::to_string(::getpid()) + "_" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  SweepRunDir() { fs::remove_all(path); }
  ~SweepRunDir() { fs::remove_all(path); }
};

std::string file_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

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
          .preset = sdpa::Preset::one_cycle, .precision = sdpa::Precision::fp32, .seed = 7};
  EXPECT_EQ(to_json(point_from_json(to_json(p))), to_json(p));
  EXPECT_EQ(to_json(p).dump(),
            R"({"variant":"reordered-stable","n":48,"d":4,"preset":"one-cycle","precision":"fp32","seed":7})");
  // A point written before the preset was renamed reads as the same point.
  EXPECT_EQ(to_json(point_from_json(json::parse(
                R"({"variant":"reordered-stable","n":48,"d":4,"preset":"unit","precision":"fp32","seed":7})"))),
            to_json(p));
  EXPECT_THROW(point_from_json(json{{"variant", "fast"}}), std::invalid_argument);
}

// Stops after the first point (the largest); a second SweepRun on the folder runs the other
// three only, and the rows are those of one uninterrupted run.
TEST(SweepRunResume, OnlyTheMissingPointsRunAgain) {
  SweepRunDir dir;
  std::vector<Point> first_order;
  {
    SweepRun first(small_plan(), dir.path);
    first_order = first.pending();
    std::atomic<bool> one_done{false};
    PointOptions stop_after_one{.stop = [&] { return one_done.load(); }};
    EXPECT_FALSE(run_in_process(first, stop_after_one,
                                {.on_point = [&](const Row&, const std::string&) { one_done = true; }}));
    EXPECT_EQ(first.close("SIGINT"), "interrupted");
    EXPECT_EQ(first.points_run(), 1u);
  }
  json interrupted = json::parse(file_text(dir.path / "results.json"));
  ASSERT_EQ(interrupted["results"].size(), 1u);
  EXPECT_EQ(interrupted["results"][0]["n"], 32);  // the largest point ran first

  SweepRun second(small_plan(), dir.path);
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
  json done = json::parse(file_text(dir.path / "results.json"));
  EXPECT_EQ(done["status"], "complete");
  std::vector<std::string> order;
  for (const auto& r : done["results"])
    order.push_back(r["variant"].get<std::string>() + " " + std::to_string(r["n"].get<int>()));
  EXPECT_EQ(order, (std::vector<std::string>{"naive 16", "naive 32", "reordered 16", "reordered 32"}));
  std::string csv = file_text(dir.path / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_LT(csv.find("\nnaive,16,"), csv.find("\nreordered,32,"));

  // A sweep that ended runs again whole (the simulator may have changed since).
  SweepRun third(small_plan(), dir.path);
  EXPECT_EQ(third.resumed(), 0u);
  EXPECT_EQ(third.pending().size(), 4u);
}

TEST(SweepRunResume, FreshIgnoresAStoppedSweep) {
  SweepRunDir dir;
  {
    SweepRun first(small_plan(), dir.path);
    std::atomic<bool> one_done{false};
    run_in_process(first, {.stop = [&] { return one_done.load(); }},
                   {.on_point = [&](const Row&, const std::string&) { one_done = true; }});
    first.close("SIGTERM");
  }
  SweepRun fresh(small_plan(), dir.path, /*fresh=*/true);
  EXPECT_EQ(fresh.resumed(), 0u);
  EXPECT_EQ(fresh.pending().size(), 4u);
}

TEST(SweepRunResume, AnotherPlanStartsTheFolderAgain) {
  SweepRunDir dir;
  std::vector<Point> first_order;
  {
    SweepRun first(small_plan(), dir.path);
    first_order = first.pending();
    EXPECT_TRUE(run_in_process(first, {}));
    first.close();
  }
  SweepPlan other = small_plan();
  other.seed = 2;  // other inputs: no row of the first sweep is this one's
  SweepRun second(other, dir.path);
  EXPECT_EQ(second.resumed(), 0u);
  EXPECT_EQ(second.pending().size(), 4u);
  EXPECT_EQ(json::parse(file_text(dir.path / "results.json"))["results"].size(), 0u);
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
