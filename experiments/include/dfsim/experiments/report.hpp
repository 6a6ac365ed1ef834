#pragma once
// report.md of a sweep folder: what was measured, the conclusions the numbers support (how
// memory, cycles and minimal depths grow with N, at the first value of every other axis), the
// error against the fp64 reference per format, a section per axis swept over more than one
// value (causal, decode, kv_heads, lanes), a table of every row, and the plots that
// scripts/plot_sweep.py drew into the folder (or why they are missing), and a picture of each
// variant's graph when Graphviz's `dot` is on PATH. The one place report.md is written; the
// script only draws.
//
//   SweepDocument doc = read_sweep("results/sweep");     // results.json
//   write_report("results/sweep", doc, {.why_no_plots = "--no-plots"});
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/experiments/row.hpp"

namespace dfsim::experiments {

// What results.json holds.
struct SweepDocument {
  nlohmann::ordered_json config;  // sweep.hpp's to_json(SweepPlan)
  std::string status;             // running, complete, complete with problems, interrupted
  std::optional<std::string> signal;
  std::optional<double> wall_seconds;
  std::vector<Row> results;
  std::string dfsim_version;  // which dfsim measured the rows (empty in older results.json)
};
// Throws nlohmann::json::exception for a document that is not a sweep's.
SweepDocument sweep_document(const nlohmann::ordered_json& results_json);
// Throws std::runtime_error naming the file when it cannot be read or parsed.
SweepDocument read_sweep(const std::filesystem::path& dir);

// The plots plot_sweep.py draws, as report.md links them.
// (depth_curve.png only when the sweep drew depth curves: --depth-curve; causal.png,
// decode.png, kv_heads.png and lanes.png only when the sweep has more than one value of that
// axis.)
inline constexpr const char* kPlotFiles[] = {"memory.png", "cycles.png", "min_depth.png",
                                             "depth_curve.png", "causal.png", "decode.png",
                                             "kv_heads.png", "lanes.png"};

struct ReportOptions {
  // Why the plots are missing, when they are ("--no-plots", "python3 was not found", ...).
  // Empty: each plot file present in the folder is linked, a missing one said so.
  std::string why_no_plots;
  // write_report draws DIR/graph-<variant>.svg (a run at N = 4, one-cycle preset: engine's to_dot,
  // rendered by `dot -Tsvg`) when `dot` is on PATH; render_report links those present.
  bool graphs = true;
};

// The Markdown text; `dir` is where the plots are looked for.
std::string render_report(const SweepDocument& doc, const std::filesystem::path& dir,
                          const ReportOptions& options = {});
// Renders and writes DIR/report.md atomically.
void write_report(const std::filesystem::path& dir, const SweepDocument& doc,
                  const ReportOptions& options = {});

}  // namespace dfsim::experiments
