// dfsim sdpa: one attention run: cycles against the ideal, each FIFO's occupancy, intermediate
// memory, and the error against the double-precision reference.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "commands.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/npy.hpp"
#include "estimate.hpp"
#include "exit_codes.hpp"
#include "report.hpp"
#include "sdpa_common.hpp"

namespace dfsim::cli {
namespace {

struct SdpaArgs {
  SdpaFlags flags;
  std::string save_outputs;
  bool auto_depths = false;
  bool json = false;
};

// --auto-depths: every FIFO not given by --depth gets the smallest depth that keeps the
// cycles of the all-unbounded run, found as sdpa-min-depth finds them.
void apply_min_depths(SdpaSetup& s) {
  sdpa::MinDepths m = sdpa::find_min_depths(s.config, s.inputs);
  for (const auto& [name, depth] : m.depth) s.config.depths.emplace(name, depth);
  s.resolved = resolve_or_usage(s.config);
}

// "head1.long" -> "long": the name --depth takes.
std::string fifo_flag_name(const std::string& channel) {
  if (channel.rfind("head", 0) == 0) {
    auto dot = channel.find('.');
    if (dot != std::string::npos) return channel.substr(dot + 1);
  }
  return channel;
}

// What to do about a deadlock: which FIFOs were full, and for the naive graphs how deep the long
// FIFO must be.
std::string deadlock_hint(const SdpaSetup& s, const sdpa::AttentionRun& r) {
  const auto& c = s.config;
  std::vector<std::string> full;
  if (r.run.deadlock)
    for (const auto& b : r.run.deadlock->blocked)
      if (b.channel_state.rfind("full", 0) == 0) {
        std::string name = fifo_flag_name(b.channel);
        if (std::find(full.begin(), full.end(), name) == full.end()) full.push_back(name);
      }
  std::string hint;
  auto defaults_config = c;
  defaults_config.depths.clear();
  defaults_config.unbounded = false;
  auto defaults = resolve_or_usage(defaults_config);
  for (const auto& name : long_fifo_names(c.variant)) {
    auto depth = s.resolved.depths.at(name);
    auto preset_depth = defaults.depths.at(name);
    if (!depth) continue;
    hint += fmt::format(
        "hint: in the {} graph the unit behind FIFO '{}' cannot start a row until the row's {} "
        "is known, so '{}' must hold a whole row: about N + latency = {} + c elements; it has "
        "{}. ",
        sdpa::to_string(c.variant), name, name == "long" ? "sum" : "max", name, c.n, *depth);
    if (preset_depth && *preset_depth > *depth)
      hint += fmt::format("The {} preset gives it {} (N + {}): try --depth {}={}, or --unbounded. ",
                          sdpa::to_string(c.preset), *preset_depth, *preset_depth - c.n, name,
                          *preset_depth);
    else
      hint += fmt::format("Try a larger --depth {}=K, or --unbounded. ", name);
  }
  if (hint.empty() && !full.empty()) {
    std::string list;
    for (const auto& name : full) list += (list.empty() ? "'" : ", '") + name + "'";
    hint = fmt::format(
        "hint: {} {} full: raise the depth with --depth {}=K, or run with "
        "--unbounded to see each FIFO's peak occupancy. ",
        list, full.size() == 1 ? "was" : "were", full.front());
  }
  hint += fmt::format(
      "`dfsim sdpa-min-depth --variant {} --n {} --preset {}` finds the smallest "
      "depth of every FIFO that keeps full throughput.",
      sdpa::to_string(c.variant), c.n, sdpa::to_string(c.preset));
  return hint;
}

double largest_score(const std::vector<sdpa::Tensors>& inputs) {
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& t : inputs) {
    double scale = 1.0 / std::sqrt(static_cast<double>(t.d));
    for (std::size_t i = 0; i < t.q.size() / t.d; ++i)
      for (std::size_t j = 0; j < t.n; ++j) {
        double s = 0;
        for (std::size_t x = 0; x < t.d; ++x) s += t.q[i * t.d + x] * t.k[j * t.d + x];
        if (std::isnan(s)) return s;  // std::max would skip it
        best = std::max(best, s * scale);
      }
  }
  return best;
}

std::string overflow_message(const SdpaSetup& s, const sdpa::AttentionRun& r) {
  std::size_t bad = 0, total = 0;
  for (const auto& head : r.outputs)
    for (double v : head) {
      ++total;
      if (!std::isfinite(v)) ++bad;
    }
  auto finite = [](const std::vector<double>& x) {
    return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
  };
  for (const auto& t : s.inputs)
    if (!finite(t.q) || !finite(t.k) || !finite(t.v))  // only with --allow-non-finite
      return fmt::format(
          "{} of {} output values are inf or NaN, carried from the inf or NaN in the inputs "
          "(--allow-non-finite)",
          bad, total);
  const std::string format(sdpa::to_string(s.config.precision));
  const bool fp64 = s.config.precision == sdpa::Precision::fp64;
  bool stable = s.config.variant == sdpa::Variant::naive_stable ||
                s.config.variant == sdpa::Variant::reordered_stable;
  double largest = largest_score(s.inputs);
  // No running max helps when q.k itself is beyond the arithmetic's range.
  double limit = sdpa::largest_finite(s.config.precision);
  if (!(std::abs(largest) <= limit))
    return fmt::format(
        "the output overflowed: {} of {} output values are inf or NaN. The largest score "
        "q.k/sqrt(d) is {:.4g}, beyond the range of {}, so every variant overflows: make Q and "
        "K smaller{}.",
        bad, total, largest, format, fp64 ? "" : ", or use --precision fp64");
  std::string text = fmt::format(
      "the output overflowed: {} of {} output values are inf or NaN. The largest score "
      "q.k/sqrt(d) is {:.4g}, and exp of a score above ~{:.4g} overflows in {}. ",
      bad, total, largest, std::log(limit), format);
  if (stable)
    text +=
        "This variant subtracts the row max before exp, so this is unexpected: please report it.";
  else
    text += fmt::format(
        "The {} variant takes exp of the raw scores; use --variant "
        "reordered-stable (online softmax: a running max), which does not "
        "overflow on the same inputs.",
        sdpa::to_string(s.config.variant));
  return text;
}

void save_outputs(const std::string& file, const SdpaSetup& s, const sdpa::AttentionRun& r) {
  sdpa::Matrix m{.rows = sdpa::query_rows(s.config) * s.config.heads, .cols = s.config.d};
  for (const auto& head : r.outputs) m.values.insert(m.values.end(), head.begin(), head.end());
  sdpa::write_npy(file, m);
}

void print_text(const SdpaSetup& s, const sdpa::AttentionRun& r, double wall, bool auto_depths) {
  const auto& c = s.config;
  fmt::print("sdpa: {}\n", config_line(c));
  fmt::print("  inputs               {}\n", s.inputs_text);
  if (auto_depths)
    fmt::print("  FIFO depths          the smallest that keep the unbounded run's cycles "
               "(--auto-depths)\n");
  fmt::print("  status               {}\n", to_string(r.run.status));
  fmt::print("  cycles               {}{}\n", r.run.elapsed_cycles,
             r.run.ok() ? "" : " (when the run stopped)");
  if (c.causal == sdpa::Causal::skip)
    fmt::print("  ideal cycles         {} (II_max {} x N (N + 1) / 2 keys streamed, N = {})\n",
               r.ideal_cycles, s.resolved.max_initiation_interval, c.n);
  else if (c.decode_rows)
    fmt::print("  ideal cycles         {} (II_max {} x B x N = {} x {} x {}; {:.1f} cycles per row)\n",
               r.ideal_cycles, s.resolved.max_initiation_interval,
               s.resolved.max_initiation_interval, c.decode_rows, c.n,
               static_cast<double>(r.run.elapsed_cycles) / static_cast<double>(c.decode_rows));
  else
    fmt::print("  ideal cycles         {} (II_max {} x N^2 = {} x {}^2)\n", r.ideal_cycles,
               s.resolved.max_initiation_interval, s.resolved.max_initiation_interval, c.n);
  if (r.run.ok())
    fmt::print(
        "  throughput           {:.4f} of full (ideal / cycles; {} cycles over ideal)\n",
        r.throughput,
        static_cast<long long>(r.run.elapsed_cycles) - static_cast<long long>(r.ideal_cycles));
  fmt::print(
      "  intermediate memory  {} elements, {} bytes (peak occupancy summed over the "
      "internal FIFOs)\n",
      r.intermediate_memory_elements, r.intermediate_memory_bytes);
  if (r.run.ok())
    fmt::print("  max abs error        {:.3g} against the fp64 reference{}\n", r.max_abs_error,
               r.non_finite ? " (outputs hold inf/NaN)" : "");
  fmt::print("  wall time            {:.3f} s ({:.3f} s simulating on {} thread{})\n", wall,
             r.run.wall_seconds, r.run.threads, r.run.threads == 1 ? "" : "s");
  std::size_t width = 4;
  for (const auto& f : r.fifos) width = std::max(width, f.name.size());
  fmt::print("\n  {:<{}}  {:>10}  {:>10}  {:>12}  {}\n", "FIFO", width, "capacity", "peak occ.",
             "elements", "internal");
  for (const auto& f : r.fifos)
    fmt::print("  {:<{}}  {:>10}  {:>10}  {:>12}  {}{}\n", f.name, width, capacity_text(f.capacity),
               f.peak_occupancy, f.elements, f.internal ? "yes" : "no",
               f.capacity && f.peak_occupancy >= *f.capacity ? "  (filled)" : "");
}

nlohmann::ordered_json to_json(const SdpaSetup& s, const sdpa::AttentionRun& r, double wall,
                               bool auto_depths) {
  nlohmann::ordered_json j;
  j["status"] = to_string(r.run.status);
  j["cycles"] = r.run.elapsed_cycles;
  j["ideal_cycles"] = r.ideal_cycles;
  j["throughput"] = r.throughput;
  j["intermediate_memory_elements"] = r.intermediate_memory_elements;
  j["intermediate_memory_bytes"] = r.intermediate_memory_bytes;
  j["max_abs_error"] = r.max_abs_error;
  j["non_finite"] = r.non_finite;
  j["depths"] = auto_depths ? "automatic" : "preset";  // --depth overrides either
  auto& fifos = j["fifos"] = nlohmann::ordered_json::array();
  for (const auto& f : r.fifos)
    fifos.push_back({{"name", f.name},
                     {"capacity", f.capacity ? nlohmann::ordered_json(*f.capacity)
                                             : nlohmann::ordered_json("unbounded")},
                     {"peak_occupancy", f.peak_occupancy},
                     {"elements", f.elements},
                     {"internal", f.internal},
                     {"element_bytes", f.element_bytes}});
  j["wall_seconds"] = wall;  // with --auto-depths, the search included
  j["simulation_wall_seconds"] = r.run.wall_seconds;
  j["config"] = config_json(s);
  return j;
}

int run_sdpa(const SdpaArgs& a) {
  SdpaSetup s = make_setup(a.flags);
  note_sdpa(s.config, a.auto_depths);
  RunOptions options{.threads = s.threads};
  options.on_progress = progress_printer(
      fmt::format("sdpa {} N={}", sdpa::to_string(s.config.variant), s.config.n),
      static_cast<Cycle>(s.resolved.max_initiation_interval) * sdpa::keys_streamed(s.config));
  auto start = std::chrono::steady_clock::now();
  sdpa::AttentionRun r;
  try {
    if (a.auto_depths) apply_min_depths(s);
    r = sdpa::simulate_attention(s.config, s.inputs, options);
  } catch (const std::invalid_argument& e) {
    end_progress();
    throw UsageError(e.what());
  }
  end_progress();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  bool saved = false;
  if (!a.save_outputs.empty() && r.run.ok()) {
    save_outputs(a.save_outputs, s, r);
    saved = true;
  }
  if (a.json) {
    auto j = to_json(s, r, wall, a.auto_depths);
    if (!r.run.ok()) j["problem"] = r.run.describe_problem();
    if (r.run.status == RunStatus::deadlock) j["hint"] = deadlock_hint(s, r);
    if (r.non_finite) j["overflow"] = overflow_message(s, r);
    if (saved) j["outputs_file"] = a.save_outputs;
    fmt::print("{}\n", j.dump(2));
  } else {
    print_text(s, r, wall, a.auto_depths);
    if (saved)
      fmt::print("\noutputs: {} ({} x {} float64{})\n", a.save_outputs,
                 sdpa::query_rows(s.config) * s.config.heads,
                 s.config.d,
                 s.config.heads == 1                  ? ""
                 : s.config.decode_rows ? "; head h is rows h*B to (h+1)*B - 1"
                                        : "; head h is rows h*N to (h+1)*N - 1");
  }
  std::fflush(stdout);
  if (!a.save_outputs.empty() && !saved)
    fmt::print(stderr, "dfsim: warning: the run did not complete; {} was not written\n",
               a.save_outputs);
  if (r.run.status == RunStatus::deadlock) {
    int status = exit_status(r.run);
    fmt::print(stderr, "{}\n", deadlock_hint(s, r));
    return status;
  }
  if (!r.run.ok()) return exit_status(r.run);
  if (r.non_finite) {
    fmt::print(stderr, "dfsim: error: {}\n", overflow_message(s, r));
    return kExitOverflow;
  }
  return kExitOk;
}

}  // namespace

void add_sdpa_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<SdpaArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sdpa", "simulate scaled dot-product attention on streaming hardware, one configuration");
  add_sdpa_flags(*cmd, args->flags, /*with_depths=*/true);
  cmd->add_option("--save-outputs", args->save_outputs,
                  "write the outputs as a float64 .npy (heads stacked: (heads*N) x d)")
      ->type_name("FILE.npy");
  cmd->add_flag("--auto-depths", args->auto_depths,
                "size every FIFO not given by --depth to the smallest depth that keeps full "
                "speed (searched as sdpa-min-depth does: about log2(N) runs per FIFO)")
      ->excludes("--unbounded");
  cmd->add_flag("--json", args->json, "print one JSON object instead of the summary");
  cmd->callback([&action, args] { action = [args] { return run_sdpa(*args); }; });
}

}  // namespace dfsim::cli
