#pragma once
// The min-depth search: the smallest depth of each FIFO that keeps the cycles of the run with
// every FIFO unbounded. Each FIFO is searched alone (the others unbounded) by bisection,
// because deeper never slows a graph down; then all the minima are run together.
//
//   MinDepths m = *find_min_depths(setup.config, setup.inputs);   // every FIFO, all cores
//   // naive, N = 64, spatial-calibrated: m.depth["long"] == 80
//
// Each FIFO's bisection is an independent task of probes, and a probe is a plain function of
// (config, inputs, fifo, depth, target cycles): the searches run on a small pool of threads
// (MinDepthOptions::probe_threads), and could as well run anywhere else. The search is bounded
// on both sides of the time it takes:
//   - the upper end of a bisection is the FIFO's peak occupancy in the unbounded run (a depth
//     at or above it never makes its sender wait), or the preset's depth when the run at the
//     preset's depths already takes the unbounded cycles (deeper never slows a graph down, so
//     that FIFO at its preset depth and the others unbounded takes them too);
//   - a probe stops as soon as its clock passes the target cycles (RunOptions::cycle_limit):
//     it cannot match any more. A depth that deadlocks stops when the graph does.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/engine/run.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

// Which FIFOs are searched.
enum class FifoSelection {
  all,           // every FIFO of the variant
  claims,        // what the sweep's claims are about: the naive graphs' long FIFOs, every
                 // FIFO of the reordered graphs (the others keep the preset's depth)
};

struct MinDepthOptions {
  FifoSelection fifos = FifoSelection::all;
  // Bound each bisection by the preset's depth when the run at the preset's depths takes the
  // unbounded cycles. That run's cycles, when the caller has them (a sweep's run 1); otherwise
  // the search runs it itself (one run more, many fewer probes).
  bool preset_bound = true;
  std::optional<Cycle> preset_cycles;
  // Threads running FIFOs' searches at once (threads beyond the FIFOs' count probe several
  // depths of one FIFO per round: search_fifo); 0: one per hardware thread. The depths do not
  // depend on it; `runs` may.
  unsigned probe_threads = 0;
  // Asked before each probe: true stops the search (find_min_depths returns nullopt).
  std::function<bool()> stop;
};

// One probe: `fifo` (a role name, every head) at `depth`, the other FIFOs as `config` has them
// (the search passes every other FIFO unbounded). Stopped at the target cycles.
struct ProbeOutcome {
  RunStatus status = RunStatus::completed;  // cycle_limit: it passed the target
  Cycle cycles = 0;      // when the run stopped
  bool matches = false;  // completed in exactly the target cycles
};
ProbeOutcome probe(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                   const std::string& fifo, std::uint64_t depth, Cycle target_cycles);

// One FIFO's bisection as rounds, whoever runs the probes: search_fifo on threads,
// dfsim.distributed as Dask tasks. A round's k depths are probed at once (k > 1: a (k+1)-ary
// search, fewer rounds and more probes; the same depth in the end).
//   FifoSearch s(upper);
//   while (!s.done()) {
//     std::vector<std::uint64_t> depths = s.next(2);
//     std::vector<bool> matches;
//     for (auto d : depths) matches.push_back(probe(config, inputs, "long", d, target).matches);
//     s.record(depths, matches);
//   }
//   std::uint64_t depth = s.depth();
class FifoSearch {
 public:
  explicit FifoSearch(std::uint64_t upper);  // `upper` is known to match
  bool done() const { return lo_ >= hi_; }
  // The depths of the next round: k evenly spaced in what is left, or all of it when no more.
  std::vector<std::uint64_t> next(unsigned k) const;
  // What the probes of next()'s depths gave (in its order).
  void record(const std::vector<std::uint64_t>& depths, const std::vector<bool>& matches);
  std::uint64_t depth() const { return hi_; }  // the smallest match, once done()

 private:
  std::uint64_t lo_ = 1, hi_ = 1;
};

// The smallest depth in [1, upper] whose probe matches (`upper` must), by FifoSearch rounds of
// `probes_per_round` probes on as many threads; nullopt if `stop` said so. `runs`, if given,
// counts the probes. find_min_depths gives each FIFO the threads the others leave idle.
std::optional<std::uint64_t> search_fifo(const sdpa::AttentionConfig& unbounded_config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const std::string& fifo, std::uint64_t upper,
                                         Cycle target_cycles,
                                         const std::function<bool()>& stop = {},
                                         std::size_t* runs = nullptr,
                                         unsigned probes_per_round = 1);

struct MinDepths {
  Cycle ideal_cycles = 0;  // II_max x N^2 (sdpa::AttentionRun::ideal_cycles)
  Cycle unbounded_cycles = 0;
  std::map<std::string, std::uint64_t> depth;  // by FIFO role name, the searched ones
  // The searched FIFOs at their minimum, the others at the preset's depth; 0 if that run
  // did not complete.
  Cycle cycles_with_min_depths = 0;
  std::size_t runs = 0;  // simulations in all: unbounded, preset (if run), probes, together
};

// config.depths and config.unbounded are ignored. Throws std::runtime_error when the
// all-unbounded run does not complete, std::invalid_argument for a config that cannot run.
std::optional<MinDepths> find_min_depths(const sdpa::AttentionConfig& config,
                                         const std::vector<sdpa::Tensors>& inputs,
                                         const MinDepthOptions& options = {});

// find_min_depths in three parts, for an executor that runs each FIFO's search itself
// (dfsim.distributed: a probe per Dask task):
//   SearchStart s = start_search(config, inputs, options);      // the unbounded run
//   for (const FifoBound& f : s.fifos) ...                       // FifoSearch(f.upper), probes of
//                                                                // search_config(config), or:
//   std::optional<FoundDepths> found = search_fifos(config, inputs, s, options);  // on threads
//   MinDepths m = end_search(config, inputs, s, depths, probes); // the minima together
struct FifoBound {
  std::string fifo;
  std::uint64_t upper = 1;  // where its search starts: known to match
};
struct SearchStart {
  Cycle ideal_cycles = 0;
  Cycle unbounded_cycles = 0;  // the probes' target
  std::vector<FifoBound> fifos;  // the searched ones, the longest searches first
  std::size_t runs = 0;          // simulations so far
};
SearchStart start_search(const sdpa::AttentionConfig& config,
                         const std::vector<sdpa::Tensors>& inputs, const MinDepthOptions& options);
// Every FIFO's search of `start`, options.probe_threads at a time (threads beyond the FIFOs'
// count probe several depths per round); nullopt if options.stop said so.
struct FoundDepths {
  std::map<std::string, std::uint64_t> depths;
  std::size_t probes = 0;
};
std::optional<FoundDepths> search_fifos(const sdpa::AttentionConfig& config,
                                        const std::vector<sdpa::Tensors>& inputs,
                                        const SearchStart& start, const MinDepthOptions& options);
// The config a probe changes one FIFO of: the preset's timing, every FIFO unbounded.
sdpa::AttentionConfig search_config(const sdpa::AttentionConfig& config);
// `depths`: every FIFO of start.fifos; `probes`: how many probes the searches took.
MinDepths end_search(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                     const SearchStart& start, const std::map<std::string, std::uint64_t>& depths,
                     std::size_t probes);
nlohmann::ordered_json to_json(const SearchStart& start);
SearchStart search_start_from_json(const nlohmann::ordered_json& j);

// The FIFO roles `selection` searches in a config's graph, in graph order (sdpa::fifo_names:
// with lanes, the lanes' own FIFOs too).
std::vector<std::string> searched_fifos(const sdpa::AttentionConfig& config, FifoSelection selection);

// About how many runs find_min_depths makes, the one estimate of its work (the sweep orders its
// points by it, the command line's note before a long search tells it): its unbounded run and
// the run with every minimum, and a bisection per searched FIFO up to its peak: about
// log2(N + 16) probes for a long FIFO, whose peak is N plus the units' latency past a row, and
// a probe or so for the others, whose peaks are small constants.
double expected_min_depth_runs(const sdpa::AttentionConfig& config, FifoSelection selection);

}  // namespace dfsim::experiments
