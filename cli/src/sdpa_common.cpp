// Configuration flags shared by the attention subcommands, and their inputs (random or .npy).
#include "sdpa_common.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "commands.hpp"
#include "dfsim/experiments/inputs.hpp"
#include "report.hpp"

namespace dfsim::cli {
namespace {

namespace fs = std::filesystem;

std::uint64_t positive(const std::string& text, const std::string& what) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0)
    throw UsageError(what + " '" + text + "' must be a positive integer");
  return value;
}

// NAME=latency:ii[:startup[:per_row]]
std::pair<std::string, sdpa::UnitTiming> unit_flag(const std::string& text) {
  auto eq = text.find('=');
  const std::string form = "expected NAME=latency:ii[:startup[:per_row]], e.g. --unit qk=11:1";
  if (eq == std::string::npos || eq == 0) throw UsageError("--unit '" + text + "': " + form);
  std::vector<Cycle> fields;
  std::string rest = text.substr(eq + 1);
  for (std::size_t start = 0;;) {
    auto colon = rest.find(':', start);
    std::string field = rest.substr(start, colon == std::string::npos ? colon : colon - start);
    Cycle v = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size())
      throw UsageError("--unit '" + text + "': '" + field + "' is not a number of cycles; " + form);
    fields.push_back(v);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (fields.size() < 2 || fields.size() > 4) throw UsageError("--unit '" + text + "': " + form);
  sdpa::UnitTiming t{.latency = fields[0], .initiation_interval = fields[1]};
  if (fields.size() > 2) t.startup_delay = fields[2];
  if (fields.size() > 3) t.per_row_delay = fields[3];
  return {text.substr(0, eq), t};
}

// NAME=K, K a positive integer or 'unbounded'.
std::pair<std::string, std::optional<std::uint64_t>> depth_flag(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError("--depth '" + text +
                     "': expected NAME=K (K a positive number of elements or 'unbounded'), "
                     "e.g. --depth long=80");
  return {text.substr(0, eq), parse_capacity(text.substr(eq + 1), "--depth " + text.substr(0, eq))};
}

}  // namespace

std::string valid_variants() { return experiments::variant_names(); }

namespace {
// One of experiments/arguments.hpp's readers, its message a usage error.
template <class Read>
auto argument(Read read, const std::string& text) {
  try {
    return read(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}
}  // namespace

sdpa::Variant variant_flag(const std::string& text) {
  if (text.empty()) throw UsageError("--variant is required: one of " + valid_variants());
  return argument(experiments::variant_argument, text);
}

sdpa::Preset preset_flag(const std::string& text) { return argument(experiments::preset_argument, text); }

sdpa::Precision precision_flag(const std::string& text) {
  return argument(experiments::precision_argument, text);
}

sdpa::Causal causal_flag(const std::string& text) { return argument(experiments::causal_argument, text); }

sdpa::ResolvedConfig resolve_or_usage(const sdpa::AttentionConfig& config) {
  try {
    return sdpa::resolve(config);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

void add_sdpa_flags(CLI::App& cmd, SdpaFlags& f, bool with_depths) {
  cmd.add_option("--variant", f.variant, "naive, naive-stable, reordered or reordered-stable")
      ->type_name("V");
  cmd.add_option("--n", f.n, "sequence length N (taken from the files with --inputs)")
      ->type_name("N");
  cmd.add_option("--d", f.d, "head dimension d (default 1; from the files with --inputs)")
      ->type_name("D");
  cmd.add_option("--preset", f.preset, "timing preset: one-cycle or spatial-calibrated (docs/sdpa.md, \"Presets\"; unit is one-cycle's old name)")
      ->type_name("P")
      ->capture_default_str();
  cmd.add_option("--precision", f.precision,
                 "arithmetic of the units: fp64, fp32, or fp16 and bf16 (emulated, every result "
                 "rounded to the format)")
      ->type_name("fp64|fp32|fp16|bf16")
      ->capture_default_str();
  cmd.add_option("--causal", f.causal,
                 "causal mask, row i attending to keys j <= i: mask (every key streamed, j > i "
                 "masked to -inf) or skip (only keys j <= i streamed: about half the cycles)")
      ->type_name("mask|skip")
      ->capture_default_str();
  if (with_depths) {
    cmd.add_option("--depth", f.depths,
                   "a FIFO's depth, NAME=K (K elements or 'unbounded'); repeatable")
        ->type_name("NAME=K");
    cmd.add_flag("--unbounded", f.unbounded, "every FIFO unbounded, except those given by --depth");
  }
  cmd.add_option("--unit", f.units,
                 "a unit's timing, NAME=latency:ii[:startup[:per_row]] in cycles; repeatable")
      ->type_name("NAME=L:II");
  cmd.add_option("--heads", f.heads, "independent heads simulated side by side")
      ->capture_default_str()
      ->type_name("H");
  cmd.add_option("--kv-heads", f.kv_heads,
                 "grouped-query attention: the --heads query heads share this many K/V streams "
                 "(a divisor of --heads; 1: multi-query), each fanned out to its heads")
      ->type_name("H");
  cmd.add_option("--lanes", f.lanes,
                 "parallel lanes: L lanes each take one key per cycle (a row in about N/L "
                 "cycles); the reordered graphs merge the lanes' states once per row by the "
                 "log-sum-exp merge, the naive ones send the row's max and sum back to every lane")
      ->type_name("L")
      ->capture_default_str();
  cmd.add_option("--threads", f.threads, "engine worker threads (0: one per hardware thread)")
      ->type_name("T")
      ->capture_default_str();
  auto* seed = cmd.add_option("--seed", f.seed, "random Q, K, V from this seed (head h: seed + h)")
                   ->type_name("S")
                   ->capture_default_str();
  // NaN or inf would make every random value NaN or inf: what --inputs refuses from a file.
  CLI::Validator finite(
      [](std::string& text) {
        double x = std::strtod(text.c_str(), nullptr);
        return std::isfinite(x) ? std::string() : "'" + text + "' must be a finite number";
      },
      "");
  auto* scale = cmd.add_option("--scale", f.scale, "random values uniform in [-X, X)")
                    ->capture_default_str()
                    ->type_name("X")
                    ->check(finite);
  auto* inputs = cmd.add_option("--inputs", f.inputs,
                                "read Q, K, V from DIR/q.npy, k.npy, v.npy (every head), or per "
                                "head from DIR/q0.npy, k0.npy, v0.npy, q1.npy, ...")
                     ->type_name("DIR")
                     ->excludes(seed)
                     ->excludes(scale);
  cmd.add_option("--decode", f.decode,
                 "decode: B query rows (1: one new token) each against all N keys of a KV cache, "
                 "instead of N rows (random inputs only)")
      ->type_name("B")
      ->excludes(inputs);
  cmd.add_flag("--allow-non-finite", f.allow_non_finite,
               "simulate --inputs holding NaN or inf (refused by default)")
      ->needs(inputs);
}

SdpaSetup make_setup(const SdpaFlags& f) {
  SdpaSetup s;
  auto& c = s.config;
  c.variant = variant_flag(f.variant);
  c.preset = preset_flag(f.preset);
  c.precision = precision_flag(f.precision);
  c.causal = causal_flag(f.causal);
  c.heads = f.heads;
  c.kv_heads = f.kv_heads;
  c.lanes = f.lanes;
  c.unbounded = f.unbounded;
  check_threads(f.threads);
  s.threads = f.threads;
  for (const auto& text : f.depths) {
    auto [name, depth] = depth_flag(text);
    c.depths[name] = depth;
  }
  for (const auto& text : f.units) {
    auto [name, timing] = unit_flag(text);
    c.unit_timing[name] = timing;
  }
  if (!f.inputs.empty()) {
    experiments::Inputs in = experiments::load_inputs(f.inputs, f.heads, f.allow_non_finite, f.kv_heads);
    s.inputs = std::move(in.tensors);
    s.inputs_text = std::move(in.text);
    c.n = s.inputs.front().n;
    c.d = s.inputs.front().d;
    if (!f.n.empty() && positive(f.n, "--n") != c.n)
      throw UsageError(
          fmt::format("--n {} does not match the inputs: {} has N = {}", f.n, f.inputs, c.n));
    if (!f.d.empty() && positive(f.d, "--d") != c.d)
      throw UsageError(
          fmt::format("--d {} does not match the inputs: {} has d = {}", f.d, f.inputs, c.d));
  } else {
    if (f.n.empty()) throw UsageError("--n is required (or --inputs DIR, which gives N)");
    c.n = positive(f.n, "--n");
    if (!f.decode.empty()) c.decode_rows = positive(f.decode, "--decode");
    c.d = f.d.empty() ? 1 : positive(f.d, "--d");
  }
  s.resolved = resolve_or_usage(c);
  if (f.inputs.empty()) {
    experiments::Inputs in = experiments::random_inputs(c.n, c.d, f.heads, f.seed, f.scale, c.decode_rows,
                                                             f.kv_heads);
    s.inputs = std::move(in.tensors);
    s.inputs_text = std::move(in.text);
  }
  return s;
}

namespace {
std::atomic<bool> progress_shown = false;
}

std::function<void(const Progress&)> progress_printer(std::string label, Cycle ideal_cycles) {
  if (!::isatty(STDERR_FILENO)) return {};
  return [label = std::move(label), ideal_cycles](const Progress& p) {
    double percent =
        ideal_cycles ? 100.0 * static_cast<double>(p.max_clock) / static_cast<double>(ideal_cycles)
                     : 0.0;
    fmt::print(stderr, "\r\033[K{}: {:.0f}% of the ideal cycles ({} of {}), {:.0f} s", label,
               percent, p.max_clock, ideal_cycles, p.wall_seconds);
    std::fflush(stderr);
    progress_shown = true;
  };
}

void end_progress() {
  if (progress_shown) fmt::print(stderr, "\r\033[K");
  progress_shown = false;
}

}  // namespace dfsim::cli
