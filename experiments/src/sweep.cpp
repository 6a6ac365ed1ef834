// The sweep protocol (sweep.hpp): a plan of points, and each point's three runs.
#include "dfsim/experiments/sweep.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "dfsim/experiments/arguments.hpp"
#include "dfsim/experiments/depth_curve.hpp"
#include "dfsim/experiments/inputs.hpp"
#include "dfsim/experiments/min_depth.hpp"

namespace dfsim::experiments {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What a point's runs share, and what they have found so far.
struct PointState {
  const Point& point;
  const PointOptions& options;
  std::string name;
  std::vector<sdpa::Tensors> inputs;
  sdpa::AttentionConfig base;
  PointWork work;

  std::string status() const { return work.error.empty() ? work.outcome : work.error; }
  // Run 1's cycles when it completed.
  std::optional<Cycle> preset_cycles() const {
    if (work.outcome != "completed" || !work.row.preset_run) return std::nullopt;
    return work.row.preset_run->cycles;
  }
};

// Every run of a point, on any worker, reads the same inputs: drawn from the point's seed.
std::vector<sdpa::Tensors> point_inputs(const Point& point) {
  return random_inputs(point.n, point.d, point.heads, point.seed, 1.0, point.decode_rows,
                       point.kv_heads)
      .tensors;
}

PointState point_state(const Point& point, const PointOptions& options, PointWork work) {
  return {.point = point,
          .options = options,
          .name = point_name(point),
          .inputs = point_inputs(point),
          .base = attention_config(point),
          .work = std::move(work)};
}

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
  Row& row = s.work.row;
  auto r = sdpa::simulate_attention(s.base, s.inputs, run_options(s, s.name, row.ideal_cycles));
  s.work.outcome = r.non_finite && r.run.ok() ? "overflow" : to_string(r.run.status);
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
  return fmt::format("{:<22} preset depths: {} cycles, throughput {:.4f}, {}", s.name,
                     r.run.elapsed_cycles, r.throughput, s.work.outcome);
}

// 2. Every FIFO unbounded, one-cycle preset: peak occupancies and intermediate memory.
std::string run_unbounded(PointState& s) {
  sdpa::AttentionConfig unbounded = s.base;
  unbounded.preset = sdpa::Preset::one_cycle;
  unbounded.unbounded = true;
  auto r = sdpa::simulate_attention(unbounded, s.inputs,
                                    run_options(s, s.name + " unbounded", sdpa::keys_per_lane(unbounded)));
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
  s.work.row.unbounded_run = std::move(u);
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

MinDepthOptions search_options(const PointState& s) {
  // Each FIFO bounded by its preset depth when run 1 took the unbounded cycles.
  return {.fifos = FifoSelection::claims,
          .preset_bound = s.preset_cycles().has_value(),
          .preset_cycles = s.preset_cycles(),
          .probe_threads = s.options.probe_threads,
          .stop = s.options.stop};
}

// 3a. The start of the minimal depths at the preset's timing, of the FIFOs the claims are
// about: the search's unbounded run, and where each FIFO's search starts.
StageOutput start_min_depths(PointState& s) {
  if (s.point.n > s.options.min_depth_max_n)
    return {Ended::skipped, fmt::format("{:<22} min depths: skipped (N > --min-depth-max-n {})",
                                        s.name, s.options.min_depth_max_n)};
  s.work.search = start_search(s.base, s.inputs, search_options(s));
  return {};
}

// 3b. The minima together, once every FIFO's search has ended.
StageOutput end_min_depths(PointState& s, const SearchResults& searches) {
  if (searches.interrupted) return {Ended::interrupted, ""};
  if (!searches.error.empty()) throw std::runtime_error(searches.error);
  const MinDepths m = end_search(s.base, s.inputs, *s.work.search, searches.depths, searches.probes);
  MinDepthRun run = min_depth_run(m, s.point.variant);
  std::string summary = fmt::format(
      "{:<22} min depths ({} runs): {}{}", s.name, m.runs,
      run.min_depth_long ? "long FIFO " + std::to_string(*run.min_depth_long)
                         : "deepest FIFO " + std::to_string(run.min_depth_max),
      m.cycles_with_min_depths == m.unbounded_cycles
          ? ""
          : " (all together: more cycles than unbounded)");
  s.work.row.min_depth_run = std::move(run);
  return {Ended::ran, summary};
}

// The FIFO a curve is drawn over, and the depth it centres on: the naive graphs' (first) long
// FIFO; the reordered graphs' FIFO of the largest minimal depth (else of the largest peak).
std::pair<std::string, std::uint64_t> curve_fifo(const PointState& s) {
  const Row& row = s.work.row;
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
  s.work.row.depth_curve = std::move(curve);
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

// A stage's `body`, its error recorded rather than thrown: the next stage goes on.
StageOutput guarded(PointState& s, Stage stage, const std::function<StageOutput()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    s.work.error = std::string("error in ") + stage_label(stage) + ": " + e.what();
    s.work.search.reset();
    return {Ended::ran, s.name + " " + stage_short(stage) + ": error", e.what()};
  }
}

// Whether the point goes on to `stage`: not once interrupted, nor when a stop comes now (run 1
// always runs: an interrupted row has at least one run to show).
bool goes_on(PointState& s, Stage stage) {
  if (!s.work.interrupted && stage != Stage::preset && s.options.stop && s.options.stop())
    s.work.interrupted = true;
  return !s.work.interrupted;
}

// A stage's end: its wall time and name in the row, and the caller told.
void end_stage(PointState& s, Stage stage, const StageOutput& out, double wall) {
  if (out.ended == Ended::interrupted) {
    s.work.interrupted = true;
    return;
  }
  Row& row = s.work.row;
  wall = out.ended == Ended::ran && out.error.empty() ? wall : 0;
  row.wall_seconds += wall;
  if (out.ended == Ended::ran)
    row.runs_done += (row.runs_done.empty() ? "" : ";") + std::string(to_string(stage));
  if (s.options.on_stage_end)
    s.options.on_stage_end({.stage = stage,
                            .row = row,
                            .summary = out.summary,
                            .wall_seconds = wall,
                            .skipped = out.ended == Ended::skipped,
                            .error = out.error});
}

// A stage run whole here (1, 2 and 4), timed.
void run_stage(PointState& s, Stage stage, std::string (*body)(PointState&)) {
  if (!goes_on(s, stage)) return;
  const auto start = std::chrono::steady_clock::now();
  const StageOutput out = guarded(s, stage, [&] { return StageOutput{Ended::ran, body(s)}; });
  end_stage(s, stage, out, seconds_since(start));
}

PointResult result_of(PointState& s) {
  Row& row = s.work.row;
  const std::string status = s.status();
  const std::string problem = status == "completed" ? "" : " (" + status + ")";
  row.status = !s.work.interrupted ? status
               : row.runs_done.empty() ? "interrupted before its first run ended"
                                       : "interrupted after " + row.runs_done + problem;
  return {.row = row,
          .interrupted = s.work.interrupted,
          .deadlock = s.work.outcome == "deadlock",
          .failed = s.work.outcome == "failed" || !s.work.error.empty(),
          .overflow = s.work.outcome == "overflow"};
}

}  // namespace

sdpa::AttentionConfig attention_config(const Point& p) {
  return {.variant = p.variant,
          .n = p.n,
          .d = p.d,
          .precision = p.precision,
          .preset = p.preset,
          .heads = p.heads,
          .causal = p.causal,
          .decode_rows = p.decode_rows,
          .kv_heads = p.kv_heads,
          .lanes = p.lanes};
}

Row pending_row(const Point& p) {
  const sdpa::AttentionConfig config = attention_config(p);
  const sdpa::ResolvedConfig resolved = sdpa::resolve(config);
  return {.variant = std::string(sdpa::to_string(p.variant)),
          .n = p.n,
          .d = p.d,
          .preset = std::string(sdpa::to_string(p.preset)),
          .precision = std::string(sdpa::to_string(p.precision)),
          .causal = std::string(sdpa::to_string(p.causal)),
          .decode_rows = p.decode_rows,
          .heads = p.heads,
          .kv_heads = sdpa::kv_heads(config),
          .lanes = p.lanes,
          .ii_max = resolved.max_initiation_interval,
          .ideal_cycles = sdpa::ideal_cycles(config, resolved)};
}

std::string point_name(const Point& p) {
  const Point plain;
  std::string name = fmt::format("{} N={}", sdpa::to_string(p.variant), p.n);
  if (p.precision != plain.precision) name += fmt::format(" {}", sdpa::to_string(p.precision));
  if (p.causal != plain.causal) name += fmt::format(" causal={}", sdpa::to_string(p.causal));
  if (p.decode_rows) name += fmt::format(" decode={}", p.decode_rows);
  if (p.heads != plain.heads) name += fmt::format(" heads={}", p.heads);
  if (p.kv_heads && p.kv_heads != p.heads) name += fmt::format(" kv_heads={}", p.kv_heads);
  if (p.lanes != plain.lanes) name += fmt::format(" lanes={}", p.lanes);
  return name;
}

std::vector<Point> points(const SweepPlan& plan) {
  std::vector<Point> list;
  for (auto v : plan.variants)
    for (auto precision : plan.precisions)
      for (auto causal : plan.causal)
        for (auto decode : plan.decode) {
          if (decode && causal != sdpa::Causal::none) continue;  // decode rows are not causal
          for (auto kv : plan.kv_heads)
            for (auto lanes : plan.lanes)
              for (auto n : plan.sizes)
                list.push_back({.variant = v,
                                .n = n,
                                .d = plan.d,
                                .preset = plan.preset,
                                .precision = precision,
                                .causal = causal,
                                .decode_rows = decode,
                                .heads = plan.heads,
                                .kv_heads = kv,
                                .lanes = lanes,
                                .seed = plan.seed});
        }
  return list;
}

namespace {

template <class T>
void check_not_empty(const std::vector<T>& list, const char* what) {
  if (list.empty()) throw std::invalid_argument(std::string("no ") + what + " to sweep: give at least one");
}

}  // namespace

void check(const SweepPlan& plan) {
  check_not_empty(plan.variants, "variants");
  check_not_empty(plan.sizes, "sizes");
  check_not_empty(plan.precisions, "precisions");
  check_not_empty(plan.causal, "causal modes");
  check_not_empty(plan.decode, "decode values");
  check_not_empty(plan.kv_heads, "kv_heads values");
  check_not_empty(plan.lanes, "lane counts");
  for (const Point& p : points(plan)) {
    sdpa::AttentionConfig c = attention_config(p);
    try {
      sdpa::resolve(c);
      c.preset = sdpa::Preset::one_cycle;
      c.unbounded = true;
      sdpa::resolve(c);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("point " + point_name(p) + ": " + e.what());
    }
  }
  check_threads(plan.threads);
}

nlohmann::ordered_json to_json(const SweepPlan& plan) {
  using json = nlohmann::ordered_json;
  auto names = [](const auto& list) {
    json a = json::array();
    for (auto item : list) a.push_back(sdpa::to_string(item));
    return a;
  };
  json config = {{"n", plan.sizes},
                 {"variants", names(plan.variants)},
                 {"preset", sdpa::to_string(plan.preset)},
                 {"precision", names(plan.precisions)},
                 {"causal", names(plan.causal)},
                 {"decode", plan.decode},
                 {"heads", plan.heads},
                 {"kv_heads", plan.kv_heads},
                 {"lanes", plan.lanes},
                 {"d", plan.d},
                 {"seed", plan.seed},
                 {"threads", plan.threads},
                 {"min_depth_max_n", plan.min_depth_max_n}};
  if (plan.depth_curve) config["depth_curve"] = plan.depth_curve;
  return config;
}

namespace {

// A list of names in a plan's JSON, each read by the parse the command line and Python use.
template <typename T>
std::vector<T> parsed(const nlohmann::ordered_json& value, T (*parse)(const std::string&)) {
  std::vector<T> list;
  for (const auto& v : value) list.push_back(parse(v.get<std::string>()));
  return list;
}

// One key of a plan's JSON into its field.
void read_plan_key(SweepPlan& p, const std::string& key, const nlohmann::ordered_json& value) {
  if (key == "variants") {
    p.variants = parsed(value, variant_argument);
  } else if (key == "n") {
    p.sizes = value.get<std::vector<std::size_t>>();
  } else if (key == "preset") {
    p.preset = preset_argument(value.get<std::string>());
  } else if (key == "precision") {
    p.precisions = parsed(value, precision_argument);
  } else if (key == "causal") {
    p.causal = parsed(value, causal_argument);
  } else if (key == "decode") {
    p.decode = value.get<std::vector<std::size_t>>();
  } else if (key == "heads") {
    p.heads = value.get<unsigned>();
  } else if (key == "kv_heads") {
    p.kv_heads = value.get<std::vector<unsigned>>();
  } else if (key == "lanes") {
    p.lanes = value.get<std::vector<unsigned>>();
  } else if (key == "d") {
    p.d = value.get<std::size_t>();
  } else if (key == "seed") {
    p.seed = value.get<std::uint64_t>();
  } else if (key == "threads") {
    p.threads = value.get<unsigned>();
  } else if (key == "min_depth_max_n") {
    p.min_depth_max_n = value.get<std::size_t>();
  } else if (key == "depth_curve") {
    p.depth_curve = value.get<std::size_t>();
  } else {
    throw std::invalid_argument("unknown key '" + key + "' in a sweep plan: the keys are those "
                                "of results.json's config (docs/outputs.md)");
  }
}

}  // namespace

SweepPlan plan_from_json(const nlohmann::ordered_json& config) {
  if (!config.is_object())
    throw std::invalid_argument("a sweep plan is a JSON object, got " + config.dump());
  SweepPlan plan;
  for (const auto& [key, value] : config.items()) {
    try {
      read_plan_key(plan, key, value);
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument("a sweep plan's " + key + " cannot be " + value.dump() +
                                  ": give each key as results.json's config does, e.g. " +
                                  to_json(SweepPlan{}).dump());
    }
  }
  if (plan.sizes.empty() || plan.variants.empty())
    throw std::invalid_argument("a sweep plan needs at least one variant and one N");
  check(plan);
  return plan;
}

std::size_t run_count(const SweepPlan& plan) {
  return points(plan).size() * (plan.depth_curve ? 4 : 3);
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

PointWork begin_point(const Point& point, const PointOptions& options) {
  PointState s = point_state(point, options, {.row = pending_row(point)});
  run_stage(s, Stage::preset, run_preset);
  run_stage(s, Stage::unbounded, run_unbounded);
  if (goes_on(s, Stage::min_depths)) {
    const auto start = std::chrono::steady_clock::now();
    const StageOutput out = guarded(s, Stage::min_depths, [&] { return start_min_depths(s); });
    s.work.search_seconds = seconds_since(start);
    if (!s.work.search) end_stage(s, Stage::min_depths, out, 0);  // skipped, or failed
  }
  return std::move(s.work);
}

PointResult end_point(const Point& point, PointWork work, const SearchResults& searches,
                      const PointOptions& options) {
  PointState s = point_state(point, options, std::move(work));
  if (s.work.search && !s.work.interrupted) {
    const auto start = std::chrono::steady_clock::now();
    const StageOutput out =
        guarded(s, Stage::min_depths, [&] { return end_min_depths(s, searches); });
    end_stage(s, Stage::min_depths, out,
              s.work.search_seconds + searches.wall_seconds + seconds_since(start));
  }
  if (options.depth_curve) run_stage(s, Stage::depth_curve, run_depth_curve);
  return result_of(s);
}

PointResult run_point(const Point& point, const PointOptions& options) {
  PointWork work = begin_point(point, options);
  SearchResults searches;
  if (work.search) {
    const auto start = std::chrono::steady_clock::now();
    try {
      std::optional<FoundDepths> found = search_fifos(
          attention_config(point), point_inputs(point), *work.search,
          {.probe_threads = options.probe_threads, .stop = options.stop});
      searches.interrupted = !found || (options.stop && options.stop());
      if (found) {
        searches.depths = std::move(found->depths);
        searches.probes = found->probes;
      }
    } catch (const std::exception& e) {
      searches.error = e.what();
    }
    searches.wall_seconds = seconds_since(start);
  }
  return end_point(point, std::move(work), searches, options);
}

ProbeOutcome probe_point(const Point& point, const std::string& fifo, std::uint64_t depth,
                         Cycle target_cycles) {
  return probe(search_config(attention_config(point)), point_inputs(point), fifo, depth,
               target_cycles);
}

nlohmann::ordered_json to_json(const PointWork& work) {
  return {{"row", to_json(work.row)},
          {"outcome", work.outcome},
          {"error", work.error},
          {"search", work.search ? to_json(*work.search) : nlohmann::ordered_json()},
          {"search_seconds", work.search_seconds},
          {"interrupted", work.interrupted}};
}

PointWork point_work_from_json(const nlohmann::ordered_json& j) {
  PointWork work{.row = row_from_json(j.at("row")),
                 .outcome = j.at("outcome").get<std::string>(),
                 .error = j.at("error").get<std::string>(),
                 .search_seconds = j.at("search_seconds").get<double>(),
                 .interrupted = j.at("interrupted").get<bool>()};
  if (!j.at("search").is_null()) work.search = search_start_from_json(j["search"]);
  return work;
}

}  // namespace dfsim::experiments
