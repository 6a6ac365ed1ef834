// The depth-throughput curve (depth_curve.hpp): its depths, and its runs against the minimal
// depth the search finds (naive, N = 64, spatial-calibrated: the long FIFO's minimum is 80,
// sweep_test.cpp).
#include "dfsim/experiments/depth_curve.hpp"

#include <gtest/gtest.h>

#include "dfsim/experiments/sweep.hpp"

namespace dfsim::experiments {
namespace {

TEST(DepthCurveDepths, AQuarterToOneAndAHalfTimesTheReferenceWithTheKnee) {
  // 80 x (0.25 + 1.25 i / 7), rounded: 20, 34, 49, 63, 77, 91, 106, 120; and 79, 80.
  EXPECT_EQ(curve_depths(80, 8),
            (std::vector<std::uint64_t>{20, 34, 49, 63, 77, 79, 80, 91, 106, 120}));
  EXPECT_EQ(curve_depths(2, 4), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(curve_depths(0, 1), (std::vector<std::uint64_t>{1}));
}

// Below the minimum the naive graph either deadlocks (far below: the long FIFO cannot hold a
// row) or runs longer; at the minimum and above it takes the unbounded cycles.
TEST(DepthCurveRuns, NaiveLongFifoAroundItsMinimum) {
  sdpa::AttentionConfig config{.variant = sdpa::Variant::naive, .n = 64,
                               .preset = sdpa::Preset::spatial_calibrated};
  const std::vector<sdpa::Tensors> inputs = {sdpa::random_tensors(64, 1, 1)};
  const PointResult point = run_point({.variant = sdpa::Variant::naive, .n = 64});
  const Cycle unbounded = point.row.min_depth_run->unbounded_cycles;
  DepthCurve c = depth_curve(config, inputs, "long", {16, 79, 80, 120});
  EXPECT_EQ(c.fifo, "long");
  ASSERT_EQ(c.points.size(), 4u);
  EXPECT_EQ(c.points[0].status, "deadlock");
  EXPECT_EQ(c.points[0].throughput, 0);
  EXPECT_EQ(c.points[1].status, "completed");
  EXPECT_GT(c.points[1].cycles, unbounded);
  EXPECT_EQ(c.points[2].cycles, unbounded);
  EXPECT_EQ(c.points[3].cycles, unbounded);
  EXPECT_DOUBLE_EQ(c.points[2].throughput, 2.0 * 64 * 64 / static_cast<double>(unbounded));
}

TEST(DepthCurveRuns, TheSweepsFourthStageFillsTheRow) {
  PointResult r = run_point({.variant = sdpa::Variant::naive, .n = 64}, {.depth_curve = 8});
  EXPECT_EQ(r.row.runs_done, "preset;unbounded;min-depths;depth-curve");
  ASSERT_TRUE(r.row.depth_curve.has_value());
  EXPECT_EQ(r.row.depth_curve->fifo, "long");
  EXPECT_EQ(r.row.depth_curve->points.size(), 10u);  // curve_depths(80, 8)
  const Row back = row_from_json(to_json(r.row));
  ASSERT_TRUE(back.depth_curve.has_value());
  EXPECT_EQ(back.depth_curve->points[6].depth, 80u);
  EXPECT_EQ(back.depth_curve->points[6].cycles, r.row.min_depth_run->unbounded_cycles);
}

}  // namespace
}  // namespace dfsim::experiments
