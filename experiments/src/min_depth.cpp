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
  auto r = sdpa::simulate_attention(preset, inputs, {.cycle_limit = unbounded_cycles});
  return r.run.ok() && r.run.elapsed_cycles == unbounded_cycles;
}

std::vector<FifoTask> make_tasks(const sdpa::AttentionConfig& preset,
                                 const sdpa::AttentionRun& unbounded, bool bounded_by_preset,
                                 FifoSelection selection) {
  const sdpa::ResolvedConfig resolved = sdpa::resolve(preset);
  std::vector<FifoTask> tasks;
  for (const std::string& fifo : searched_fifos(preset.variant, selection)) {
    std::uint64_t upper = peak_of(unbounded, fifo);
    auto preset_depth = resolved.depths.at(fifo);
    if (bounded_by_preset && preset_depth) upper = std::min(upper, *preset_depth);
    tasks.push_back({.fifo = fifo, .upper = upper});
  }
  // The longest searches first, so that the pool's threads end together.
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const FifoTask& a, const FifoTask& b) { return a.upper > b.upper; });
  return tasks;
}

unsigned pool_size(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

double expected_min_depth_runs(sdpa::Variant variant, std::size_t n, FifoSelection selection) {
  const auto longs = sdpa::long_fifo_names(variant);
  double runs = 2;
  for (const std::string& fifo : searched_fifos(variant, selection))
    runs += std::find(longs.begin(), longs.end(), fifo) != longs.end()
                ? std::log2(static_cast<double>(n) + 16)
                : 1;
  return runs;
}

std::vector<std::string> searched_fifos(sdpa::Variant variant, FifoSelection selection) {
  const bool naive = variant == sdpa::Variant::naive || variant == sdpa::Variant::naive_stable;
  if (selection == FifoSelection::claims && naive) return sdpa::long_fifo_names(variant);
  return sdpa::fifo_names(variant);
}

ProbeOutcome probe(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                   const std::string& fifo, std::uint64_t depth, Cycle target_cycles) {
  sdpa::AttentionConfig c = config;
  c.depths[fifo] = depth;
  // Past the target the probe cannot match: no need to see how much later it would end.
  auto r = sdpa::simulate_attention(c, inputs, {.cycle_limit = target_cycles});
  ProbeOutcome o{.status = r.run.status,
                 .cycles = r.run.elapsed_cycles,
                 .matches = r.run.ok() && r.run.elapsed_cycles == target_cycles};
  return o;
}

namespace {

// The depths one round probes in [lo, hi): `k` evenly spaced (k = 1: the bisection's middle),
// or all of them when there are no more than k.
std::vector<std::uint64_t> round_depths(std::uint64_t lo, std::uint64_t hi, unsigned k) {
  std::vector<std::uint64_t> depths;
  if (hi - lo <= k) {
    for (std::uint64_t d = lo; d < hi; ++d) depths.push_back(d);
    return depths;
  }
  for (unsigned j = 1; j <= k; ++j) {
    const std::uint64_t d = lo + (hi - lo) * j / (k + 1);
    if (depths.empty() || depths.back() != d) depths.push_back(d);
  }
  return depths;
}

}  // namespace

std::optional<std::uint64_t> search_fifo(const sdpa::AttentionConfig& unbounded_config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const std::string& fifo, std::uint64_t upper,
                                         Cycle target_cycles, const std::function<bool()>& stop,
                                         std::size_t* runs, unsigned probes_per_round) {
  std::uint64_t lo = 1, hi = std::max<std::uint64_t>(upper, 1);  // hi is known to suffice
  const unsigned k = std::max(1u, probes_per_round);
  while (lo < hi) {
    if (stop && stop()) return std::nullopt;
    const std::vector<std::uint64_t> depths = round_depths(lo, hi, k);
    std::vector<char> matches(depths.size());
    auto probe_one = [&](std::size_t i) {
      matches[i] = probe(unbounded_config, inputs, fifo, depths[i], target_cycles).matches;
    };
    std::vector<std::thread> others;
    for (std::size_t i = 1; i < depths.size(); ++i) others.emplace_back(probe_one, i);
    probe_one(0);
    for (auto& t : others) t.join();
    if (runs) *runs += depths.size();
    // Deeper never slows a graph down: the smallest match is the new upper end, and every
    // depth below a miss misses too.
    std::uint64_t new_lo = lo, new_hi = hi;
    for (std::size_t i = 0; i < depths.size(); ++i)
      if (matches[i]) {
        new_hi = depths[i];
        break;
      }
    for (std::size_t i = 0; i < depths.size(); ++i)
      if (!matches[i] && depths[i] < new_hi) new_lo = std::max(new_lo, depths[i] + 1);
    lo = new_lo;
    hi = new_hi;
  }
  return lo;
}

std::optional<MinDepths> find_min_depths(const sdpa::AttentionConfig& config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const MinDepthOptions& options) {
  sdpa::AttentionConfig preset = config;
  preset.unbounded = false;
  preset.depths.clear();
  sdpa::AttentionConfig unbounded = preset;
  unbounded.unbounded = true;

  MinDepths result;
  const sdpa::AttentionRun base = sdpa::simulate_attention(unbounded, inputs);
  result.runs = 1;
  if (!base.run.ok())
    throw std::runtime_error("the run with every FIFO unbounded did not complete: " +
                             base.run.describe_problem());
  result.ideal_cycles = base.ideal_cycles;
  result.unbounded_cycles = base.run.elapsed_cycles;
  const bool bounded =
      preset_suffices(preset, inputs, options, result.unbounded_cycles, result.runs);

  std::vector<FifoTask> tasks = make_tasks(preset, base, bounded, options.fifos);
  // Threads the FIFOs leave idle (a naive graph searches one) probe several depths per round.
  const unsigned threads = pool_size(options.probe_threads);
  const unsigned per_round = std::max<unsigned>(1, threads / static_cast<unsigned>(tasks.size()));
  run_tasks(tasks, threads, [&](FifoTask& t) {
    t.depth = search_fifo(unbounded, inputs, t.fifo, t.upper, result.unbounded_cycles,
                          options.stop, &t.probes, per_round);
  });
  sdpa::AttentionConfig together = preset;
  for (const FifoTask& t : tasks) {
    if (!t.depth) return std::nullopt;
    result.depth[t.fifo] = *t.depth;
    together.depths[t.fifo] = *t.depth;
    result.runs += t.probes;
  }
  if (options.stop && options.stop()) return std::nullopt;
  const sdpa::AttentionRun r = sdpa::simulate_attention(together, inputs);
  ++result.runs;
  result.cycles_with_min_depths = r.run.ok() ? r.run.elapsed_cycles : 0;
  return result;
}

}  // namespace dfsim::experiments
