// Causal attention's minimal depths (docs/sdpa.md, "Causal masking"), found by the one
// min-depth search: the naive long FIFO grows as N + c, the reordered graphs' stay constant.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {
namespace {

using namespace dfsim::sdpa;

TEST(CausalMinDepths, NaiveLongIsNPlusAConstantReorderedConstant) {
  for (Causal c : {Causal::mask, Causal::skip}) {
    std::int64_t extra = -1;
    std::map<std::string, std::uint64_t> reordered_first;
    // From N = 32 (at N = 16 skipping needs one slot less: its rows are short for longer).
    for (std::size_t n : {32, 64, 128}) {
      std::vector<Tensors> in{random_tensors(n, 1, 1)};
      AttentionConfig naive{.variant = Variant::naive, .n = n, .preset = Preset::spatial_calibrated, .causal = c};
      MinDepths m = *find_min_depths(naive, in);
      const std::int64_t e = std::int64_t(m.depth.at("long")) - std::int64_t(n);
      if (extra < 0) extra = e;
      EXPECT_EQ(e, extra) << to_string(c) << " n=" << n;
      // Measured: N + 16 masked (as without a mask: every key streams), N + 15 skipped.
      EXPECT_EQ(e, c == Causal::mask ? 16 : 15) << to_string(c);
      EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
      AttentionConfig rs = naive;
      rs.variant = Variant::reordered_stable;
      MinDepths r = *find_min_depths(rs, in);
      if (reordered_first.empty()) reordered_first = r.depth;
      EXPECT_EQ(r.depth, reordered_first) << to_string(c) << " n=" << n;
    }
  }
}

}  // namespace
}  // namespace dfsim::experiments
