// The min-depth search (min_depth.hpp): a bisection per FIFO, the FIFOs' searches on a small
// pool of threads, each probe stopped once it cannot match.
#include "dfsim/experiments/min_depth.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace dfsim::experiments {
namespace {

struct FifoTask {
  std::string fifo;
  std::uint64_t upper = 1;
  std::optional<std::uint64_t> depth;
  std::size_t probes = 0;
};

// Runs every task, `threads` at a time; the first exception is rethrown once all have ended.
void run_tasks(std::vector<FifoTask>& tasks, unsigned threads,
               const std::function<void(FifoTask&)>& body) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < tasks.size();) {
      try {
        body(tasks[i]);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  const unsigned count = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(tasks.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// The largest peak occupancy of `fifo` over every head.
std::uint64_t peak_of(const sdpa::AttentionRun& run, const std::string& fifo) {
  std::uint64_t peak = 1;
  for (const sdpa::FifoStats& f : run.fifos)
    if (sdpa::role_name(f.name) == fifo) peak = std::max(peak, f.peak_occupancy);
  return peak;
}

// Whether the run at the preset's depths takes exactly the unbounded cycles: then each FIFO's
// preset depth bounds its search.
bool preset_suffices(const sdpa::AttentionConfig& preset, const std::vector<sdpa::Tensors>& inputs,
                     const MinDepthOptions& options, Cycle unbounded_cycles, std::size_t& runs) {
  if (!options.preset_bound) return false;
  if (options.preset_cycles) return *options.preset_cycles == unbounded_cycles;
  ++runs;
  auto r = sdpa::simulate_attention(preset, inputs,
                                    {.cycle_limit = unbounded_cycles, .stop_when_stuck = true});
  return r.run.ok() && r.run.elapsed_cycles == unbounded_cycles;
}

std::vector<FifoBound> fifo_bounds(const sdpa::AttentionConfig& preset,
                                   const sdpa::AttentionRun& unbounded, bool bounded_by_preset,
                                   FifoSelection selection) {
  const sdpa::ResolvedConfig resolved = sdpa::resolve(preset);
  std::vector<FifoBound> bounds;
  for (const std::string& fifo : searched_fifos(preset, selection)) {
    std::uint64_t upper = peak_of(unbounded, fifo);
    auto preset_depth = resolved.depths.at(fifo);
    if (bounded_by_preset && preset_depth) upper = std::min(upper, *preset_depth);
    bounds.push_back({.fifo = fifo, .upper = upper});
  }
  // The longest searches first, so that the threads (or workers) end together.
  std::stable_sort(bounds.begin(), bounds.end(),
                   [](const FifoBound& a, const FifoBound& b) { return a.upper > b.upper; });
  return bounds;
}

sdpa::AttentionConfig preset_config(const sdpa::AttentionConfig& config) {
  sdpa::AttentionConfig preset = config;
  preset.unbounded = false;
  preset.depths.clear();
  return preset;
}

unsigned pool_size(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

double expected_min_depth_runs(const sdpa::AttentionConfig& config, FifoSelection selection) {
  const auto longs = sdpa::long_fifo_names(config.variant);
  // A long FIFO holds about a row of keys: N plus the units' latency past a row; with lanes,
  // each lane's long FIFO a lane's share of the row, ceil(N / L).
  const unsigned lanes = std::max(1u, config.lanes);
  const double row = static_cast<double>((config.n + lanes - 1) / lanes);
  double runs = 2;
  for (const std::string& fifo : searched_fifos(config, selection))
    runs += std::find(longs.begin(), longs.end(), fifo) != longs.end() ? std::log2(row + 16) : 1;
  return runs;
}

std::vector<std::string> searched_fifos(const sdpa::AttentionConfig& config, FifoSelection selection) {
  const bool naive =
      config.variant == sdpa::Variant::naive || config.variant == sdpa::Variant::naive_stable;
  if (selection == FifoSelection::claims && naive) return sdpa::long_fifo_names(config.variant);
  return sdpa::fifo_names(config);
}

ProbeOutcome probe(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                   const std::string& fifo, std::uint64_t depth, Cycle target_cycles) {
  sdpa::AttentionConfig c = config;
  c.depths[fifo] = depth;
  // Past the target the probe cannot match: no need to see how much later it would end. Nor
  // to let the sources fill the unbounded FIFOs to the target once part of the graph is
  // stuck (a long FIFO too shallow for a row): that took memory as N^2.
  auto r = sdpa::simulate_attention(c, inputs,
                                    {.cycle_limit = target_cycles, .stop_when_stuck = true});
  ProbeOutcome o{.status = r.run.status,
                 .cycles = r.run.elapsed_cycles,
                 .matches = r.run.ok() && r.run.elapsed_cycles == target_cycles};
  return o;
}

FifoSearch::FifoSearch(std::uint64_t upper) : hi_(std::max<std::uint64_t>(upper, 1)) {}

std::vector<std::uint64_t> FifoSearch::next(unsigned k) const {
  k = std::max(1u, k);
  std::vector<std::uint64_t> depths;
  if (hi_ - lo_ <= k) {
    for (std::uint64_t d = lo_; d < hi_; ++d) depths.push_back(d);
    return depths;
  }
  for (unsigned j = 1; j <= k; ++j) {
    const std::uint64_t d = lo_ + (hi_ - lo_) * j / (k + 1);
    if (depths.empty() || depths.back() != d) depths.push_back(d);
  }
  return depths;
}

void FifoSearch::record(const std::vector<std::uint64_t>& depths, const std::vector<bool>& matches) {
  if (depths.size() != matches.size())
    throw std::invalid_argument("FifoSearch::record: a match for each depth probed");
  // Deeper never slows a graph down: the smallest match is the new upper end, and every depth
  // below a miss misses too.
  std::uint64_t new_lo = lo_, new_hi = hi_;
  for (std::size_t i = 0; i < depths.size(); ++i)
    if (matches[i] && depths[i] >= lo_) new_hi = std::min(new_hi, depths[i]);
  for (std::size_t i = 0; i < depths.size(); ++i)
    if (!matches[i] && depths[i] < new_hi) new_lo = std::max(new_lo, depths[i] + 1);
  lo_ = new_lo;
  hi_ = new_hi;
}

std::optional<std::uint64_t> search_fifo(const sdpa::AttentionConfig& unbounded_config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const std::string& fifo, std::uint64_t upper,
                                         Cycle target_cycles, const std::function<bool()>& stop,
                                         std::size_t* runs, unsigned probes_per_round) {
  FifoSearch search(upper);
  while (!search.done()) {
    if (stop && stop()) return std::nullopt;
    const std::vector<std::uint64_t> depths = search.next(probes_per_round);
    std::vector<char> matches(depths.size());
    auto probe_one = [&](std::size_t i) {
      matches[i] = probe(unbounded_config, inputs, fifo, depths[i], target_cycles).matches;
    };
    std::vector<std::thread> others;
    for (std::size_t i = 1; i < depths.size(); ++i) others.emplace_back(probe_one, i);
    probe_one(0);
    for (auto& t : others) t.join();
    if (runs) *runs += depths.size();
    search.record(depths, std::vector<bool>(matches.begin(), matches.end()));
  }
  return search.depth();
}

sdpa::AttentionConfig search_config(const sdpa::AttentionConfig& config) {
  sdpa::AttentionConfig unbounded = preset_config(config);
  unbounded.unbounded = true;
  return unbounded;
}

SearchStart start_search(const sdpa::AttentionConfig& config,
                         const std::vector<sdpa::Tensors>& inputs, const MinDepthOptions& options) {
  const sdpa::AttentionConfig preset = preset_config(config);
  const sdpa::AttentionRun base = sdpa::simulate_attention(search_config(config), inputs);
  if (!base.run.ok())
    throw std::runtime_error("the run with every FIFO unbounded did not complete: " +
                             base.run.describe_problem());
  SearchStart start{.ideal_cycles = base.ideal_cycles,
                    .unbounded_cycles = base.run.elapsed_cycles,
                    .runs = 1};
  const bool bounded = preset_suffices(preset, inputs, options, start.unbounded_cycles, start.runs);
  start.fifos = fifo_bounds(preset, base, bounded, options.fifos);
  return start;
}

MinDepths end_search(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                     const SearchStart& start, const std::map<std::string, std::uint64_t>& depths,
                     std::size_t probes) {
  MinDepths result{.ideal_cycles = start.ideal_cycles,
                   .unbounded_cycles = start.unbounded_cycles,
                   .runs = start.runs + probes};
  sdpa::AttentionConfig together = preset_config(config);
  for (const FifoBound& f : start.fifos) {
    const auto found = depths.find(f.fifo);
    if (found == depths.end())
      throw std::invalid_argument("end_search: no depth for the FIFO " + f.fifo);
    result.depth[f.fifo] = found->second;
    together.depths[f.fifo] = found->second;
  }
  const sdpa::AttentionRun r = sdpa::simulate_attention(together, inputs);
  ++result.runs;
  result.cycles_with_min_depths = r.run.ok() ? r.run.elapsed_cycles : 0;
  return result;
}

nlohmann::ordered_json to_json(const SearchStart& start) {
  nlohmann::ordered_json fifos = nlohmann::ordered_json::array();
  for (const FifoBound& f : start.fifos) fifos.push_back({{"fifo", f.fifo}, {"upper", f.upper}});
  return {{"ideal_cycles", start.ideal_cycles},
          {"unbounded_cycles", start.unbounded_cycles},
          {"fifos", fifos},
          {"runs", start.runs}};
}

SearchStart search_start_from_json(const nlohmann::ordered_json& j) {
  SearchStart start{.ideal_cycles = j.at("ideal_cycles").get<Cycle>(),
                    .unbounded_cycles = j.at("unbounded_cycles").get<Cycle>(),
                    .runs = j.at("runs").get<std::size_t>()};
  for (const auto& f : j.at("fifos"))
    start.fifos.push_back({.fifo = f.at("fifo").get<std::string>(),
                           .upper = f.at("upper").get<std::uint64_t>()});
  return start;
}

std::optional<FoundDepths> search_fifos(const sdpa::AttentionConfig& config,
                                        const std::vector<sdpa::Tensors>& inputs,
                                        const SearchStart& start, const MinDepthOptions& options) {
  std::vector<FifoTask> tasks;
  for (const FifoBound& f : start.fifos) tasks.push_back({.fifo = f.fifo, .upper = f.upper});
  // Threads the FIFOs leave idle (a naive graph searches one) probe several depths per round.
  const unsigned threads = pool_size(options.probe_threads);
  const unsigned per_round =
      std::max<unsigned>(1, threads / std::max(1u, static_cast<unsigned>(tasks.size())));
  const sdpa::AttentionConfig unbounded = search_config(config);
  run_tasks(tasks, threads, [&](FifoTask& t) {
    t.depth = search_fifo(unbounded, inputs, t.fifo, t.upper, start.unbounded_cycles,
                          options.stop, &t.probes, per_round);
  });
  FoundDepths found;
  for (const FifoTask& t : tasks) {
    if (!t.depth) return std::nullopt;
    found.depths[t.fifo] = *t.depth;
    found.probes += t.probes;
  }
  return found;
}

std::optional<MinDepths> find_min_depths(const sdpa::AttentionConfig& config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const MinDepthOptions& options) {
  const SearchStart start = start_search(config, inputs, options);
  const std::optional<FoundDepths> found = search_fifos(config, inputs, start, options);
  if (!found || (options.stop && options.stop())) return std::nullopt;
  return end_search(config, inputs, start, found->depths, found->probes);
}

}  // namespace dfsim::experiments
