// The depth-throughput curve of one FIFO (depth_curve.hpp).
#include "dfsim/experiments/depth_curve.hpp"

#include <algorithm>
#include <cmath>

namespace dfsim::experiments {

std::vector<std::uint64_t> curve_depths(std::uint64_t reference, std::size_t count) {
  const double r = static_cast<double>(std::max<std::uint64_t>(reference, 1));
  std::vector<std::uint64_t> depths = {std::max<std::uint64_t>(reference, 1),
                                       std::max<std::uint64_t>(reference, 2) - 1};
  for (std::size_t i = 0; i < count; ++i) {
    const double f = count == 1 ? 0.25 : 0.25 + 1.25 * static_cast<double>(i) / static_cast<double>(count - 1);
    depths.push_back(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(r * f))));
  }
  std::sort(depths.begin(), depths.end());
  depths.erase(std::unique(depths.begin(), depths.end()), depths.end());
  return depths;
}

DepthCurve depth_curve(const sdpa::AttentionConfig& config, const std::vector<sdpa::Tensors>& inputs,
                       const std::string& fifo, const std::vector<std::uint64_t>& depths) {
  DepthCurve curve{.fifo = fifo};
  for (std::uint64_t depth : depths) {
    sdpa::AttentionConfig c = config;
    c.depths[fifo] = depth;
    const sdpa::AttentionRun r = sdpa::simulate_attention(c, inputs);
    curve.points.push_back({.depth = depth,
                            .status = std::string(to_string(r.run.status)),
                            .cycles = r.run.elapsed_cycles,
                            .throughput = r.run.ok() ? r.throughput : 0});
  }
  return curve;
}

}  // namespace dfsim::experiments
