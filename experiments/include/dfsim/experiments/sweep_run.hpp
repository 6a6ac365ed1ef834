#pragma once
// Running a sweep (sweep.hpp's plan) into its folder, whatever executes the points: the points
// largest first (by estimated cost, so that the last to finish are short); the points the
// folder already holds left out when the sweep there did not end (resume: a sweep stopped in
// any way and started again with the same plan runs only the missing ones); each point's row written to results.json and results.csv as it starts
// and ends (each write atomic, result_folder.hpp); a line of progress per point; at the end the
// rows put back in plan order. docs/distributed.md explains it for users.
//
// Two executors share it: run_in_process (threads, below; `dfsim sdpa-sweep`'s default) and
// dfsim.distributed (python/dfsim/distributed.py: the points are Dask tasks, a point and its
// row cross the wire as to_json(Point) and to_json(Row)).
//
//   FolderLock lock("results/sweep");
//   SweepRun run(plan, "results/sweep");        // keeps what an earlier run finished
//   // run.pending(): the points still to run, largest first
//   bool whole = run_in_process(run, point_options(plan), {.workers = 2});
//   std::string status = whole ? run.close() : run.close("SIGINT");
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/experiments/result_folder.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/experiments/sweep_progress.hpp"

namespace dfsim::experiments {

// A point as a task's argument: {"variant", "n", "d", "preset", "precision", "causal",
// "decode_rows", "heads", "kv_heads", "lanes", "seed"}, every key required.
nlohmann::ordered_json to_json(const Point& point);
// Throws std::invalid_argument for an object that is not a point.
Point point_from_json(const nlohmann::ordered_json& j);

// Roughly proportional to a point's wall time (simulated elements of its runs): what orders
// the points, and what the time left is estimated from.
double estimated_cost(const Point& point, std::size_t min_depth_max_n);

// Whether a row in a folder is a point's final result: not "running", not "interrupted ...".
// Failed points (deadlock, overflow, error) are final: they would fail the same way again.
bool is_final(const Row& row);

// The row of a point whose task raised `error` instead of returning a row.
Row error_row(const Point& point, const std::string& error);

class SweepRun {
 public:
  // `dir` empty: no folder (the rows are only kept here). With a folder whose results.json has
  // the same config and a status other than "complete..." (the sweep was stopped), its final
  // rows are kept and their points not run again; otherwise, or with `fresh`, the folder
  // starts empty.
  SweepRun(SweepPlan plan, std::filesystem::path dir, bool fresh = false);
  SweepRun(const SweepRun&) = delete;
  SweepRun& operator=(const SweepRun&) = delete;

  const SweepPlan& plan() const { return plan_; }
  // The points still to run, largest estimated cost first (ties in plan order).
  const std::vector<Point>& pending() const { return pending_; }
  std::size_t resumed() const { return resumed_; }  // final rows kept from an earlier run

  // `task` is an index into pending(). Thread-safe, so that an executor's threads call them as
  // their points go.
  void start(std::size_t task);                    // the row "running" in results.json
  void update(std::size_t task, const Row& row);   // after one of its runs
  // The row its runs ended with, and its CSV line (an interrupted row's too: it is run again
  // by the next sweep); returns the progress line for people.
  std::string finish(std::size_t task, const Row& row);

  // The sweep's status ("complete", "complete with problems", "interrupted"), written with the
  // rows in plan order; `signal`: what stopped it.
  std::string close(const std::optional<std::string>& signal = std::nullopt);
  // results.json's content: config, status, results (every row so far), wall_seconds.
  nlohmann::ordered_json document() const;
  // The rows in plan order (points never started are absent).
  std::vector<Row> rows() const;
  SweepProgress& progress() { return progress_; }
  // How many points finished in this run (not kept from an earlier one).
  std::size_t points_run() const;

 private:
  void write(std::size_t task, const Row& row, bool final);

  SweepPlan plan_;
  std::vector<Point> all_;                  // plan order
  std::vector<std::optional<Row>> rows_;    // by plan position
  std::vector<std::optional<std::size_t>> folder_index_;  // a row's index in the folder
  std::vector<Point> pending_;
  std::vector<std::size_t> pending_position_;  // a task's position in all_
  std::size_t resumed_ = 0;
  std::optional<SweepFolder> folder_;
  SweepProgress progress_;
  mutable std::mutex mutex_;
};

struct InProcessOptions {
  unsigned workers = 1;  // points at once, each on its own thread
  // Called after each point with its final row and SweepRun::finish's progress line, from the
  // point's thread (one at a time).
  std::function<void(const Row&, const std::string& line)> on_point;
};

// Runs run.pending() on `workers` threads, each point with run_point(point, options) (whose
// on_stage_end also updates the folder). A point that throws is an error row. Stops taking
// points once options.stop() says so; false if it did (the points begun still end).
bool run_in_process(SweepRun& run, const PointOptions& options, const InProcessOptions& in = {});

}  // namespace dfsim::experiments
