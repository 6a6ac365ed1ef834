#pragma once
// The result schema of a sweep: one Row per point (variant, N and the other axes), the same columns in results.csv and
// in the rows of results.json (docs/outputs.md, "sdpa-sweep" explains each). A run that did
// not happen leaves its part empty: empty CSV cells, keys absent from the JSON.
//
//   Row r = run_point(point, options);           // sweep.hpp
//   nlohmann::ordered_json j = to_json(r);       // j["cycles"], j["min_depth_long"], ...
//   Row back = row_from_json(j);                 // the same row
//   std::string line = csv_line(r);              // cells in the order of columns()
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/experiments/depth_curve.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

// A FIFO's line in a row's JSON (fifos_default, fifos_unbounded_unit).
struct FifoRow {
  std::string name;
  std::optional<std::uint64_t> capacity;  // nullopt: unbounded
  std::uint64_t peak_occupancy = 0;
  std::uint64_t elements = 0;
  bool internal = false;
};
std::vector<FifoRow> fifo_rows(const std::vector<sdpa::FifoStats>& fifos);
// {"name", "capacity" (a number, or "unbounded"), "peak_occupancy", "elements", "internal"}: the
// line of a sweep row's fifos_default and fifos_unbounded_unit, and of dfsim sdpa --json's fifos.
nlohmann::ordered_json to_json(const FifoRow& fifo);

// Run 1: the preset's FIFO depths.
struct PresetRun {
  Cycle cycles = 0;
  double throughput = 0;
  std::int64_t overhead_cycles = 0;  // cycles - ideal_cycles
  double max_abs_error = 0;
  bool non_finite = false;
  std::uint64_t default_memory_elements = 0;
  std::vector<FifoRow> fifos;        // JSON only: fifos_default
  std::optional<std::string> problem;  // JSON only: the run's problem when it did not complete
};

// Run 2: every FIFO unbounded, one-cycle preset.
struct UnboundedRun {
  Cycle cycles = 0;  // unbounded_unit_cycles
  std::uint64_t intermediate_memory_elements = 0;
  std::uint64_t intermediate_memory_bytes = 0;
  std::optional<std::uint64_t> long_fifo_peak;  // naive variants only
  std::uint64_t max_fifo_peak = 0;             // over the internal FIFOs
  std::vector<FifoRow> fifos;                  // JSON only: fifos_unbounded_unit
};

// Run 3: the minimal depths at the preset's timing (min_depth.hpp, FifoSelection::claims).
struct MinDepthRun {
  Cycle unbounded_cycles = 0;
  Cycle min_depth_cycles = 0;
  std::optional<std::uint64_t> min_depth_long;  // naive variants only
  std::uint64_t min_depth_max = 0;
  std::uint64_t min_depth_sum = 0;
  std::map<std::string, std::uint64_t> depths;  // CSV: min_depths "a=1;b=2"; JSON also
                                                // min_depths_by_fifo
  std::size_t runs = 0;                         // not in the files: for progress lines
};

struct Row {
  std::string variant;  // "naive", ...
  std::size_t n = 0;
  std::size_t d = 1;
  std::string preset;
  std::string precision;
  std::string causal = "none";  // none, mask, skip
  std::size_t decode_rows = 0;  // 0: prefill
  unsigned heads = 1;
  unsigned kv_heads = 1;        // K/V streams (heads when independent)
  unsigned lanes = 1;
  Cycle ii_max = 1;
  Cycle ideal_cycles = 0;  // ii_max x sdpa::keys_per_lane (N^2 for one lane's prefill)
  // "running" until its runs end, then run 1's outcome (completed, deadlock, failed, overflow,
  // "error in ...") or "interrupted after RUNS (...)".
  std::string status = "running";
  std::optional<PresetRun> preset_run;
  std::optional<UnboundedRun> unbounded_run;
  std::optional<MinDepthRun> min_depth_run;
  std::optional<DepthCurve> depth_curve;  // JSON only: depth_curve {fifo, points} (--depth-curve)
  double wall_seconds = 0;
  std::string runs_done;  // "preset;unbounded;min-depths", those that ended
};

// The CSV columns, in order; each is also a key of to_json's object.
const std::vector<std::string>& columns();

nlohmann::ordered_json to_json(const Row& row);
// Throws nlohmann::json::exception for an object that is not a row.
Row row_from_json(const nlohmann::ordered_json& j);

// RFC 4180: cells holding commas, quotes or line breaks are quoted.
std::string csv_header();
std::string csv_line(const Row& row);
// A JSON value as one CSV cell, unquoted: "" for null, true/false, strings as they are,
// numbers as JSON writes them. (csv_line quotes where RFC 4180 needs it.)
std::string csv_cell(const nlohmann::ordered_json& value);

}  // namespace dfsim::experiments
