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

// The smallest depth in [1, upper] whose probe matches (`upper` must), by bisection, or with
// `probes_per_round` k > 1 by a (k+1)-ary search whose k probes a round run on k threads
// (fewer rounds, more probes; the same depth); nullopt if `stop` said so. `runs`, if given,
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

// The FIFOs `selection` searches in `variant`, in graph order.
std::vector<std::string> searched_fifos(sdpa::Variant variant, FifoSelection selection);

// About how many runs find_min_depths makes, the one estimate of its work (the sweep orders its
// points by it, the command line's note before a long search tells it): its unbounded run and
// the run with every minimum, and a bisection per searched FIFO up to its peak: about
// log2(N + 16) probes for a long FIFO, whose peak is N plus the units' latency past a row, and
// a probe or so for the others, whose peaks are small constants.
double expected_min_depth_runs(sdpa::Variant variant, std::size_t n, FifoSelection selection);

}  // namespace dfsim::experiments
