// Grouped-query and multi-query attention: H query heads read H_kv K/V streams, each stream's K
// and V memories fanning out to its H / H_kv heads. Outputs against the reference with the
// right K/V head; cycles and FIFO peaks against independent heads given the same tensors
// (every head of a stream runs in step with the others, so the fan-out never waits);
// one K and one V memory per stream.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

// Head h: its own Q (seed 10 + h), the K and V of head h - h mod (heads / kv_heads).
std::vector<Tensors> grouped_inputs(std::size_t n, std::size_t d, unsigned heads, unsigned kv_heads) {
  std::vector<Tensors> in;
  const unsigned per_stream = heads / kv_heads;
  for (unsigned h = 0; h < heads; ++h) {
    in.push_back(random_tensors(n, d, 10 + h));
    if (h % per_stream == 0) continue;
    in.back().k = in[h - h % per_stream].k;
    in.back().v = in[h - h % per_stream].v;
  }
  return in;
}

TEST(GroupedQuery, EachHeadMatchesTheReferenceWithItsStreamsKAndV) {
  const std::size_t n = 24;
  for (std::size_t d : {1, 3})
    for (unsigned kv : {1u, 2u}) {
      const std::vector<Tensors> in = grouped_inputs(n, d, 4, kv);
      for (Variant v : all_variants()) {
        AttentionRun r = simulate_attention({.variant = v, .n = n, .d = d, .heads = 4, .kv_heads = kv}, in);
        ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
        for (unsigned h = 0; h < 4; ++h) {
          // Head h's reference, from its Q and the K and V of head h - h mod (4 / kv).
          Tensors t = in[h];
          t.k = in[h - h % (4 / kv)].k;
          t.v = in[h - h % (4 / kv)].v;
          const std::vector<double> ref = reference_attention(t);
          ASSERT_EQ(r.outputs[h].size(), ref.size());
          for (std::size_t i = 0; i < ref.size(); ++i)
            EXPECT_NEAR(r.outputs[h][i], ref[i], 1e-12) << to_string(v) << " head " << h;
        }
      }
    }
}

// Every head's k and v FIFOs are fed by its stream's memory at the same cycles an own memory
// would feed them, and every head consumes in step: cycles, outputs and each FIFO's elements
// and peak are those of independent heads. With lanes, each lane's K and V memories of a stream
// fan out to that lane of each of its heads.
TEST(GroupedQuery, CyclesAndFifoPeaksEqualIndependentHeads) {
  const std::size_t n = 32;
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Causal c : {Causal::none, Causal::skip})
      for (unsigned lanes : {1u, 3u})
      for (Variant v : all_variants()) {
        const std::vector<Tensors> in = grouped_inputs(n, 1, 4, 2);
        AttentionConfig config{.variant = v, .n = n, .preset = p, .heads = 4, .causal = c, .lanes = lanes};
        AttentionRun independent = simulate_attention(config, in);
        config.kv_heads = 2;
        AttentionRun grouped = simulate_attention(config, in);
        ASSERT_TRUE(grouped.run.ok()) << grouped.run.describe_problem();
        EXPECT_EQ(grouped.run.elapsed_cycles, independent.run.elapsed_cycles) << to_string(v) << " L=" << lanes;
        EXPECT_LT(grouped.max_abs_error, 1e-12) << to_string(v) << " L=" << lanes;
        EXPECT_EQ(grouped.outputs, independent.outputs);
        EXPECT_EQ(grouped.intermediate_memory_elements, independent.intermediate_memory_elements);
        ASSERT_EQ(grouped.fifos.size(), independent.fifos.size());
        for (std::size_t f = 0; f < grouped.fifos.size(); ++f) {
          EXPECT_EQ(grouped.fifos[f].name, independent.fifos[f].name);
          EXPECT_EQ(grouped.fifos[f].elements, independent.fifos[f].elements) << grouped.fifos[f].name;
          EXPECT_EQ(grouped.fifos[f].peak_occupancy, independent.fifos[f].peak_occupancy)
              << grouped.fifos[f].name;
        }
      }
}

// Multi-query: one K and one V memory ("kv0.k_source", "kv0.v_source") in place of one per
// head, each writing N^2 keys to every one of the 3 heads' k (v) FIFOs.
TEST(GroupedQuery, OneSharedKAndVMemoryPerStream) {
  const std::size_t n = 16;
  AttentionRun r = simulate_attention({.variant = Variant::reordered_stable, .n = n, .heads = 3, .kv_heads = 1},
                                      grouped_inputs(n, 1, 3, 1));
  AttentionRun independent = simulate_attention(
      {.variant = Variant::reordered_stable, .n = n, .heads = 3}, grouped_inputs(n, 1, 3, 1));
  ASSERT_TRUE(r.run.ok());
  std::size_t k_sources = 0, v_sources = 0;
  for (const ContextStats& c : r.run.contexts) {
    k_sources += c.name.ends_with("k_source");
    v_sources += c.name.ends_with("v_source");
  }
  EXPECT_EQ(k_sources, 1u);
  EXPECT_EQ(v_sources, 1u);
  EXPECT_NO_THROW((void)r.run.context("kv0.k_source"));
  // It finishes when each head's own would have.
  for (const char* memory : {"k_source", "v_source"})
    EXPECT_EQ(r.run.context(std::string("kv0.") + memory).final_clock,
              independent.run.context(std::string("head2.") + memory).final_clock);
  for (unsigned h = 0; h < 3; ++h)
    for (const char* fifo : {".k", ".v"})
      for (const FifoStats& f : r.fifos)
        if (f.name == "head" + std::to_string(h) + fifo) {
          EXPECT_EQ(f.elements, n * n) << f.name;
        }
}

// Lanes of a shared stream: one K and one V memory per stream and lane ("kv0.lane2.k_source"),
// each writing its lane's keys, ceil(N / L) a row, to that lane of every head.
TEST(GroupedQuery, OneSharedMemoryPerStreamAndLane) {
  const std::size_t n = 16;
  AttentionRun r = simulate_attention(
      {.variant = Variant::naive, .n = n, .heads = 2, .kv_heads = 1, .lanes = 4}, grouped_inputs(n, 1, 2, 1));
  ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
  std::size_t k_sources = 0;
  for (const ContextStats& c : r.run.contexts) k_sources += c.name.ends_with("k_source");
  EXPECT_EQ(k_sources, 4u);
  EXPECT_NO_THROW((void)r.run.context("kv0.lane3.k_source"));
  for (const FifoStats& f : r.fifos)
    if (f.name == "head1.lane2.k") {
      EXPECT_EQ(f.elements, n * (n / 4));
    }
}

TEST(GroupedQuery, BadGroupingSaysWhatToGive) {
  try {
    resolve({.n = 8, .heads = 4, .kv_heads = 3});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "kv_heads = 3 does not divide heads = 4: each K/V stream serves the same number "
                 "of query heads; give a divisor of heads (1: multi-query, heads: independent "
                 "heads)");
  }
  EXPECT_THROW(resolve({.n = 8, .heads = 2, .kv_heads = 4}), std::invalid_argument);
  // Head 1 shares head 0's stream but was given its own K.
  try {
    simulate_attention({.n = 8, .heads = 2, .kv_heads = 1},
                       {random_tensors(8, 1, 1), random_tensors(8, 1, 2)});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "simulate_attention: head 1 shares the K/V stream of head 0 (heads = 2, kv_heads "
                 "= 1) but holds other K or V: give it that head's K and V");
  }
}

}  // namespace
}  // namespace dfsim::sdpa
