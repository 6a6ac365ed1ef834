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
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dfsim/engine/run.hpp"
#include "dfsim/experiments/min_depth.hpp"
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
  sdpa::Causal causal = sdpa::Causal::none;
  std::size_t decode_rows = 0;  // 0: prefill (sdpa::AttentionConfig::decode_rows)
  unsigned heads = 1;           // query heads, random Q, K, V (head h from seed + h)
  unsigned kv_heads = 0;        // K/V streams; 0: heads (sdpa::AttentionConfig::kv_heads)
  unsigned lanes = 1;
  std::uint64_t seed = 1;
};
// "naive N=64", and the axes off their defaults: "naive N=64 fp16 causal=skip lanes=4".
std::string point_name(const Point& p);
// The config of a point's run 1 (its preset's depths).
sdpa::AttentionConfig attention_config(const Point& p);

// The axes are crossed, each list in order: variants, precisions, causal, decode, kv_heads,
// lanes, sizes (innermost). Decode rows attend to every cached key, so a decode value other
// than 0 is crossed with causal `none` only (the other causal modes are prefill's).
struct SweepPlan {
  std::vector<sdpa::Variant> variants = sdpa::all_variants();
  std::vector<std::size_t> sizes = {64, 128, 256, 512, 1024};
  std::size_t d = 1;
  sdpa::Preset preset = sdpa::Preset::spatial_calibrated;
  std::vector<sdpa::Precision> precisions = {sdpa::Precision::fp64};
  std::vector<sdpa::Causal> causal = {sdpa::Causal::none};
  std::vector<std::size_t> decode = {0};  // B decode rows; 0: prefill
  unsigned heads = 1;
  std::vector<unsigned> kv_heads = {0};   // 0: heads (independent heads)
  std::vector<unsigned> lanes = {1};
  std::uint64_t seed = 1;
  unsigned threads = 1;  // engine worker threads per run
  std::size_t min_depth_max_n = kDefaultMinDepthMaxN;
  std::size_t depth_curve = 0;  // PointOptions::depth_curve
};
// Every point in plan order (see SweepPlan).
std::vector<Point> points(const SweepPlan& plan);
// Throws std::invalid_argument (resolve's message) if any point's runs cannot be configured,
// or the threads are too many: before anything runs or is written.
void check(const SweepPlan& plan);
// results.json's "config": n, variants, preset, precision (a list), causal, decode, heads,
// kv_heads, lanes (lists), d, seed, threads, min_depth_max_n, and depth_curve when it is not 0.
// Two sweeps are the same (resume, sweep_run.hpp) when these are.
nlohmann::ordered_json to_json(const SweepPlan& plan);
// The plan such an object describes: how the command line hands a plan to dfsim.distributed
// and how dfsim.sdpa.sweep builds one, so that a plan's fields are read in this one place. A
// key left out keeps SweepPlan's default; an unknown key or value, or a plan check() refuses,
// throws std::invalid_argument saying which.
//   SweepPlan p = plan_from_json({{"variants", {"naive"}}, {"n", {64, 128}}});
SweepPlan plan_from_json(const nlohmann::ordered_json& config);
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
// It is begin_point, search_fifos (min_depth.hpp) on options.probe_threads threads, end_point.
PointResult run_point(const Point& point, const PointOptions& options = {});

// run_point in parts, for an executor that runs the FIFOs' searches as tasks of their own
// (dfsim.distributed: each probe a Dask task, the row the same as run_point's):
//   PointWork w = begin_point(point, options);    // runs 1 and 2, the search's unbounded run
//   // each of w.search->fifos: FifoSearch rounds of probe_point(point, fifo, depth, target)
//   PointResult r = end_point(point, w, {.depths = found, .probes = 23}, options);
struct PointWork {
  Row row;              // runs 1 and 2 in it
  std::string outcome;  // run 1's: "completed", "deadlock", "failed", "overflow"
  std::string error;    // a stage's error ("error in the unbounded run: ..."): the row's status
  // The min-depth search still to run; absent when skipped (N > min_depth_max_n), failed (the
  // row says) or interrupted.
  std::optional<SearchStart> search;
  double search_seconds = 0;  // its start's wall time
  bool interrupted = false;   // options.stop said so
};
// The searches' outcome: every FIFO's depth, or why there is none.
struct SearchResults {
  std::map<std::string, std::uint64_t> depths;
  std::size_t probes = 0;
  double wall_seconds = 0;   // the probes', for the row
  std::string error;         // a probe's: the row's status says "error in the min-depth search"
  bool interrupted = false;  // the executor was stopped: the row is "interrupted after ..."
};
PointWork begin_point(const Point& point, const PointOptions& options);
PointResult end_point(const Point& point, PointWork work, const SearchResults& searches,
                      const PointOptions& options);
// A probe of the point's search (min_depth.hpp's probe, on search_config of its config).
ProbeOutcome probe_point(const Point& point, const std::string& fifo, std::uint64_t depth,
                         Cycle target_cycles);
nlohmann::ordered_json to_json(const PointWork& work);
PointWork point_work_from_json(const nlohmann::ordered_json& j);

}  // namespace dfsim::experiments
