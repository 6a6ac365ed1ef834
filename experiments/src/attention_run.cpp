// One attention configuration, run and explained (attention_run.hpp).
#include "dfsim/experiments/attention_run.hpp"

#include "dfsim/engine/run_result_json.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/experiments/row.hpp"
#include "dfsim/sdpa/npy.hpp"

namespace dfsim::experiments {
namespace {

using json = nlohmann::ordered_json;

// The FIFOs a deadlock report shows full, by the names --depth takes, first seen first.
std::vector<std::string> full_fifos(const sdpa::AttentionRun& r) {
  std::vector<std::string> full;
  if (r.run.deadlock)
    for (const auto& b : r.run.deadlock->blocked)
      if (b.channel_state.rfind("full", 0) == 0) {
        std::string name(sdpa::role_name(b.channel));
        if (std::find(full.begin(), full.end(), name) == full.end()) full.push_back(name);
      }
  return full;
}

// For the naive graphs: the long FIFO must hold a whole row.
std::string long_fifo_hint(const RunSetup& s) {
  const auto& c = s.config;
  auto defaults_config = c;
  defaults_config.depths.clear();
  defaults_config.unbounded = false;
  const auto defaults = sdpa::resolve(defaults_config);
  std::string hint;
  for (const auto& name : sdpa::long_fifo_names(c.variant)) {
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
  return hint;
}

bool all_finite(const std::vector<double>& x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

std::string deadlock_hint(const RunSetup& s, const sdpa::AttentionRun& r) {
  const auto& c = s.config;
  std::string hint = long_fifo_hint(s);
  const std::vector<std::string> full = full_fifos(r);
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
    for (std::size_t i = 0; i < t.q.size() / t.d; ++i)  // decode: fewer query rows than keys
      for (std::size_t j = 0; j < t.n; ++j) {
        double s = 0;
        for (std::size_t x = 0; x < t.d; ++x) s += t.q[i * t.d + x] * t.k[j * t.d + x];
        if (std::isnan(s)) return s;  // std::max would skip it
        best = std::max(best, s * scale);
      }
  }
  return best;
}

std::string overflow_message(const RunSetup& s, const sdpa::AttentionRun& r) {
  std::size_t bad = 0, total = 0;
  for (const auto& head : r.outputs)
    for (double v : head) {
      ++total;
      if (!std::isfinite(v)) ++bad;
    }
  for (const auto& t : s.inputs)
    if (!all_finite(t.q) || !all_finite(t.k) || !all_finite(t.v))  // only with --allow-non-finite
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

AttentionOutcome run_attention(RunSetup& s, const AttentionRunOptions& options) {
  auto start = std::chrono::steady_clock::now();
  AttentionOutcome o;
  o.auto_depths = options.auto_depths;
  if (options.auto_depths) {
    auto m = find_min_depths(s.config, s.inputs, {.probe_threads = options.probe_threads});
    for (const auto& [name, depth] : m->depth) s.config.depths.emplace(name, depth);
    s.resolved = sdpa::resolve(s.config);
  }
  o.result = sdpa::simulate_attention(s.config, s.inputs,
                                      {.threads = s.threads, .on_progress = options.on_progress,
                                       .tracer = options.tracer});
  o.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!o.result.run.ok()) o.problem = o.result.run.describe_problem();
  if (o.result.run.status == RunStatus::deadlock) o.hint = deadlock_hint(s, o.result);
  if (o.result.non_finite) o.overflow = overflow_message(s, o.result);
  return o;
}

json to_json(const RunSetup& s, const AttentionOutcome& o) {
  const sdpa::AttentionRun& r = o.result;
  json j;
  j["status"] = to_string(r.run.status);
  j["cycles"] = r.run.elapsed_cycles;
  j["ideal_cycles"] = r.ideal_cycles;
  j["throughput"] = r.throughput;
  j["intermediate_memory_elements"] = r.intermediate_memory_elements;
  j["intermediate_memory_bytes"] = r.intermediate_memory_bytes;
  j["max_abs_error"] = r.max_abs_error;
  j["non_finite"] = r.non_finite;
  j["depths"] = o.auto_depths ? "automatic" : "preset";  // explicit depths override either
  auto& fifos = j["fifos"] = json::array();
  const std::vector<FifoRow> rows = fifo_rows(r.fifos);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json line = to_json(rows[i]);
    line["element_bytes"] = r.fifos[i].element_bytes;
    fifos.push_back(std::move(line));
  }
  j["wall_seconds"] = o.wall_seconds;
  j["simulation_wall_seconds"] = r.run.wall_seconds;
  j["stalls"] = stall_summary_json(r.run);  // who waited on what, and the bound
  j["config"] = config_json(s);
  if (!o.problem.empty()) j["problem"] = o.problem;
  if (!o.hint.empty()) j["hint"] = o.hint;
  if (!o.overflow.empty()) j["overflow"] = o.overflow;
  return j;
}

void save_outputs(const std::filesystem::path& file, const RunSetup& s,
                  const sdpa::AttentionRun& r) {
  sdpa::Matrix m{.rows = sdpa::query_rows(s.config) * s.config.heads, .cols = s.config.d};
  for (const auto& head : r.outputs) m.values.insert(m.values.end(), head.begin(), head.end());
  sdpa::write_npy(file, m);
}

}  // namespace dfsim::experiments
