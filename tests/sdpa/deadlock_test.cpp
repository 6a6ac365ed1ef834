// A naive long FIFO shallower than a row deadlocks: the divide waits for a row sum that needs
// the whole row, which cannot get past the full long FIFO. The engine reports it; the run
// comes back with status deadlock, never an exception or a hang.
#include <gtest/gtest.h>

#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

const BlockedContext* blocked(const RunResult& r, const std::string& context) {
  for (const auto& b : r.deadlock->blocked)
    if (b.context == context) return &b;
  return nullptr;
}

TEST(Deadlock, NaiveLongFifoShallowerThanARow) {
  const std::size_t n = 32;
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated}) {
    AttentionConfig c{.variant = Variant::naive, .n = n, .preset = p, .depths = {{"long", n - 1}}};
    AttentionRun r;
    ASSERT_NO_THROW(r = simulate_attention(c, {random_tensors(n, 1, 1)}));
    ASSERT_EQ(r.run.status, RunStatus::deadlock);
    ASSERT_TRUE(r.run.deadlock.has_value());
    // The QK unit cannot write: its fan-out waits for credit on the full long FIFO.
    const BlockedContext* qk = blocked(r.run, "qk");
    ASSERT_NE(qk, nullptr) << r.run.describe_problem();
    EXPECT_EQ(qk->operation, "fan-out credit");
    EXPECT_EQ(qk->channel, "long");
    EXPECT_NE(qk->channel_state.find("full"), std::string::npos);
    EXPECT_EQ(qk->other_end, "divide");
    // The divide waits for the row sum, which waits for the rest of the row.
    const BlockedContext* divide = blocked(r.run, "divide");
    ASSERT_NE(divide, nullptr);
    EXPECT_EQ(divide->channel, "sum");
    EXPECT_EQ(divide->channel_state, "empty");
    const BlockedContext* row_sum = blocked(r.run, "row_sum");
    ASSERT_NE(row_sum, nullptr);
    EXPECT_EQ(row_sum->channel, "short");
    EXPECT_NE(r.run.describe_problem().find("qk at cycle"), std::string::npos);
    // No output row was produced; nothing to compare, nothing non-finite.
    EXPECT_TRUE(r.outputs.at(0).empty());
    EXPECT_EQ(r.throughput, 0.0);
    EXPECT_FALSE(r.non_finite);
  }
}

TEST(Deadlock, ARowDeepLongFifoCompletes) {
  const std::size_t n = 32;
  AttentionRun r = simulate_attention({.variant = Variant::naive, .n = n, .depths = {{"long", n}}},
                                      {random_tensors(n, 1, 1)});
  EXPECT_TRUE(r.run.ok()) << r.run.describe_problem();
}

TEST(Deadlock, NaiveStableEitherLongFifo) {
  const std::size_t n = 24;
  for (const char* fifo : {"max_long", "long"}) {
    AttentionRun r = simulate_attention(
        {.variant = Variant::naive_stable, .n = n, .preset = Preset::spatial_calibrated, .depths = {{fifo, n / 2}}},
        {random_tensors(n, 1, 1)});
    EXPECT_EQ(r.run.status, RunStatus::deadlock) << fifo;
  }
}

TEST(Deadlock, WithSeveralHeadsTheReportNamesTheHead) {
  const std::size_t n = 16;
  AttentionRun r = simulate_attention(
      {.variant = Variant::naive, .n = n, .depths = {{"long", 4}}, .heads = 2},
      {random_tensors(n, 1, 1), random_tensors(n, 1, 2)});
  ASSERT_EQ(r.run.status, RunStatus::deadlock);
  const BlockedContext* qk = blocked(r.run, "head1.qk");
  ASSERT_NE(qk, nullptr) << r.run.describe_problem();
  EXPECT_EQ(qk->channel, "head1.long");
}

TEST(Deadlock, ReorderedNeverNeedsARowOfStorage) {
  // Depth 1 everywhere: slower, but it completes.
  const std::size_t n = 32;
  for (Variant v : {Variant::reordered, Variant::reordered_stable}) {
    AttentionConfig c{.variant = v, .n = n};
    for (const auto& f : fifo_names(v)) c.depths[f] = 1;
    AttentionRun r = simulate_attention(c, {random_tensors(n, 1, 1)});
    EXPECT_TRUE(r.run.ok()) << to_string(v) << ": " << r.run.describe_problem();
    EXPECT_LT(r.max_abs_error, 1e-12);
  }
}

}  // namespace
}  // namespace dfsim::sdpa
