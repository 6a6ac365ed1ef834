// The reference model on tiny graphs whose timing is worked out by hand from semantics.md,
// so that the model is checked against the document and not only against the engine.
#include "reference_model.hpp"

#include <gtest/gtest.h>

#include "random_graph.hpp"

namespace dfsim::verification {
namespace {

const NodeOutcome& node(const Outcome& o, int i) { return o.nodes.at(static_cast<std::size_t>(i)); }
const ChannelOutcome& channel(const Outcome& o, int c) {
  return o.channels.at(static_cast<std::size_t>(c));
}

void expect_node(const Outcome& o, int i, Cycle clock, Cycle starved, Cycle backpressured) {
  SCOPED_TRACE(node_name(i));
  EXPECT_EQ(node(o, i).final_clock, clock);
  EXPECT_EQ(node(o, i).starved, starved);
  EXPECT_EQ(node(o, i).backpressured, backpressured);
}

// Source n0 (count 3) -> c0 (C=2, L=1, R=1) -> sink n1.
//   n0 writes e0 at 0 (visible 1) and e1 at 1 (visible 2); e2 needs the slot of e0.
//   n1 pops e0 at 1 (starved 1; slot free at 2), e1 at 2 (free at 3).
//   n0 writes e2 at 2 (the slot of e0 is free at 2), advances to 3 and returns.
//   n1 pops e2 at 3, advances to 4, sees the end of the stream: elapsed 4.
//   Occupancy: {e0} at 0, {e0, e1} at 1, {e1, e2} at 2 (e0 freed at 2): peak 2.
TEST(ReferenceModel, FullThroughputWithCapacityTwo) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 3}, {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1, .capacity = 2}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.status, "completed");
  EXPECT_EQ(o.elapsed, 4u);
  expect_node(o, 0, 3, 0, 0);
  expect_node(o, 1, 4, 1, 0);
  EXPECT_EQ(node(o, 1).received,
            (std::vector<std::uint64_t>{source_value(0, 0), source_value(0, 1), source_value(0, 2)}));
  EXPECT_EQ(channel(o, 0).elements, 3u);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 2u);
}

// As above with C=1: one element every 2 cycles.
//   n0: e0 at 0 (visible 1); e1 waits for e0's slot: popped at 1, free at 2 -> written at 2
//       (back-pressured 1), visible 3; e2 waits for e1's slot: popped at 3, free at 4 ->
//       written at 4 (back-pressured 2 in all), visible 5; returns at 5.
//   n1: pops at 1, 3, 5 (starved 1 + 1 + 1), advancing to 2, 4, 6; returns at 6.
TEST(ReferenceModel, HalfThroughputWithCapacityOne) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 3}, {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1, .capacity = 1}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 6u);
  expect_node(o, 0, 5, 0, 2);
  expect_node(o, 1, 6, 3, 0);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 1u);
}

// C=1 with R=3: a slot comes back 3 cycles after its dequeue.
//   n0: e0 at 0; e1 needs e0's slot, popped at 1, free at 4 -> written at 4 (bp 3), visible 5;
//       e2 needs e1's slot, popped at 5, free at 8 -> written at 8 (bp 6), returns at 9.
//   n1: pops at 1, 5, 9 (starved 1 + 3 + 3 = 7), returns at 10.
TEST(ReferenceModel, ResponseLatencyDelaysCredit) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 3}, {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1, .capacity = 1, .response_latency = 3}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 10u);
  expect_node(o, 0, 9, 0, 6);
  expect_node(o, 1, 10, 7, 0);
}

// Source n0 (count 2, P=5) -> c0 (unbounded, L=2) -> map n1 -> c1 (C=2) -> sink n2.
//   n0: e0 at 0 visible max(0 + 2, 0 + 5) = 5; e1 at 1 visible 6; returns at 2.
//   n1: pops e0 at 5 (starved 5), writes at 5 (visible 6), advances to 6; pops e1 at 6,
//       writes at 6 (visible 7), advances to 7; end of stream: returns at 7.
//   n2: pops at 6 (starved 6) and 7, returns at 8.
//   c0: written at 0 and 1, freed at 6 and 7: peak 2.
TEST(ReferenceModel, StampAndLatency) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .stamp = 5, .count = 2},
                        {.kind = NodeKind::map},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1, .capacity = std::nullopt, .latency = 2},
                           {.from = 1, .to = 2, .capacity = 2}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 8u);
  expect_node(o, 0, 2, 0, 0);
  expect_node(o, 1, 7, 5, 0);
  expect_node(o, 2, 8, 6, 0);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 2u);
  EXPECT_EQ(channel(o, 1).peak_occupancy, 2u);
  EXPECT_EQ(node(o, 2).received,
            (std::vector<std::uint64_t>{map_value(1, {source_value(0, 0)}),
                                        map_value(1, {source_value(0, 1)})}));
}

// Source n0 (count 1, P=3) -> map n1 (peek first) -> sink n2.
//   n1 peeks at 3 (starved 3): the pop that follows starts at 3 and waits no more.
//   It writes at 3 (visible 4), advances to 4; the peek then ends the stream: returns at 4.
//   n2 pops at 4 (starved 4), returns at 5.
TEST(ReferenceModel, PeekMovesTheClock) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .stamp = 3, .count = 1},
                        {.kind = NodeKind::map, .peek_first = true},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1}, {.from = 1, .to = 2}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 5u);
  expect_node(o, 1, 4, 3, 0);
  expect_node(o, 2, 5, 4, 0);
}

// Source n0 (count 3) fans out to sink n1 (II=3) over c0 (C=1) and sink n2 (II=1) over c1
// (C=1). The fan-out is atomic: each write waits for the later of the two slots.
//   e0 written at 0. n1 and n2 pop it at 1 (starved 1 each; free at 2): e1 written at 2
//   (bp 1), visible 3. n2 pops e1 at 3 (starved 2; free 4); n1, which advanced to 4, pops it
//   at 4 (free 5): e2 written at max(4, 5) = 5 (bp 1 + 2 = 3), visible 6; n0 returns at 6.
//   n2 pops e2 at 6 (starved 2 + 2 = 4), returns at 7; n1 pops it at 7, returns at 10.
TEST(ReferenceModel, AtomicFanOutWaitsForTheSlowestOutput) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 3},
                        {.kind = NodeKind::sink, .ii = 3},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 1, .capacity = 1}, {.from = 0, .to = 2, .capacity = 1}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 10u);
  expect_node(o, 0, 6, 0, 3);
  expect_node(o, 1, 10, 1, 0);
  expect_node(o, 2, 7, 4, 0);
}

// Sources n0 (count 2, II=2) and n1 (count 2) into merge n2, then sink n3.
//   n0 writes a0 at 0 (visible 1), a1 at 2 (visible 3); n1 writes b0 at 0 (visible 1), b1 at 1
//   (visible 2).
//   n2: heads a0 and b0 both visible at 1: the tie goes to input 0 -> a0 at 1, written at 1.
//       At 2: heads a1 (3) and b0 (1) -> b0. At 3: a1 (3) and b1 (2) -> b1. At 4: a1.
//       Advances to 5 and returns when both inputs have ended.
//   n3 pops at 2, 3, 4, 5 (starved 2), returns at 6.
TEST(ReferenceModel, SelectTakesTheEarliestHeadAndBreaksTiesByInputOrder) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .ii = 2, .count = 2},
                        {.kind = NodeKind::source, .count = 2},
                        {.kind = NodeKind::merge},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 2}, {.from = 1, .to = 2}, {.from = 2, .to = 3}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 6u);
  expect_node(o, 2, 5, 1, 0);
  expect_node(o, 3, 6, 2, 0);
  std::uint64_t a0 = source_value(0, 0), a1 = source_value(0, 1);
  std::uint64_t b0 = source_value(1, 0), b1 = source_value(1, 1);
  EXPECT_EQ(node(o, 3).received,
            (std::vector<std::uint64_t>{merge_value(2, a0, 0), merge_value(2, b0, 1),
                                        merge_value(2, b1, 1), merge_value(2, a1, 0)}));
}

// The merge n3 must not take the only element present (a0 on c0, visible 10) while its other
// input, empty at first, can still deliver an earlier one: n1 -> map n2 -> c2 gives b0 at 2.
//   n2 pops b0 at 1 (starved 1), writes at 1 (visible 2), returns at 2.
//   n3: b0 at 2 (starved 2), written at 2 (visible 3); a0 at 10 (starved 2 + 7), written at
//       10 (visible 11); returns at 11.
//   n4: pops at 3 (starved 3), 11 (starved 3 + 7), returns at 12.
TEST(ReferenceModel, SelectWaitsForAnEmptyInputThatCanStillBeEarlier) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .stamp = 10, .count = 1},
                        {.kind = NodeKind::source, .count = 1},
                        {.kind = NodeKind::map},
                        {.kind = NodeKind::merge},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 3},
                           {.from = 1, .to = 2},
                           {.from = 2, .to = 3},
                           {.from = 3, .to = 4}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.elapsed, 12u);
  expect_node(o, 2, 2, 1, 0);
  expect_node(o, 3, 11, 9, 0);
  expect_node(o, 4, 12, 10, 0);
  std::uint64_t b = map_value(2, {source_value(1, 0)});
  EXPECT_EQ(node(o, 4).received,
            (std::vector<std::uint64_t>{merge_value(3, b, 1), merge_value(3, source_value(0, 0), 0)}));
}

// Source n0 (count 5) -> c0 (C=2) -> sink n1 that stops after one step.
//   n0: e0 at 0, e1 at 1; e2 needs e0's slot: popped at 1, free at 2 -> e2 at 2, clock 3;
//   e3 needs e1's slot, which no one will ever free: blocked at 3.
//   n1 returns at 2. c0: e1 and e2 are never freed: peak 2.
TEST(ReferenceModel, SinkThatStopsEarlyDeadlocksItsSender) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 5}, {.kind = NodeKind::sink, .limit = 1}},
              .channels = {{.from = 0, .to = 1, .capacity = 2}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.status, "deadlock");
  EXPECT_EQ(o.elapsed, 3u);
  EXPECT_FALSE(node(o, 0).finished);
  EXPECT_TRUE(node(o, 1).finished);
  expect_node(o, 0, 3, 0, 0);
  expect_node(o, 1, 2, 1, 0);
  EXPECT_EQ(channel(o, 0).elements, 3u);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 2u);
  ASSERT_EQ(o.blocked.size(), 1u);
  EXPECT_EQ(o.blocked[0].context, "n0");
  EXPECT_EQ(o.blocked[0].clock, 3u);
  EXPECT_EQ(o.blocked[0].operation, "enqueue");
  EXPECT_EQ(o.blocked[0].channel, "c0");
  EXPECT_EQ(o.blocked[0].channel_state, "full (2 of 2)");
  EXPECT_EQ(o.blocked[0].other_end, "n1");
  EXPECT_TRUE(o.blocked[0].other_end_finished);
}

// A map whose inputs carry 4 and 1 elements: after one step its pop of input 1 ends the
// stream and it returns; source n0 (C=1) is left blocked.
//   n0: a0 at 0; a1 needs a0's slot (popped at 1, free at 2): written at 2 (bp 1), clock 3;
//       a2 needs a1's slot (popped at 3, free at 4): written at 4 (bp 2), clock 5; a3 needs
//       a2's slot, which no one will free: blocked at 5.
//   n2: pops a0 and b0 at 1 (starved 1), writes, advances to 2; pops a1 at 3 (starved 2);
//       the pop of c1 ends the stream: returns at 3.
TEST(ReferenceModel, MapEndsWithItsShortestInput) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 4},
                        {.kind = NodeKind::source, .count = 1},
                        {.kind = NodeKind::map},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 2, .capacity = 1},
                           {.from = 1, .to = 2},
                           {.from = 2, .to = 3}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(o.status, "deadlock");
  expect_node(o, 0, 5, 0, 2);
  expect_node(o, 2, 3, 2, 0);
  ASSERT_EQ(o.blocked.size(), 1u);
  EXPECT_EQ(o.blocked[0].context, "n0");
  EXPECT_EQ(o.blocked[0].clock, 5u);
  EXPECT_EQ(o.blocked[0].channel_state, "full (1 of 1)");
  EXPECT_TRUE(o.blocked[0].other_end_finished);
  EXPECT_EQ(channel(o, 0).elements, 3u);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 1u);
}

// Occupancy counts simulated time, not the order of events: the receiver n2 is far ahead
// (it waits for c1, visible only at 100), so it frees e1 of c0 late (at 102), after the
// sender wrote e2 at 2.
//   c0: written at 0, 1, 2; freed at 2 (e0 popped at 1), 102 (e1 popped at 101), 103.
//   At x = 2: e1 and e2 are held (e0 was freed at 2): peak 2.
TEST(ReferenceModel, PeakOccupancyIsOverSimulatedTime) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 3},
                        {.kind = NodeKind::source, .stamp = 100, .count = 3},
                        {.kind = NodeKind::sink}},
              .channels = {{.from = 0, .to = 2, .capacity = std::nullopt},
                           {.from = 1, .to = 2, .capacity = std::nullopt}}};
  Outcome o = run_reference(g);
  EXPECT_EQ(channel(o, 0).peak_occupancy, 2u);
  // c1: written at 0, 1, 2 (visible 100, 101, 102), freed at 101, 102, 103: all three held.
  EXPECT_EQ(channel(o, 1).peak_occupancy, 3u);
}

// semantics.md: "A linear pipeline of K stages of latency 1 moving T elements finishes in
// T + K + const cycles, whatever the capacities, as long as every capacity is at least 2."
// Source -> K maps -> sink: element i is written by the source at i and by stage k at i + k,
// so the sink pops the last one at T - 1 + K + 1 and returns at T + K + 1.
GraphSpec pipeline(std::uint64_t t, int k, std::optional<std::uint64_t> capacity) {
  GraphSpec g;
  g.nodes.push_back({.kind = NodeKind::source, .count = t});
  for (int i = 0; i < k; ++i) g.nodes.push_back({.kind = NodeKind::map});
  g.nodes.push_back({.kind = NodeKind::sink});
  for (int i = 0; i <= k; ++i) g.channels.push_back({.from = i, .to = i + 1, .capacity = capacity});
  return g;
}

TEST(ReferenceModel, PipelineTakesTPlusKPlusAConstant) {
  for (std::uint64_t t : {1u, 7u, 50u})
    for (int k : {0, 1, 4, 9})
      for (std::optional<std::uint64_t> c : {std::optional<std::uint64_t>{2}, {3}, {8}, {}}) {
        SCOPED_TRACE("T=" + std::to_string(t) + " K=" + std::to_string(k));
        Outcome o = run_reference(pipeline(t, k, c));
        EXPECT_EQ(o.status, "completed");
        EXPECT_EQ(o.elapsed, t + static_cast<std::uint64_t>(k) + 1);
      }
  // With C = 1 every stage runs at half rate: the capacity matters.
  EXPECT_GT(run_reference(pipeline(50, 4, 1)).elapsed, 50u + 4u + 1u);
}

// The stepper's order of visiting nodes within a cycle must not matter.
TEST(ReferenceModel, VisitOrderDoesNotMatter) {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    GraphSpec g = random_graph(seed);
    auto d = first_difference(run_reference(g), run_reference(g, {.reverse_order = true}));
    EXPECT_FALSE(d) << "seed " << seed << ": " << d->text;
  }
}

TEST(RandomGraph, SameSeedSameGraph) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) EXPECT_EQ(random_graph(seed), random_graph(seed));
  EXPECT_NE(random_graph(1), random_graph(2));
}

// The generator covers what it promises, and its graphs are valid.
TEST(RandomGraph, Coverage) {
  int deadlocks = 0, merges = 0, multi_input_maps = 0, fan_outs = 0, unbounded = 0, cap1 = 0,
      stamps = 0, limits = 0;
  const int n = 1000;
  for (std::uint64_t seed = 1; seed <= n; ++seed) {
    GraphSpec g = random_graph(seed);
    ASSERT_TRUE(problems(g).empty()) << "seed " << seed << ": " << problems(g).front();
    ASSERT_GE(g.nodes.size(), 2u);
    for (int v = 0; v < static_cast<int>(g.nodes.size()); ++v) {
      const NodeSpec& node = g.nodes[static_cast<std::size_t>(v)];
      merges += node.kind == NodeKind::merge;
      multi_input_maps += node.kind == NodeKind::map && g.inputs(v).size() > 1;
      fan_outs += g.outputs(v).size() > 1;
      stamps += node.stamp > 0;
      limits += node.limit.has_value();
    }
    for (const ChannelSpec& c : g.channels) {
      unbounded += !c.capacity;
      cap1 += c.capacity == 1u;
    }
    deadlocks += run_reference(g).status == "deadlock";
  }
  EXPECT_GT(merges, n);
  EXPECT_GT(multi_input_maps, n / 2);
  EXPECT_GT(fan_outs, n);
  EXPECT_GT(unbounded, n / 2);
  EXPECT_GT(cap1, n / 2);
  EXPECT_GT(stamps, n);
  EXPECT_GT(limits, n / 20);
  // A tenth or so of the graphs deadlock: enough to test the reports, few enough not to
  // starve the timing checks.
  EXPECT_GT(deadlocks, n / 20);
  EXPECT_LT(deadlocks, n / 4);
}

}  // namespace
}  // namespace dfsim::verification
