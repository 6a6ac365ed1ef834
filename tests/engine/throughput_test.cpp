// docs/semantics.md, "Consequences worth a test each": full throughput with C = 2, L = 1, R = 1;
// half throughput with C = 1; a K-stage pipeline in T + K + const cycles for every C >= 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

class Throughput : public EveryExecutor {};

// Producer: push, advance 1. Consumer: pop, advance 1.
class ProducerConsumer : public EveryExecutor {
 protected:
  RunResult run_pc(std::uint64_t count, std::uint64_t capacity) {
    Program g;
    auto [tx, rx] = g.channel<int>("x", {.capacity = capacity, .latency = 1, .response_latency = 1});
    g.add("producer", record_pushes(count, writes, 1), std::move(tx));
    g.add("consumer", record_pop_clocks<int>(pops, 1), std::move(rx));
    return run(g);
  }
  std::vector<Cycle> writes, pops;
};

TEST_P(ProducerConsumer, CapacityTwoRunsAtFullThroughput) {
  for (std::uint64_t T : {1u, 2u, 10u, 1000u}) {
    SCOPED_TRACE("T=" + std::to_string(T));
    writes.clear();
    pops.clear();
    RunResult r = run_pc(T, 2);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    // w_k = k: for k >= 2, w_k = max(w_{k-1} + 1, f_{k-2}) = max(k, r_{k-2} + 1) = max(k, k).
    // r_k = max(r_{k-1} + 1, w_k + 1) = k + 1; f_k = k + 2.
    // The consumer returns at r_{T-1} + 1 = T + 1: T elements in T + 1 cycles (const = 1,
    // the one cycle of channel latency).
    for (std::uint64_t k = 0; k < T; ++k) {
      ASSERT_EQ(writes[k], k);
      ASSERT_EQ(pops[k], k + 1);
    }
    EXPECT_EQ(r.context("producer").final_clock, T);  // w_{T-1} + 1
    EXPECT_EQ(r.context("producer").backpressured_cycles, 0u);
    EXPECT_EQ(r.context("consumer").final_clock, T + 1);
    EXPECT_EQ(r.context("consumer").starved_cycles, 1u);  // 0 -> 1 before the first element
    EXPECT_EQ(r.elapsed_cycles, T + 1);
  }
}

TEST_P(ProducerConsumer, CapacityOneRunsAtHalfThroughput) {
  for (std::uint64_t T : {1u, 2u, 10u, 1000u}) {
    SCOPED_TRACE("T=" + std::to_string(T));
    writes.clear();
    pops.clear();
    RunResult r = run_pc(T, 1);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    // w_0 = 0, r_0 = 1, f_0 = 2. w_k = max(w_{k-1} + 1, f_{k-1}) = max(2k - 1, 2k) = 2k;
    // r_k = max(r_{k-1} + 1, w_k + 1) = max(2k, 2k + 1) = 2k + 1; f_k = 2k + 2.
    for (std::uint64_t k = 0; k < T; ++k) {
      ASSERT_EQ(writes[k], 2 * k);
      ASSERT_EQ(pops[k], 2 * k + 1);
    }
    EXPECT_EQ(r.context("producer").final_clock, 2 * T - 1);          // 2(T-1) + 1
    EXPECT_EQ(r.context("producer").backpressured_cycles, T - 1);     // 1 per element k >= 1
    EXPECT_EQ(r.context("consumer").final_clock, 2 * T);              // (2(T-1) + 1) + 1
    EXPECT_EQ(r.context("consumer").starved_cycles, T);               // 1 per element
    EXPECT_EQ(r.elapsed_cycles, 2 * T);
  }
}

struct PipelineCase {
  unsigned stages;
  std::optional<std::uint64_t> capacity;
  std::uint64_t elements;
};

std::string label(const PipelineCase& c) {
  return "K=" + std::to_string(c.stages) + " C=" +
         (c.capacity ? std::to_string(*c.capacity) : std::string("unbounded")) +
         " T=" + std::to_string(c.elements);
}

// build_pipeline: source (push, advance 1) -> K stages (pop, push +1 with depth 1, advance 1)
// -> sink (pop). Channels c0 .. cK.
//
// Element k is written to c0 at k (visible k + 1). Stage j pops element k at k + j + 1,
// writes it at that clock, visible k + j + 2. The receiver of c_{j+1} pops it at k + j + 2
// and frees it at k + j + 3 = the time stage j writes element k + 2: with C >= 2 no write
// ever waits. The sink pops the last element (k = T - 1) at T - 1 + K + 1 = T + K, and the
// last stage returns at (T - 1 + K) + 1 = T + K: the pipeline takes T + K cycles (const = 0).
TEST_P(Throughput, PipelineOfKStagesTakesTPlusKCycles) {
  std::vector<PipelineCase> cases;
  for (unsigned K : {1u, 2u, 8u, 16u})
    for (std::optional<std::uint64_t> C :
         {std::optional<std::uint64_t>(2), std::optional<std::uint64_t>(3),
          std::optional<std::uint64_t>(8), std::optional<std::uint64_t>()})
      for (std::uint64_t T : {1u, 100u}) cases.push_back({K, C, T});
  for (const PipelineCase& c : cases) {
    SCOPED_TRACE(label(c));
    Program g;
    workloads::build_pipeline(g, {.elements = c.elements, .stages = c.stages,
                                  .capacity = c.capacity, .latency = 1});
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    EXPECT_EQ(r.elapsed_cycles, c.elements + c.stages);
    EXPECT_EQ(r.context("source").final_clock, c.elements);  // w_{T-1} + 1
    EXPECT_EQ(r.context("sink").final_clock, c.elements + c.stages);
    EXPECT_EQ(r.context("stage" + std::to_string(c.stages - 1)).final_clock,
              c.elements + c.stages);
    for (unsigned j = 0; j <= c.stages; ++j) {
      const ChannelStats& ch = r.channel("c" + std::to_string(j));
      EXPECT_EQ(ch.elements, c.elements);
      // Element k lives from its write at k + j to its free at k + j + 2: at any cycle x
      // the elements k = x - j - 1 and x - j are in, so the peak is 2 (1 for T = 1).
      EXPECT_EQ(ch.peak_occupancy, c.elements == 1 ? 1u : 2u) << ch.name;
    }
    for (unsigned j = 0; j < c.stages; ++j)
      EXPECT_EQ(r.context("stage" + std::to_string(j)).backpressured_cycles, 0u);
  }
}

// Stages of pipeline depth P = 3: a slot comes back P + R = 4 cycles after its write, so
// full throughput needs C >= 4.
TEST_P(Throughput, DeepStagesNeedCapacityCoveringTheRoundTrip) {
  constexpr std::uint64_t T = 100;
  {
    Program g;
    workloads::build_pipeline(g, {.elements = T, .stages = 4, .capacity = 4, .latency = 3});
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    // Stage j pops element k at k + 1 + 3j and writes it visible 3 later; the receiver frees
    // it at (k + 1 + 3j + 3) + 1, exactly when stage j writes element k + 4 (at k + 4 + 1 + 3j).
    // The sink pops the last element at (T - 1) + 1 + 3K = T + 3K = 112.
    EXPECT_EQ(r.elapsed_cycles, T + 3 * 4);
  }
  {
    Program g;
    workloads::build_pipeline(g, {.elements = T, .stages = 1, .capacity = 2, .latency = 3});
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    // One stage, C = 2. The stage pops element k at r_k = max(w_{k-1} + 1, k + 1) and issues
    // its write then, stamped r_k + 3; the write waits for the free of element k - 2 on c1,
    // w_k = max(r_k, f_{k-2}), and is visible at v_k = max(r_k + 3, w_k + 1). The sink pops
    // at p_k = max(p_{k-1} + 1, v_k) and frees at p_k + 1.
    //   k:  0  1  2  3  4  5  6 ...   r: 1 2 3 6 7 8 11   w: 1 2 5 6 7 10 11
    //   v:  4  5  6  9 10 11 14       (k = 2: w = f_0 = 5, v = max(6, 6) = 6)
    // Three elements every 5 cycles: for k = 3m (m >= 1) r = 5m + 1, v = 5m + 4. The last,
    // k = 99 = 3 * 33, is written at 166 and visible at 169, when the sink pops it and
    // returns. (Stamped after the wait instead, as before the contract said otherwise, it
    // would be 2 elements every 4 cycles and 201.)
    EXPECT_EQ(r.elapsed_cycles, 169u);
    EXPECT_EQ(r.context("stage0").final_clock, 167u);  // 166 + 1
  }
}

DFSIM_ON_EVERY_EXECUTOR(Throughput);
DFSIM_ON_EVERY_EXECUTOR(ProducerConsumer);

}  // namespace
}  // namespace dfsim::test
