#pragma once
// Shared by the attention subcommands (sdpa, sdpa-min-depth, sdpa-sweep): the configuration
// flags, turning them into an AttentionConfig and its inputs, and printing the pieces.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/experiments/setup.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::cli {

// The configuration flags, as typed. Numbers that need a clear message when wrong (N, d) are
// kept as text and checked by make_setup.
struct SdpaFlags {
  std::string variant;
  std::string n;
  std::string d;
  std::string preset = "one-cycle";
  std::string precision = "fp64";
  std::string causal = "none";  // none, mask or skip
  std::string decode;           // B decode rows against the N cached keys; empty: prefill
  std::vector<std::string> depths;  // NAME=K
  std::vector<std::string> units;   // NAME=latency:ii[:startup[:per_row]]
  bool unbounded = false;
  unsigned heads = 1;
  unsigned kv_heads = 0;  // K/V streams shared by the heads; 0: one per head
  unsigned lanes = 1;     // parallel lanes of the key loop (every variant)
  unsigned threads = 1;
  std::uint64_t seed = 1;
  double scale = 1.0;
  std::string inputs;
  bool allow_non_finite = false;  // NaN or inf in --inputs
};

// Adds --variant, --n, --d, --preset, --precision, --causal, --decode, --unit, --heads, --kv-heads, --lanes, --threads, --seed, --scale,
// --inputs, --allow-non-finite; and --depth and --unbounded when `with_depths`.
void add_sdpa_flags(CLI::App& cmd, SdpaFlags& flags, bool with_depths);

// A config ready to simulate (dfsim/experiments/setup.hpp).
using SdpaSetup = experiments::RunSetup;
// Throws UsageError with a message naming the flag and the fix (resolve()'s
// std::invalid_argument and unreadable .npy files included).
SdpaSetup make_setup(const SdpaFlags& flags);

// Parsing single values; each throws UsageError listing the valid values.
sdpa::Variant variant_flag(const std::string& text);
sdpa::Preset preset_flag(const std::string& text);
sdpa::Precision precision_flag(const std::string& text);
sdpa::Causal causal_flag(const std::string& text);
std::string valid_variants();

// resolve(), with std::invalid_argument turned into UsageError.
sdpa::ResolvedConfig resolve_or_usage(const sdpa::AttentionConfig& config);

// config_json, capacity_text, config_line: dfsim/experiments/setup.hpp.
using experiments::capacity_text;
using experiments::config_json;
using experiments::config_line;

// When stderr is a terminal: RunOptions::on_progress printing the furthest clock as a
// percentage of `ideal_cycles`, overwriting one line. `end_progress` clears that line.
std::function<void(const Progress&)> progress_printer(std::string label, Cycle ideal_cycles);
void end_progress();

}  // namespace dfsim::cli
