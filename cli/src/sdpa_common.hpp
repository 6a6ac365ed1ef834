#pragma once
// Shared by the attention subcommands (sdpa, sdpa-min-depth, sdpa-sweep): the configuration
// flags, turning them into an AttentionConfig and its inputs, and printing the pieces.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::cli {

// The configuration flags, as typed. Numbers that need a clear message when wrong (N, d) are
// kept as text and checked by make_setup.
struct SdpaFlags {
  std::string variant;
  std::string n;
  std::string d;
  std::string preset = "unit";
  std::string precision = "fp64";
  std::string causal = "none";  // none, mask or skip
  std::string decode;           // B decode rows against the N cached keys; empty: prefill
  std::vector<std::string> depths;  // NAME=K
  std::vector<std::string> units;   // NAME=latency:ii[:startup[:per_row]]
  bool unbounded = false;
  unsigned heads = 1;
  unsigned threads = 1;
  std::uint64_t seed = 1;
  double scale = 1.0;
  std::string inputs;
  bool allow_non_finite = false;  // NaN or inf in --inputs
};

// Adds --variant, --n, --d, --preset, --precision, --causal, --decode, --unit, --heads, --threads, --seed, --scale,
// --inputs, --allow-non-finite; and --depth and --unbounded when `with_depths`.
void add_sdpa_flags(CLI::App& cmd, SdpaFlags& flags, bool with_depths);

// A config ready to simulate: resolved against its preset, with one Tensors per head.
struct SdpaSetup {
  sdpa::AttentionConfig config;
  sdpa::ResolvedConfig resolved;
  std::vector<sdpa::Tensors> inputs;
  std::string inputs_text;  // for people: "random (seed 1, scale 1)" or the files read
  unsigned threads = 1;
};
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

// The config as JSON (keys in a reading order): variant, n, d, precision, preset, heads, resolved
// depths and unit timing.
nlohmann::ordered_json config_json(const SdpaSetup& setup);

// "unbounded" or the number.
std::string capacity_text(const std::optional<std::uint64_t>& capacity);

// One line for people: "naive, N = 64, d = 1, fp64, preset unit, 1 head".
std::string config_line(const sdpa::AttentionConfig& config);

// When stderr is a terminal: RunOptions::on_progress printing the furthest clock as a
// percentage of `ideal_cycles`, overwriting one line. `end_progress` clears that line.
std::function<void(const Progress&)> progress_printer(std::string label, Cycle ideal_cycles);
void end_progress();

// The naive graphs' long FIFOs (names containing "long"), where a too-small depth deadlocks.
std::vector<std::string> long_fifo_names(sdpa::Variant v);

}  // namespace dfsim::cli
