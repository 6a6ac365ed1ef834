#pragma once
// One attention configuration, run and explained: the measures of sdpa::simulate_attention
// and, when the run deadlocked or its outputs overflowed, what to do about it (the texts
// `dfsim sdpa` prints). The JSON is the object `dfsim sdpa --json` prints (docs/outputs.md).
//
//   RunSetup s = make_setup({.variant = sdpa::Variant::naive, .n = 64,
//                         .depths = {{"long", 8}}}, random_inputs(64, 1, 1, 1, 1.0));
//   AttentionOutcome o = run_attention(s);
//   // o.result.run.status == RunStatus::deadlock; o.hint says how deep 'long' must be
#include <nlohmann/json.hpp>
#include <string>

#include "dfsim/engine/run.hpp"
#include "dfsim/experiments/setup.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

struct AttentionOutcome {
  sdpa::AttentionRun result;
  double wall_seconds = 0;  // the whole call (with auto_depths: the search included)
  bool auto_depths = false; // FIFOs not given in the config were sized by find_min_depths
  std::string problem;      // RunResult::describe_problem() when the run did not complete
  std::string hint;         // after a deadlock: deadlock_hint
  std::string overflow;     // when an output is inf or NaN: overflow_message
};

struct AttentionRunOptions {
  // Every FIFO the config does not size gets the smallest depth that keeps the cycles of the
  // all-unbounded run (find_min_depths, every FIFO searched); `setup.resolved` is updated.
  bool auto_depths = false;
  unsigned probe_threads = 0;  // for that search; 0: one per hardware thread
  std::function<void(const Progress&)> on_progress;  // of the run itself
};

// Runs setup (its config, inputs and threads). Throws std::invalid_argument for a config or
// inputs that cannot run (nothing simulated); a deadlock or overflow is an outcome.
AttentionOutcome run_attention(RunSetup& setup, const AttentionRunOptions& options = {});

// What to do about a deadlock: for the naive graphs how deep the long FIFO must be (and the
// preset's depth), otherwise which FIFOs were full; always how to find the smallest depths.
std::string deadlock_hint(const RunSetup& setup, const sdpa::AttentionRun& run);

// Why the outputs hold inf or NaN: inputs that held them, scores beyond the arithmetic's
// range, or exp of raw scores in a variant without a running max (and which variant helps).
std::string overflow_message(const RunSetup& setup, const sdpa::AttentionRun& run);

// The largest score q.k / sqrt(d) over every head (NaN if one is NaN).
double largest_score(const std::vector<sdpa::Tensors>& inputs);

// `dfsim sdpa --json`: status, cycles, ideal_cycles, throughput, intermediate_memory_elements,
// intermediate_memory_bytes, max_abs_error, non_finite, depths ("automatic" or "preset"),
// fifos [{name, capacity, peak_occupancy, elements, internal, element_bytes}], wall_seconds,
// simulation_wall_seconds, config (config_json), then problem, hint, overflow when they apply.
nlohmann::ordered_json to_json(const RunSetup& setup, const AttentionOutcome& outcome);

// The outputs as one float64 matrix, heads stacked: (heads x N) x d. Only for a completed run.
void save_outputs(const std::filesystem::path& file, const RunSetup& setup,
                  const sdpa::AttentionRun& run);

}  // namespace dfsim::experiments
