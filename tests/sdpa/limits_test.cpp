// What a run costs, known before it starts: sizes that cannot fit in memory are refused by
// resolve() (so by simulate_attention too) before anything is allocated, and the work
// estimates behind the long-run note count what a run moves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

using ::testing::HasSubstr;

std::string limit_error(const AttentionConfig& c) {
  try {
    resolve(c);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

constexpr unsigned kMostHeads = std::numeric_limits<unsigned>::max();

TEST(MemoryLimit, EveryHeadTheUnsignedCanHoldIsTooMany) {
  std::string e = limit_error({.variant = Variant::naive, .n = 2, .heads = kMostHeads});
  EXPECT_THAT(e, HasSubstr("4294967295 heads need at least"));
  EXPECT_THAT(e, HasSubstr("of memory"));
  EXPECT_THAT(e, HasSubstr("more than this machine's"));
  EXPECT_THAT(e, HasSubstr("give at most"));
  EXPECT_THAT(e, HasSubstr("heads at this N and d"));
}

TEST(MemoryLimit, HugeDSaysHowLargeDMayBe) {
  std::string e = limit_error({.variant = Variant::naive, .n = 4, .d = 1'000'000'000'000});
  EXPECT_THAT(e, HasSubstr("N = 4 and d = 1000000000000 need at least 160 TB"));
  EXPECT_THAT(e, HasSubstr("give d at most"));
}

// 2^20 x 2^44 is 2^64: in 64 bits it wraps to 0, and the run would allocate nothing, or crash.
TEST(MemoryLimit, NTimesDThatWrapsIsRefused) {
  const std::size_t n = std::size_t{1} << 20, d = std::size_t{1} << 44;
  EXPECT_GT(minimum_memory_bytes(n, d, 1), 1e20);
  EXPECT_THAT(limit_error({.variant = Variant::reordered_stable, .n = n, .d = d}),
              HasSubstr("give d at most"));
}

// simulate_attention resolves first: the refusal comes before the tensors are checked or any
// graph is built.
TEST(MemoryLimit, SimulateRefusesBeforeLookingAtTheInputs) {
  AttentionConfig c{.variant = Variant::naive, .n = 2, .heads = kMostHeads};
  try {
    simulate_attention(c, {});
    FAIL() << "4294967295 heads were simulated";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("of memory"));
  }
}

TEST(MemoryLimit, OrdinarySizesPass) {
  EXPECT_NO_THROW(check_memory(65536, 64, 1));
  EXPECT_NO_THROW(check_memory(1024, 64, 64));
  // Q, K, V, outputs and reference: 5 values of 8 bytes for each of the N x d.
  EXPECT_GE(minimum_memory_bytes(1000, 10, 3), 3 * 5 * 8 * 1000 * 10.0);
}

// key_loop_fifos is a list of names; a run says which FIFOs carry N^2 elements.
TEST(AttentionWork, KeyLoopFifosAreThoseCarryingNSquared) {
  const std::uint64_t n = 8;
  for (Variant v : all_variants()) {
    SCOPED_TRACE(std::string(to_string(v)));
    AttentionConfig c{.variant = v, .n = n};
    AttentionRun r = simulate_attention(c, {random_tensors(n, 1, 1)});
    ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
    std::size_t squared = 0;
    for (const auto& f : r.fifos) {
      EXPECT_TRUE(f.elements == n * n || f.elements == n) << f.name << ": " << f.elements;
      squared += f.elements == n * n;
    }
    EXPECT_EQ(key_loop_fifos(v), squared);
  }
}

// With lanes the keys are shared out, but every lane has its own per-row FIFOs and the merges
// write theirs: reordered-stable, N = 64, L = 4 moves 8 key-loop roles x 4 lanes x 64 x 16
// keys, and per row a q, max, sum and acc per lane, 8 merge outputs and the output: the
// estimate counts those within its per-lane constant.
TEST(AttentionWork, LanesCountTheirOwnFifos) {
  AttentionConfig c{.variant = Variant::reordered_stable, .n = 64, .lanes = 4};
  AttentionRun r = simulate_attention(c, {random_tensors(64, 1, 1)});
  ASSERT_TRUE(r.run.ok());
  double moved = 0;
  for (const auto& f : r.fifos) moved += static_cast<double>(f.elements);
  EXPECT_EQ(moved, 8 * 4 * 64 * 16 + 64 * (4 * 4 + 8 + 1));
  const double estimated = estimate_work(c).elements;
  EXPECT_GT(estimated, moved);
  EXPECT_LT(estimated, moved + 4 * 10000.0);
  EXPECT_EQ(fifo_names(AttentionConfig{.variant = Variant::reordered_stable, .lanes = 2}),
            (std::vector<std::string>{"q", "k", "v", "scores", "lane_scores", "delta_sum", "c_sum",
                                      "delta_acc", "c_acc", "max", "sum", "acc", "out"}));
}

// Within the per-head constant, the estimate's elements are the run's.
TEST(AttentionWork, ElementsAreTheRunsPlusAConstantPerHead) {
  AttentionConfig c{.variant = Variant::naive, .n = 64, .heads = 2};
  AttentionRun r = simulate_attention(c, {random_tensors(64, 1, 1), random_tensors(64, 1, 2)});
  double moved = 0;
  for (const auto& f : r.fifos) moved += static_cast<double>(f.elements);
  const double estimated = estimate_work(c).elements;
  EXPECT_GT(estimated, moved);
  EXPECT_LT(estimated, moved + 2 * 10000.0);
}

// The case: N = 1,048,576 was about 29 hours with no word.
TEST(AttentionWork, TheLongestSequenceIsADayOrMore) {
  const double seconds =
      estimate_work({.variant = Variant::reordered_stable, .n = kMaxSequenceLength}).seconds();
  EXPECT_GT(seconds, 20 * 3600.0);
  EXPECT_LT(seconds, 60 * 3600.0);
}

TEST(AttentionWork, GrowsAsNSquaredAndWithDHeadsAndUnboundedFifos) {
  const AttentionConfig c{.variant = Variant::naive, .n = 4096};
  const double base = estimate_work(c).seconds();
  AttentionConfig twice_n = c;
  twice_n.n *= 2;
  EXPECT_NEAR(estimate_work(twice_n).seconds() / base, 4.0, 0.01);
  AttentionConfig wide = c;
  wide.d = 64;
  EXPECT_GT(estimate_work(wide).seconds(), 1.5 * base);
  AttentionConfig heads = c;
  heads.heads = 8;
  EXPECT_NEAR(estimate_work(heads).seconds() / base, 8.0, 0.01);
  AttentionConfig unbounded = c;
  unbounded.unbounded = true;
  EXPECT_GT(estimate_work(unbounded).seconds(), 1.5 * base);
  // The speed measured at N = 4096: a run there is seconds, not minutes.
  EXPECT_LT(base, 10.0);
  EXPECT_GT(base, 0.5);
}

}  // namespace
}  // namespace dfsim::sdpa
