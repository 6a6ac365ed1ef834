#pragma once
// The sweep protocol (`dfsim sdpa-sweep`, docs/outputs.md): every variant over several N, and
// for each (variant, N) point three runs that fill one Row (row.hpp):
//   1. the preset's FIFO depths: cycles, throughput, error;
//   2. every FIFO unbounded, one-cycle preset: peak occupancies, intermediate memory;
//   3. the minimal depths at the preset's timing (min_depth.hpp, FifoSelection::claims),
//      skipped above min_depth_max_n.
//
//   SweepPlan plan{.variants = sdpa::all_variants(), .sizes = {64, 128}};
//   check(plan);                                   // std::invalid_argument if a point cannot run
//   for (const Point& p : points(plan)) {
//     PointResult r = run_point(p, point_options(plan));
//     // r.row.preset_run->cycles, r.row.min_depth_run->min_depth_long, ...
//   }
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dfsim/engine/run.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

// The min-depth search runs the graph many times per FIFO: above this N a sweep skips it.
inline constexpr std::size_t kDefaultMinDepthMaxN = 1024;

struct Point {
  sdpa::Variant variant = sdpa::Variant::naive;
  std::size_t n = 64;
  std::size_t d = 1;
  sdpa::Preset preset = sdpa::Preset::spatial_calibrated;
  sdpa::Precision precision = sdpa::Precision::fp64;
  std::uint64_t seed = 1;  // random Q, K, V (one head)
};
// "naive N=64"
std::string point_name(const Point& p);

struct SweepPlan {
  std::vector<sdpa::Variant> variants = sdpa::all_variants();
  std::vector<std::size_t> sizes = {64, 128, 256, 512, 1024};
  std::size_t d = 1;
  sdpa::Preset preset = sdpa::Preset::spatial_calibrated;
  sdpa::Precision precision = sdpa::Precision::fp64;
  std::uint64_t seed = 1;
  unsigned threads = 1;  // engine worker threads per run
  std::size_t min_depth_max_n = kDefaultMinDepthMaxN;
  std::size_t depth_curve = 0;  // PointOptions::depth_curve
};
// Every (variant, N) in plan order: variants outer, sizes inner.
std::vector<Point> points(const SweepPlan& plan);
// Throws std::invalid_argument (resolve's message) if any point's runs cannot be configured,
// or the threads are too many: before anything runs or is written.
void check(const SweepPlan& plan);
// results.json's "config": n, variants, preset, precision, d, seed, threads, min_depth_max_n,
// and depth_curve when it is not 0.
nlohmann::ordered_json to_json(const SweepPlan& plan);
// Stages a sweep takes: three per point, four with a depth curve.
std::size_t run_count(const SweepPlan& plan);

enum class Stage { preset, unbounded, min_depths, depth_curve };
// "preset", "unbounded", "min-depths", "depth-curve": the words of Row::runs_done.
const char* to_string(Stage stage) noexcept;

// What run_point tells its caller after each stage (to write the row and print progress).
struct StageEnd {
  Stage stage;
  const Row& row;        // with this stage's part filled (unless it failed or was skipped)
  std::string summary;   // one line for people: "naive N=64  preset depths: 4213 cycles, ..."
  double wall_seconds = 0;
  bool skipped = false;  // min depths above min_depth_max_n
  std::string error;     // the stage raised this error (the row's status says so too)
};

struct PointOptions {
  unsigned threads = 1;
  std::size_t min_depth_max_n = kDefaultMinDepthMaxN;
  unsigned probe_threads = 0;  // the min-depth search's; 0: one per hardware thread
  // 0: no curve. Otherwise a 4th stage, the depth-throughput curve (depth_curve.hpp) of the
  // long FIFO (naive graphs) or the deepest (reordered), at about this many depths around its
  // minimal depth (run 3's; without it, run 2's peak occupancy).
  std::size_t depth_curve = 0;
  // Asked between runs (and between the search's probes): true stops the point there.
  std::function<bool()> stop;
  // The progress callback of one run (`label` names it, `expected` its ideal cycles).
  std::function<std::function<void(const Progress&)>(const std::string& label, Cycle expected)>
      progress;
  std::function<void(const StageEnd&)> on_stage_end;
};
PointOptions point_options(const SweepPlan& plan);

// The row of a point before its runs: its identity, ii_max and ideal_cycles, status "running".
Row pending_row(const Point& point);

struct PointResult {
  Row row;
  bool interrupted = false;  // `stop` said so before the last stage
  bool deadlock = false;     // run 1 deadlocked
  bool failed = false;       // run 1 failed, or a stage raised an error
  bool overflow = false;     // run 1 completed with inf or NaN outputs
};

// The three runs of `point` (and its depth curve). A run's error is recorded in the row (status "error in ...") and
// the next run goes on; only a config that cannot run at all throws (std::invalid_argument).
PointResult run_point(const Point& point, const PointOptions& options = {});

}  // namespace dfsim::experiments
