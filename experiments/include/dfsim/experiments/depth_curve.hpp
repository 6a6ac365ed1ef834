#pragma once
// The depth-throughput curve of one FIFO: the graph at the preset's depths but that FIFO's,
// run at a range of its depths from well below the minimal one (where a naive graph
// deadlocks) to past it (full throughput). It tells an architect what a FIFO shallower than
// a row costs. A sweep draws it with `--depth-curve K` (sweep.hpp, PointOptions::depth_curve):
// for the naive graphs over their long FIFO, for the reordered graphs over their deepest.
//
//   auto depths = curve_depths(80, 8);     // {20, 34, 49, 63, 77, 79, 80, 91, 106, 120}
//   DepthCurve c = depth_curve(config, inputs, "long", depths);
//   // c.points[0]: {20, "deadlock", cycles, throughput 0}; c.points[6]: full throughput
#include <cstdint>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

struct DepthCurvePoint {
  std::uint64_t depth = 1;
  std::string status;     // completed, deadlock, failed (the run's)
  Cycle cycles = 0;       // when the run ended
  double throughput = 0;  // ideal / cycles when it completed, else 0
};

struct DepthCurve {
  std::string fifo;  // a role name: every head's FIFO of that role
  std::vector<DepthCurvePoint> points;  // by depth
};

// `count` depths evenly from a quarter of `reference` (the minimal depth, or a peak occupancy)
// to 1.5 times it, `reference` itself and the one below it added (the knee), without repeats,
// ascending, at least 1.
std::vector<std::uint64_t> curve_depths(std::uint64_t reference, std::size_t count);

// A run of `config` (the preset's depths) per depth, with `fifo` at that depth.
DepthCurve depth_curve(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                       const std::string& fifo, const std::vector<std::uint64_t>& depths);

}  // namespace dfsim::experiments
