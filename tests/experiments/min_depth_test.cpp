// The min-depth search: the smallest depth of each FIFO that keeps the unbounded run's cycles.
// The same depths whatever the number of probe threads and whichever upper bounds the
// bisections start from; probes stopped at the cycle limit; a search stopped between probes.
#include "dfsim/experiments/min_depth.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <atomic>
#include <map>
#include <string>
#include <vector>

namespace dfsim::experiments {
namespace {

using sdpa::AttentionConfig;
using sdpa::AttentionRun;
using sdpa::Preset;
using sdpa::Tensors;
using sdpa::Variant;
using sdpa::random_tensors;
using sdpa::resolve;
using sdpa::simulate_attention;

// The one estimate of a search's runs (the sweep's order, the command line's notes): the
// unbounded run and the run with every minimum, log2(N + 16) for each long FIFO, one for each
// other searched FIFO. Naive N = 48: "long" (2 + 6); naive-stable: "long" and "max_long"
// (2 + 12); reordered: its 8 FIFOs q, k, v, e_sum, e_acc, sum, acc, out (2 + 8);
// reordered-stable with 2 lanes: its 13 FIFOs, the lanes' own included (2 + 13). With lanes a
// naive long FIFO holds a lane's share of a row: N = 48, 2 lanes, log2(24 + 16) = 5.32 each,
// naive-stable 2 + 2 x 5.32; every FIFO of naive-stable with 2 lanes (all): q, k, v,
// max_short, max_long, lane_max, max, short, long, lane_sum, sum, p, acc, out, 12 of them one
// probe each besides the two long ones: 2 + 12 + 2 x 5.32.
TEST(MinDepthSearch, ExpectedRunsCountedByHand) {
  const auto runs = [](Variant v, unsigned lanes) {
    return expected_min_depth_runs({.variant = v, .n = 48, .lanes = lanes}, FifoSelection::claims);
  };
  EXPECT_EQ(runs(Variant::naive, 1), 8.0);
  EXPECT_EQ(runs(Variant::naive_stable, 1), 14.0);
  EXPECT_EQ(runs(Variant::reordered, 1), 10.0);
  EXPECT_EQ(runs(Variant::reordered_stable, 2), 15.0);
  EXPECT_DOUBLE_EQ(runs(Variant::naive, 2), 2 + std::log2(40.0));
  EXPECT_DOUBLE_EQ(runs(Variant::naive_stable, 2), 2 + 2 * std::log2(40.0));
  EXPECT_DOUBLE_EQ(expected_min_depth_runs({.variant = Variant::naive_stable, .n = 48, .lanes = 2},
                                           FifoSelection::all),
                   2 + 12 + 2 * std::log2(40.0));
}

// Each lane's long FIFO needs its share of a row, K = ceil(N/L) keys, plus what one lane needs
// past a row (one-cycle N + 2, calibrated N + 16) plus the wait for the row's sum through the
// tree: a merge latency per level (1, or 8 calibrated), in elements at the rate the long FIFO
// drains, one per II (1, or 2 calibrated): K + 2 + levels, K + 16 + 4 levels. naive-stable's
// max_long waits likewise for the max tree; its long FIFO, behind the exp unit, one less
// calibrated, as with one lane (docs/sdpa.md). Every minimum together keeps the cycles.
TEST(MinDepths, NaiveLanesLongFifosHoldALanesShareOfARow) {
  const std::size_t n = 64;
  struct Case {
    unsigned lanes, levels;
  };
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : {Variant::naive, Variant::naive_stable})
      for (Case c : {Case{1, 0}, Case{2, 1}, Case{4, 2}}) {
        const bool cal = p == Preset::spatial_calibrated;
        const std::uint64_t k = n / c.lanes;
        const std::uint64_t expected = cal ? k + 16 + 4 * c.levels : k + 2 + c.levels;
        MinDepths m = *find_min_depths({.variant = v, .n = n, .preset = p, .lanes = c.lanes},
                                       {random_tensors(n, 1, 1)});
        const std::string where = std::string(to_string(v)) + " " + std::string(to_string(p)) +
                                  " L=" + std::to_string(c.lanes);
        if (v == Variant::naive_stable) {
          EXPECT_EQ(m.depth.at("max_long"), expected) << where;
          EXPECT_EQ(m.depth.at("long"), cal ? expected - 1 : expected) << where;
        } else {
          EXPECT_EQ(m.depth.at("long"), expected) << where;
        }
        EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles) << where;
      }
}

TEST(MinDepths, NaiveLongGrowsAsNPlusAConstant) {
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated}) {
    std::int64_t c = -1;
    for (std::size_t n : {16, 32, 64}) {
      MinDepths m = *find_min_depths({.variant = Variant::naive, .n = n, .preset = p}, {random_tensors(n, 1, 1)});
      const std::int64_t extra = std::int64_t(m.depth.at("long")) - std::int64_t(n);
      if (c < 0) c = extra;
      EXPECT_EQ(extra, c) << to_string(p) << " n=" << n;
      EXPECT_GE(extra, 0);
      // The search's answers work together, and the preset depth is at least the minimum.
      EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
      EXPECT_LE(m.depth.at("long"), *resolve({.variant = Variant::naive, .n = n, .preset = p}).depths.at("long"));
    }
  }
}

TEST(MinDepths, OneBelowTheMinimumIsSlowerOrDeadlocks) {
  const std::size_t n = 32;
  std::vector<Tensors> in{random_tensors(n, 1, 1)};
  AttentionConfig c{.variant = Variant::naive, .n = n, .preset = Preset::spatial_calibrated};
  MinDepths m = *find_min_depths(c, in);
  AttentionConfig below = c;
  below.unbounded = true;
  below.depths["long"] = m.depth.at("long") - 1;
  AttentionRun r = simulate_attention(below, in);
  EXPECT_TRUE(!r.run.ok() || r.run.elapsed_cycles > m.unbounded_cycles);
}

TEST(MinDepths, ReorderedDepthsDoNotDependOnN) {
  for (Preset p : {Preset::one_cycle, Preset::spatial_calibrated})
    for (Variant v : {Variant::reordered, Variant::reordered_stable}) {
      MinDepths first = *find_min_depths({.variant = v, .n = 16, .preset = p}, {random_tensors(16, 1, 1)});
      for (std::size_t n : {32, 64}) {
        MinDepths m = *find_min_depths({.variant = v, .n = n, .preset = p}, {random_tensors(n, 1, 1)});
        EXPECT_EQ(m.depth, first.depth) << to_string(v) << " " << to_string(p) << " n=" << n;
        EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
      }
      for (const auto& [fifo, depth] : first.depth) EXPECT_LE(depth, 12u) << fifo;
    }
}

// Naive, N = 64, spatial-calibrated: the values dam_fidelity_test.cpp derives for long (N + 16)
// and p, and the rest as the search has found them since it was written (sdpa-min-depth).
const std::map<std::string, std::uint64_t> kNaive64 = {
    {"q", 1}, {"k", 1}, {"v", 1}, {"short", 6}, {"long", 80}, {"sum", 1}, {"p", 4}, {"out", 1}};

TEST(MinDepthSearch, TheSameDepthsOnOneOrTwoProbeThreads) {
  const AttentionConfig c{.variant = Variant::naive, .n = 64, .preset = Preset::spatial_calibrated};
  const std::vector<Tensors> in{random_tensors(64, 1, 1)};
  MinDepths one = *find_min_depths(c, in, {.probe_threads = 1});
  MinDepths two = *find_min_depths(c, in, {.probe_threads = 2});
  EXPECT_EQ(one.depth, kNaive64);
  EXPECT_EQ(two.depth, kNaive64);
  EXPECT_EQ(one.unbounded_cycles, two.unbounded_cycles);
  EXPECT_EQ(one.cycles_with_min_depths, one.unbounded_cycles);
  EXPECT_EQ(one.runs, two.runs);
  EXPECT_EQ(one.ideal_cycles, 2u * 64 * 64);  // II_max 2 in spatial-calibrated
}

// The bounds only shorten the search: from each FIFO's unbounded peak, the answers are the same.
TEST(MinDepthSearch, ThePresetBoundChangesNothingButTheRuns) {
  for (Variant v : sdpa::all_variants()) {
    const AttentionConfig c{.variant = v, .n = 32, .preset = Preset::spatial_calibrated};
    const std::vector<Tensors> in{random_tensors(32, 1, 3)};
    MinDepths bounded = *find_min_depths(c, in);
    MinDepths from_peaks = *find_min_depths(c, in, {.preset_bound = false});
    EXPECT_EQ(bounded.depth, from_peaks.depth) << sdpa::to_string(v);
    EXPECT_LE(bounded.runs, from_peaks.runs + 1) << sdpa::to_string(v);  // + the preset run
  }
}

TEST(MinDepthSearch, ClaimsSearchOnlyTheNaiveLongFifos) {
  EXPECT_EQ(searched_fifos({.variant = Variant::naive}, FifoSelection::claims),
            std::vector<std::string>{"long"});
  EXPECT_EQ(searched_fifos({.variant = Variant::reordered}, FifoSelection::claims),
            sdpa::fifo_names(Variant::reordered));
  const AttentionConfig c{.variant = Variant::naive, .n = 64, .preset = Preset::spatial_calibrated};
  MinDepths m = *find_min_depths(c, {random_tensors(64, 1, 1)}, {.fifos = FifoSelection::claims});
  EXPECT_EQ(m.depth, (std::map<std::string, std::uint64_t>{{"long", 80}}));
  EXPECT_EQ(m.cycles_with_min_depths, m.unbounded_cycles);
}

// One below the minimum runs past the unbounded cycles: the probe stops there, at the limit,
// instead of running to its end; at the minimum it completes in exactly those cycles.
TEST(MinDepthSearch, AProbeStopsAtTheCycleLimit) {
  AttentionConfig c{.variant = Variant::naive, .n = 64, .preset = Preset::spatial_calibrated,
                    .unbounded = true};
  const std::vector<Tensors> in{random_tensors(64, 1, 1)};
  const Cycle target = simulate_attention(c, in).run.elapsed_cycles;
  ProbeOutcome below = probe(c, in, "short", 5, target);
  EXPECT_EQ(below.status, RunStatus::cycle_limit);
  EXPECT_GT(below.cycles, target);
  EXPECT_FALSE(below.matches);
  ProbeOutcome at = probe(c, in, "short", 6, target);
  EXPECT_EQ(at.status, RunStatus::completed);
  EXPECT_EQ(at.cycles, target);
  EXPECT_TRUE(at.matches);
  // Far too small a long FIFO deadlocks in the first row.
  ProbeOutcome tiny = probe(c, in, "long", 8, target);
  EXPECT_EQ(tiny.status, RunStatus::deadlock);
  EXPECT_FALSE(tiny.matches);
}

TEST(MinDepthSearch, AStopBetweenProbesEndsTheSearch) {
  const AttentionConfig c{.variant = Variant::naive, .n = 32, .preset = Preset::one_cycle};
  std::atomic<int> asked{0};
  auto m = find_min_depths(c, {random_tensors(32, 1, 1)},
                           {.probe_threads = 2, .stop = [&] { return ++asked > 3; }});
  EXPECT_FALSE(m.has_value());
  EXPECT_GT(asked.load(), 3);
}

TEST(MinDepthSearch, AnUnboundedRunThatDoesNotCompleteIsAnError) {
  // Inputs of the wrong shape are refused before anything runs.
  const AttentionConfig c{.variant = Variant::naive, .n = 8};
  EXPECT_THROW(find_min_depths(c, {random_tensors(4, 1, 1)}), std::invalid_argument);
}

// Several probes a round (the threads a one-FIFO search leaves idle) find the same depth: the
// long FIFO's N + 16 = 80, from the unbounded peak as the upper end.
TEST(MinDepthSearch, SeveralProbesPerRoundFindTheSameDepth) {
  AttentionConfig unbounded{.variant = Variant::naive, .n = 64, .preset = Preset::spatial_calibrated,
                            .unbounded = true};
  const std::vector<Tensors> in{random_tensors(64, 1, 1)};
  const Cycle target = sdpa::simulate_attention(unbounded, in).run.elapsed_cycles;
  for (unsigned k : {1u, 2u, 3u, 7u}) {
    std::size_t runs = 0;
    EXPECT_EQ(search_fifo(unbounded, in, "long", 200, target, {}, &runs, k), 80u) << k;
    // Each round of k probes leaves 1/(k+1) of [1, 200): about log_(k+1)(200) rounds.
    EXPECT_LE(runs, k * static_cast<std::size_t>(std::ceil(std::log(200.0) / std::log(k + 1.0)) + 1)) << k;
  }
}

// The rounds by hand, for a FIFO whose probes match from depth 7 up, searched from 10: one
// probe a round bisects [1, 10) (5 misses, 8 and 7 match, 6 misses); two a round split it in
// three (4 misses, 7 matches; then 5 and 6 together miss).
TEST(FifoSearchRounds, BisectionAndTwoProbesARoundDerivedByHand) {
  const auto matches = [](const std::vector<std::uint64_t>& depths) {
    std::vector<bool> m;
    for (auto d : depths) m.push_back(d >= 7);
    return m;
  };
  const std::vector<std::vector<std::uint64_t>> one = {{5}, {8}, {7}, {6}};
  const std::vector<std::vector<std::uint64_t>> two = {{4, 7}, {5, 6}};
  for (const auto& [k, rounds] : {std::pair{1u, one}, std::pair{2u, two}}) {
    FifoSearch s(10);
    for (const auto& expected : rounds) {
      ASSERT_FALSE(s.done()) << k;
      const std::vector<std::uint64_t> depths = s.next(k);
      EXPECT_EQ(depths, expected) << k;
      s.record(depths, matches(depths));
    }
    EXPECT_TRUE(s.done()) << k;
    EXPECT_EQ(s.depth(), 7u) << k;
  }
  FifoSearch s(10);
  EXPECT_THROW(s.record({5}, {}), std::invalid_argument);
}

// The search in parts, its FIFOs searched by hand, finds what find_min_depths finds.
TEST(MinDepthSearch, InPartsTheSameAsWhole) {
  const AttentionConfig c{.variant = Variant::reordered, .n = 32, .preset = Preset::spatial_calibrated};
  const std::vector<Tensors> in{random_tensors(32, 1, 1)};
  const MinDepthOptions options{.fifos = FifoSelection::claims, .probe_threads = 1};
  const MinDepths whole = *find_min_depths(c, in, options);
  const SearchStart start = search_start_from_json(to_json(start_search(c, in, options)));
  std::map<std::string, std::uint64_t> depths;
  std::size_t probes = 0;
  for (const FifoBound& f : start.fifos) {
    FifoSearch s(f.upper);
    while (!s.done()) {
      const std::vector<std::uint64_t> round = s.next(3);
      std::vector<bool> m;
      for (auto d : round)
        m.push_back(probe(search_config(c), in, f.fifo, d, start.unbounded_cycles).matches);
      probes += round.size();
      s.record(round, m);
    }
    depths[f.fifo] = s.depth();
  }
  const MinDepths parts = end_search(c, in, start, depths, probes);
  EXPECT_EQ(parts.depth, whole.depth);
  EXPECT_EQ(parts.unbounded_cycles, whole.unbounded_cycles);
  EXPECT_EQ(parts.cycles_with_min_depths, whole.cycles_with_min_depths);
  EXPECT_EQ(parts.runs, start.runs + probes + 1);
}

}  // namespace
}  // namespace dfsim::experiments
