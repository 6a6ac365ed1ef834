// Decode: B query rows, each against all N keys of a KV cache (B = 1: one new token). Outputs
// against the reference and against the same rows of a prefill, cycles per generated token,
// memory: O(N) for the naive graphs (a row of N scores) and O(1) for the reordered ones.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

TEST(Decode, RowsMatchTheReferenceAndTheSameRowsOfAPrefill) {
  const std::size_t n = 33;
  for (std::size_t d : {1, 4})
    for (std::size_t b : {1, 4}) {
      const Tensors prefill_in = random_tensors(n, d, 9);
      // The last b query rows, against the same cache.
      Tensors decode_in = prefill_in;
      decode_in.q.assign(prefill_in.q.end() - std::ptrdiff_t(b * d), prefill_in.q.end());
      for (Variant v : all_variants())
        for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated}) {
          AttentionRun full = simulate_attention({.variant = v, .n = n, .d = d, .preset = p}, {prefill_in});
          AttentionRun r = simulate_attention(
              {.variant = v, .n = n, .d = d, .preset = p, .decode_rows = b}, {decode_in});
          ASSERT_TRUE(r.run.ok()) << r.run.describe_problem();
          ASSERT_EQ(r.outputs[0].size(), b * d);
          EXPECT_LT(r.max_abs_error, 1e-12) << to_string(v);
          // The same operations in the same order as the prefill's last rows: bit-identical.
          const std::vector<double> last(full.outputs[0].end() - std::ptrdiff_t(b * d),
                                         full.outputs[0].end());
          EXPECT_EQ(r.outputs[0], last) << to_string(v) << " b=" << b;
        }
    }
}

// B rows of N keys: II_max B N keys' worth of steps. The pipeline is the prefill's (a N + b
// of cycles_test.cpp): the reordered graphs add their constant latency, a naive graph lags
// one row of N keys behind its row sum.
TEST(Decode, CyclesAreIIBNPlusThePrefillsOverhead) {
  struct Excess {
    Variant v;
    std::uint64_t unit_a, unit_b, cal_a, cal_b;
  };
  const Excess table[] = {{Variant::naive, 1, 3, 2, 52},
                          {Variant::naive_stable, 2, 4, 4, 81},
                          {Variant::reordered, 0, 3, 0, 43},
                          {Variant::reordered_stable, 0, 4, 0, 46}};
  for (const Excess& e : table)
    for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
      for (std::size_t b : {1, 8})
        for (std::size_t n : {16, 64}) {
          const bool cal = p == Preset::spatial_calibrated;
          const std::uint64_t ii = cal ? 2 : 1;
          AttentionRun r = simulate_attention({.variant = e.v, .n = n, .preset = p, .decode_rows = b},
                                              {random_tensors(n, 1, 1, 1.0, b)});
          ASSERT_TRUE(r.run.ok());
          EXPECT_EQ(r.ideal_cycles, ii * b * n);
          EXPECT_EQ(r.run.elapsed_cycles, ii * b * n + (cal ? e.cal_a : e.unit_a) * n + (cal ? e.cal_b : e.unit_b))
              << to_string(e.v) << " " << to_string(p) << " b=" << b << " n=" << n;
        }
}

TEST(Decode, NaiveHoldsARowOfTheCacheReorderedAConstant) {
  // One token, one-cycle preset, unbounded FIFOs: the naive long FIFO still holds all N scores.
  std::map<Variant, std::vector<std::uint64_t>> mem;
  const std::size_t sizes[] = {16, 64, 256};
  for (Variant v : all_variants())
    for (std::size_t n : sizes) {
      AttentionRun r = simulate_attention({.variant = v, .n = n, .unbounded = true, .decode_rows = 1},
                                          {random_tensors(n, 1, 1, 1.0, 1)});
      ASSERT_TRUE(r.run.ok());
      mem[v].push_back(r.intermediate_memory_elements);
    }
  for (int i = 1; i < 3; ++i) {
    const std::uint64_t dn = sizes[i] - sizes[i - 1];
    EXPECT_EQ(mem[Variant::naive][i] - mem[Variant::naive][i - 1], dn);
    EXPECT_EQ(mem[Variant::naive_stable][i] - mem[Variant::naive_stable][i - 1], 2 * dn);
    EXPECT_EQ(mem[Variant::reordered][i], mem[Variant::reordered][0]);
    EXPECT_EQ(mem[Variant::reordered_stable][i], mem[Variant::reordered_stable][0]);
  }
}

TEST(Decode, NotWithACausalMaskAndQMustHaveBRows) {
  try {
    resolve({.n = 8, .causal = Causal::mask, .decode_rows = 1});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "decode rows attend to every cached key: a causal mask applies to prefill; drop "
              "--causal, or --decode");
  }
  EXPECT_THROW(simulate_attention({.n = 8, .decode_rows = 2}, {random_tensors(8, 1, 1)}),
               std::invalid_argument);
  EXPECT_EQ(keys_streamed({.n = 100, .decode_rows = 3}), 300u);
  EXPECT_EQ(query_rows({.n = 100}), 100u);
}

}  // namespace
}  // namespace dfsim::sdpa
