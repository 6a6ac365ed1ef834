// The references a run is checked against, computed beside the run (sdpa/src/reference.hpp;
// "Threads" in the suite name: the sanitize script runs it under ThreadSanitizer):
// the same values on the second thread as on the caller's, a stop that gives up, and a run's
// max_abs_error the same whichever way its references were computed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stop_token>
#include <vector>

#include "dfsim/sdpa/attention.hpp"
#include "reference.hpp"

namespace dfsim::sdpa {
namespace {

std::vector<Tensors> heads_for_references() {
  return {random_tensors(24, 3, 1), random_tensors(24, 3, 2), random_tensors(24, 3, 3)};
}

TEST(ReferenceThreads, InTheBackgroundTheSameAsComputedWhenAsked) {
  const std::vector<Tensors> in = heads_for_references();
  for (bool causal : {false, true}) {
    detail::References background(in, causal, /*background=*/true);
    detail::References asked(in, causal, /*background=*/false);
    for (unsigned h = 0; h < in.size(); ++h) {
      const std::vector<double> expected = reference_attention(in[h], causal);
      EXPECT_EQ(background.of(h), expected) << "head " << h << (causal ? ", causal" : "");
      EXPECT_EQ(asked.of(h), expected) << "head " << h << (causal ? ", causal" : "");
    }
  }
}

TEST(ReferenceThreads, AskedInAnyOrderAndAgain) {
  const std::vector<Tensors> in = heads_for_references();
  detail::References refs(in, false, /*background=*/true);
  const std::vector<double> last = refs.of(2);
  EXPECT_EQ(refs.of(0), reference_attention(in[0]));
  EXPECT_EQ(refs.of(2), last);
  EXPECT_EQ(last, reference_attention(in[2]));
}

TEST(ReferenceThreads, AStopRequestedGivesUpAtTheNextRow) {
  const Tensors t = random_tensors(16, 2, 5);
  std::stop_source stop;
  EXPECT_EQ(detail::reference_attention(t, false, stop.get_token()), reference_attention(t));
  stop.request_stop();
  EXPECT_TRUE(detail::reference_attention(t, false, stop.get_token()).empty());
}

// On one thread the references come from the background; on two they are computed after the
// run on the caller's thread. Both runs report the same error, the largest difference from the
// reference over every head.
TEST(ReferenceThreads, MaxAbsErrorTheSameOnOneThreadAndTwo) {
  const std::vector<Tensors> in = heads_for_references();
  const AttentionConfig c{.variant = Variant::reordered_stable, .n = 24, .d = 3,
                          .precision = Precision::fp32, .heads = 3};
  double worst = 0;
  const AttentionRun one = simulate_attention(c, in, {.threads = 1});
  for (unsigned h = 0; h < in.size(); ++h) {
    const std::vector<double> ref = reference_attention(in[h]);
    for (std::size_t i = 0; i < ref.size(); ++i)
      worst = std::max(worst, std::fabs(one.outputs[h][i] - ref[i]));
  }
  EXPECT_GT(worst, 0.0) << "fp32 rounding makes the outputs differ from the fp64 reference";
  EXPECT_EQ(one.max_abs_error, worst);
  EXPECT_EQ(simulate_attention(c, in, {.threads = 2}).max_abs_error, worst);
}

}  // namespace
}  // namespace dfsim::sdpa
