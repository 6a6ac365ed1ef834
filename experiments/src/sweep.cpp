// The sweep protocol (sweep.hpp): a plan of points, and each point's three runs.
#include "dfsim/experiments/sweep.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "dfsim/experiments/depth_curve.hpp"
#include "dfsim/experiments/min_depth.hpp"

namespace dfsim::experiments {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

sdpa::AttentionConfig base_config(const Point& p) {
  return {.variant = p.variant, .n = p.n, .d = p.d, .precision = p.precision, .preset = p.preset};
}

// What a point's runs share, and what they have found so far.
struct PointState {
  const Point& point;
  const PointOptions& options;
  std::string name;
  std::vector<sdpa::Tensors> inputs;
  sdpa::AttentionConfig base;
  PointResult result;
  std::string outcome;                 // the row's status once every run has ended
  std::optional<Cycle> preset_cycles;  // run 1's, when it completed
};

enum class Ended { ran, skipped, interrupted };

struct StageOutput {
  Ended ended = Ended::ran;
  std::string summary;
  std::string error;
};

RunOptions run_options(const PointState& s, const std::string& label, Cycle expected) {
  RunOptions o{.threads = s.options.threads};
  if (s.options.progress) o.on_progress = s.options.progress(label, expected);
  return o;
}

// 1. The preset's FIFO depths: cycles, throughput, error.
std::string run_preset(PointState& s) {
  Row& row = s.result.row;
  auto r = sdpa::simulate_attention(s.base, s.inputs, run_options(s, s.name, row.ideal_cycles));
  s.outcome = r.non_finite && r.run.ok() ? "overflow" : to_string(r.run.status);
  if (s.outcome == "completed") s.preset_cycles = r.run.elapsed_cycles;
  row.preset_run = PresetRun{
      .cycles = r.run.elapsed_cycles,
      .throughput = r.throughput,
      .overhead_cycles = static_cast<std::int64_t>(r.run.elapsed_cycles) -
                         static_cast<std::int64_t>(row.ideal_cycles),
      .max_abs_error = r.max_abs_error,
      .non_finite = r.non_finite,
      .default_memory_elements = r.intermediate_memory_elements,
      .fifos = fifo_rows(r.fifos),
      .problem = r.run.ok() ? std::nullopt : std::optional(r.run.describe_problem())};
  s.result.deadlock = r.run.status == RunStatus::deadlock;
  s.result.failed |= r.run.status == RunStatus::failed;
  s.result.overflow = r.non_finite && r.run.ok();
  return fmt::format("{:<22} preset depths: {} cycles, throughput {:.4f}, {}", s.name,
                     r.run.elapsed_cycles, r.throughput, s.outcome);
}

// 2. Every FIFO unbounded, one-cycle preset: peak occupancies and intermediate memory.
std::string run_unbounded(PointState& s) {
  sdpa::AttentionConfig unbounded = s.base;
  unbounded.preset = sdpa::Preset::one_cycle;
  unbounded.unbounded = true;
  const Cycle n = s.point.n;
  auto r = sdpa::simulate_attention(unbounded, s.inputs,
                                    run_options(s, s.name + " unbounded", n * n));
  UnboundedRun u{.cycles = r.run.elapsed_cycles,
                 .intermediate_memory_elements = r.intermediate_memory_elements,
                 .intermediate_memory_bytes = r.intermediate_memory_bytes,
                 .fifos = fifo_rows(r.fifos)};
  const auto longs = sdpa::long_fifo_names(s.point.variant);
  for (const auto& f : r.fifos) {
    if (f.internal) u.max_fifo_peak = std::max(u.max_fifo_peak, f.peak_occupancy);
    if (std::find(longs.begin(), longs.end(), f.name) != longs.end())
      u.long_fifo_peak = std::max(u.long_fifo_peak.value_or(0), f.peak_occupancy);
  }
  s.result.row.unbounded_run = std::move(u);
  return fmt::format("{:<22} unbounded, one-cycle preset: intermediate memory {} elements", s.name,
                     r.intermediate_memory_elements);
}

MinDepthRun min_depth_run(const MinDepths& m, sdpa::Variant variant) {
  MinDepthRun run{.unbounded_cycles = m.unbounded_cycles,
                  .min_depth_cycles = m.cycles_with_min_depths,
                  .depths = m.depth,
                  .runs = m.runs};
  const auto longs = sdpa::long_fifo_names(variant);
  for (const auto& [fifo, depth] : m.depth) {
    run.min_depth_max = std::max(run.min_depth_max, depth);
    run.min_depth_sum += depth;
    if (std::find(longs.begin(), longs.end(), fifo) != longs.end())
      run.min_depth_long = std::max(run.min_depth_long.value_or(0), depth);
  }
  return run;
}

// 3. Minimal depths at the preset's timing, of the FIFOs the claims are about, each bounded by
// its preset depth when run 1 took the unbounded cycles. A stop ends it between two probes.
StageOutput run_min_depths(PointState& s) {
  if (s.point.n > s.options.min_depth_max_n)
    return {Ended::skipped, fmt::format("{:<22} min depths: skipped (N > --min-depth-max-n {})",
                                        s.name, s.options.min_depth_max_n)};
  auto m = find_min_depths(s.base, s.inputs,
                           {.fifos = FifoSelection::claims,
                            .preset_bound = s.preset_cycles.has_value(),
                            .preset_cycles = s.preset_cycles,
                            .probe_threads = s.options.probe_threads,
                            .stop = s.options.stop});
  if (!m) return {Ended::interrupted, ""};
  MinDepthRun run = min_depth_run(*m, s.point.variant);
  std::string summary = fmt::format(
      "{:<22} min depths ({} runs): {}{}", s.name, m->runs,
      run.min_depth_long ? "long FIFO " + std::to_string(*run.min_depth_long)
                         : "deepest FIFO " + std::to_string(run.min_depth_max),
      m->cycles_with_min_depths == m->unbounded_cycles
          ? ""
          : " (all together: more cycles than unbounded)");
  s.result.row.min_depth_run = std::move(run);
  return {Ended::ran, summary};
}

// The FIFO a curve is drawn over, and the depth it centres on: the naive graphs' (first) long
// FIFO; the reordered graphs' FIFO of the largest minimal depth (else of the largest peak).
std::pair<std::string, std::uint64_t> curve_fifo(const PointState& s) {
  const Row& row = s.result.row;
  const auto longs = sdpa::long_fifo_names(s.point.variant);
  std::pair<std::string, std::uint64_t> best{"", 0};
  if (row.min_depth_run) {
    for (const auto& [fifo, depth] : row.min_depth_run->depths)
      if (longs.empty() ? depth > best.second : fifo == longs.front()) best = {fifo, depth};
  } else if (row.unbounded_run) {
    for (const FifoRow& f : row.unbounded_run->fifos) {
      const std::string role(sdpa::role_name(f.name));
      if (longs.empty() ? f.internal && f.peak_occupancy > best.second : role == longs.front())
        best = {role, std::max(best.second, f.peak_occupancy)};
    }
  }
  if (best.first.empty()) throw std::runtime_error("no FIFO to draw a depth curve over");
  return best;
}

// 4. The depth-throughput curve of that FIFO, the others at the preset's depths.
std::string run_depth_curve(PointState& s) {
  const auto [fifo, reference] = curve_fifo(s);
  DepthCurve curve = depth_curve(s.base, s.inputs, fifo, curve_depths(reference, s.options.depth_curve));
  std::string summary = fmt::format("{:<22} depth curve of {}: {} depths from {} to {}", s.name, fifo,
                                    curve.points.size(), curve.points.front().depth,
                                    curve.points.back().depth);
  s.result.row.depth_curve = std::move(curve);
  return summary;
}

const char* stage_label(Stage stage) {
  switch (stage) {
    case Stage::preset: return "the preset-depth run";
    case Stage::unbounded: return "the unbounded run";
    case Stage::min_depths: return "the min-depth search";
    case Stage::depth_curve: return "the depth curve";
  }
  return "?";
}

const char* stage_short(Stage stage) {
  switch (stage) {
    case Stage::preset: return "preset depths";
    case Stage::unbounded: return "unbounded";
    case Stage::min_depths: return "min depths";
    case Stage::depth_curve: return "depth curve";
  }
  return "?";
}

// One stage, its error recorded rather than thrown: the next stage goes on.
StageOutput run_stage(PointState& s, Stage stage) {
  try {
    switch (stage) {
      case Stage::preset: return {Ended::ran, run_preset(s)};
      case Stage::unbounded: return {Ended::ran, run_unbounded(s)};
      case Stage::min_depths: return run_min_depths(s);
      case Stage::depth_curve: return {Ended::ran, run_depth_curve(s)};
    }
  } catch (const std::exception& e) {
    s.outcome = std::string("error in ") + stage_label(stage) + ": " + e.what();
    s.result.failed = true;
    return {Ended::ran, s.name + " " + stage_short(stage) + ": error", e.what()};
  }
  return {};
}

}  // namespace

Row pending_row(const Point& p) {
  const sdpa::ResolvedConfig resolved = sdpa::resolve(base_config(p));
  return {.variant = std::string(sdpa::to_string(p.variant)),
          .n = p.n,
          .d = p.d,
          .preset = std::string(sdpa::to_string(p.preset)),
          .precision = std::string(sdpa::to_string(p.precision)),
          .ii_max = resolved.max_initiation_interval,
          .ideal_cycles = sdpa::ideal_cycles(base_config(p), resolved)};
}

std::string point_name(const Point& p) {
  return fmt::format("{} N={}", sdpa::to_string(p.variant), p.n);
}

std::vector<Point> points(const SweepPlan& plan) {
  std::vector<Point> list;
  for (auto v : plan.variants)
    for (auto n : plan.sizes)
      list.push_back({.variant = v,
                      .n = n,
                      .d = plan.d,
                      .preset = plan.preset,
                      .precision = plan.precision,
                      .seed = plan.seed});
  return list;
}

void check(const SweepPlan& plan) {
  for (const Point& p : points(plan)) {
    sdpa::AttentionConfig c = base_config(p);
    sdpa::resolve(c);
    c.preset = sdpa::Preset::one_cycle;
    c.unbounded = true;
    sdpa::resolve(c);
  }
  check_threads(plan.threads);
}

nlohmann::ordered_json to_json(const SweepPlan& plan) {
  nlohmann::ordered_json config = {{"n", plan.sizes},
                                   {"variants", nlohmann::ordered_json::array()},
                                   {"preset", sdpa::to_string(plan.preset)},
                                   {"precision", sdpa::to_string(plan.precision)},
                                   {"d", plan.d},
                                   {"seed", plan.seed},
                                   {"threads", plan.threads},
                                   {"min_depth_max_n", plan.min_depth_max_n}};
  if (plan.depth_curve) config["depth_curve"] = plan.depth_curve;
  for (auto v : plan.variants) config["variants"].push_back(sdpa::to_string(v));
  return config;
}

std::size_t run_count(const SweepPlan& plan) {
  return plan.variants.size() * plan.sizes.size() * (plan.depth_curve ? 4 : 3);
}

const char* to_string(Stage stage) noexcept {
  switch (stage) {
    case Stage::preset: return "preset";
    case Stage::unbounded: return "unbounded";
    case Stage::min_depths: return "min-depths";
    case Stage::depth_curve: return "depth-curve";
  }
  return "?";
}

PointOptions point_options(const SweepPlan& plan) {
  return {.threads = plan.threads,
          .min_depth_max_n = plan.min_depth_max_n,
          .depth_curve = plan.depth_curve};
}

PointResult run_point(const Point& point, const PointOptions& options) {
  PointState s{.point = point,
               .options = options,
               .name = point_name(point),
               .inputs = {sdpa::random_tensors(point.n, point.d, point.seed)},
               .base = base_config(point)};
  s.result.row = pending_row(point);
  Row& row = s.result.row;
  std::vector<Stage> stages = {Stage::preset, Stage::unbounded, Stage::min_depths};
  if (options.depth_curve) stages.push_back(Stage::depth_curve);
  for (Stage stage : stages) {
    // Run 1 always runs: an interrupted row has at least one run to show.
    const bool stop = stage != Stage::preset && options.stop && options.stop();
    auto start = std::chrono::steady_clock::now();
    StageOutput out = stop ? StageOutput{Ended::interrupted} : run_stage(s, stage);
    if (out.ended == Ended::interrupted) {
      s.result.interrupted = true;
      break;
    }
    const double wall = out.ended == Ended::ran && out.error.empty() ? seconds_since(start) : 0;
    row.wall_seconds += wall;
    if (out.ended == Ended::ran)
      row.runs_done += (row.runs_done.empty() ? "" : ";") + std::string(to_string(stage));
    if (options.on_stage_end)
      options.on_stage_end({.stage = stage,
                            .row = row,
                            .summary = out.summary,
                            .wall_seconds = wall,
                            .skipped = out.ended == Ended::skipped,
                            .error = out.error});
  }
  const std::string problem = s.outcome == "completed" ? "" : " (" + s.outcome + ")";
  row.status = s.result.interrupted ? "interrupted after " + row.runs_done + problem : s.outcome;
  return s.result;
}

}  // namespace dfsim::experiments
