// find_min_depths: for each FIFO, the smallest depth that keeps the cycle count of the run
// with every FIFO unbounded, searched with the others unbounded; then all of them together.
#include <algorithm>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {

MinDepths find_min_depths(const AttentionConfig& config, const std::vector<Tensors>& inputs) {
  AttentionConfig unbounded = config;
  unbounded.unbounded = true;
  unbounded.depths.clear();

  const AttentionRun base = simulate_attention(unbounded, inputs);
  if (!base.run.ok())
    throw std::runtime_error("find_min_depths: the run with every FIFO unbounded did not complete: " +
                             base.run.describe_problem());
  MinDepths result;
  result.unbounded_cycles = base.run.elapsed_cycles;

  for (const std::string& fifo : fifo_names(config.variant)) {
    // A depth of at least the peak occupancy never makes the sender wait: the run is the
    // unbounded one. Deeper never slows a graph down, so the search is a bisection.
    std::uint64_t peak = 1;
    for (const FifoStats& f : base.fifos)
      if (f.name == fifo || f.name.ends_with("." + fifo)) peak = std::max(peak, f.peak_occupancy);
    std::uint64_t lo = 1, hi = peak;  // hi is known to suffice
    while (lo < hi) {
      std::uint64_t mid = lo + (hi - lo) / 2;
      AttentionConfig probe = unbounded;
      probe.depths[fifo] = mid;
      AttentionRun r = simulate_attention(probe, inputs);
      if (r.run.ok() && r.run.elapsed_cycles == result.unbounded_cycles)
        hi = mid;
      else
        lo = mid + 1;
    }
    result.depth[fifo] = lo;
  }

  AttentionConfig all = config;
  all.unbounded = false;
  all.depths.clear();
  for (const auto& [fifo, depth] : result.depth) all.depths[fifo] = depth;
  AttentionRun together = simulate_attention(all, inputs);
  result.cycles_with_min_depths = together.run.ok() ? together.run.elapsed_cycles : 0;
  return result;
}

}  // namespace dfsim::sdpa
