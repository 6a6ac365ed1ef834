// docs/sdpa.md's first example: one attention head simulated, then its FIFOs' minimal depths.
#include <iostream>

#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/sdpa/attention.hpp"

int main() {
  using namespace dfsim::sdpa;
  AttentionConfig c{.variant = Variant::naive, .n = 256, .preset = Preset::spatial_calibrated};
  AttentionRun r = simulate_attention(c, {random_tensors(256, 1, /*seed=*/1)});
  // r.run.elapsed_cycles, r.ideal_cycles, r.throughput, r.intermediate_memory_elements,
  // r.fifos (capacity, peak occupancy of each), r.max_abs_error, r.non_finite
  // The min-depth search lives in the experiments layer (dfsim/experiments/min_depth.hpp):
  auto m = dfsim::experiments::find_min_depths(c, {random_tensors(256, 1, 1)});
  // m->depth["long"] == 272: N + 16
  std::cout << r.run.elapsed_cycles << " cycles, ideal " << r.ideal_cycles << ", long needs "
            << m->depth["long"] << "\n";
  return 0;
}
