#pragma once
// What a sweep tells people as it goes, whichever executor runs it (sweep_run.hpp): a line per
// finished point with the points done, running and failed and the time left, and the table
// printed at the end. The time left is the wall time so far scaled by the estimated cost of
// the points still to run (sweep_run.hpp's estimated_cost) over that of those done.
//
//   SweepProgress p;
//   p.begin(10, 1000.0);                 // 10 points, their estimated cost
//   p.started();
//   std::string line = p.finished(row, 100.0);
//   // "[ 1/10 points] naive N=64: completed, 4213 cycles (1.2 s); 0 running, 0 failed, ~11 s left"
#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "dfsim/experiments/row.hpp"

namespace dfsim::experiments {

class SweepProgress {
 public:
  void begin(std::size_t points, double cost);
  // A point began (in process: on a thread; on Dask: its first task on a worker). "running"
  // counts the points begun and not finished.
  void started() { ++running_; }
  // The line for a point that ended with `row`; `cost` is its estimated cost.
  std::string finished(const Row& row, double cost);

  std::size_t done() const { return done_; }
  std::size_t running() const { return running_; }
  std::size_t failed() const { return failed_; }
  std::size_t total() const { return total_; }
  double seconds() const;

 private:
  std::size_t total_ = 0, done_ = 0, running_ = 0, failed_ = 0;
  double cost_total_ = 0, cost_done_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The table at the end of a sweep: a line per row of results.json's "results" (variant, N,
// cycles, ideal, throughput, memory, min long, max error), then what two columns mean.
std::string summary_table(const nlohmann::ordered_json& results);

}  // namespace dfsim::experiments
