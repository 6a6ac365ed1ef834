// The reference model on tiny graphs whose timing is worked out by hand from docs/semantics.md,
// so that the model is checked against the document and not only against the engine.
#include "reference_model.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "differential.hpp"
#include "engine_adapter.hpp"
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

// The contract's three rules for back-pressure, derived by hand below, hold for the reference
// and for the engine alike: the numbers come from the text of docs/semantics.md, so a model that
// agrees with the other one but not with them is wrong too.
std::vector<std::pair<std::string, Outcome>> every_model(const GraphSpec& g) {
  std::vector<std::pair<std::string, Outcome>> result{{"reference", run_reference(g)}};
  for (const EngineConfig& c : all_configs()) result.emplace_back(c.name, run_engine(g, c));
  return result;
}

// docs/semantics.md, worked example a. Source n0 (count 5) -> c0 (unbounded) -> map n1 (P = 4)
// -> c1 (C = 1) -> sink n2 (II = 3). n0 writes a_i at i (visible i + 1) and returns at 5.
// Write k on c1 needs the slot of element k - 1, free at (n2's pop of it) + 1. n1 issues
// write k at t (its clock after the pop), stamp s = t + 4, waits to t' = max(t, f):
//   k  t   s   f        t'  visible max(s, t' + 1)  n2 pops at
//   0  1   5   -        1   5                       5  (starved 5)
//   1  2   6   5+1=6    6   7                       max(5+3, 7) = 8
//   2  7   11  8+1=9    9   11                      11
//   3  10  14  11+1=12  12  14                      14
//   4  13  17  14+1=15  15  17                      17
// n1: starved 1 (a_0 at 1), back-pressured 4 + 2 + 2 + 2 = 10; at 16 its pop ends the
// stream: returns at 16. n2 pops e4 at 17, advances to 20 and returns: elapsed 20.
// c0: written at 0..4, freed at 2, 3, 8, 11, 14: a2, a3 and a4 are held at 4: peak 3.
// The old rule (visible t' + max(L, P)) gave 5, 10, 15, 20, 25 on c1: n1 back-pressured
// 4 + 4 + 4 + 4 = 16 and returning at 22, n2 starved 13 and returning at 28.
TEST(ReferenceModel, StampCountsFromIssueUnderBackPressure) {
  GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 5},
                        {.kind = NodeKind::map, .stamp = 4},
                        {.kind = NodeKind::sink, .ii = 3}},
              .channels = {{.from = 0, .to = 1, .capacity = std::nullopt},
                           {.from = 1, .to = 2, .capacity = 1}}};
  std::vector<std::uint64_t> values;
  for (std::uint64_t i = 0; i < 5; ++i) values.push_back(map_value(1, {source_value(0, i)}));
  for (const auto& [name, o] : every_model(g)) {
    SCOPED_TRACE(name);
    EXPECT_EQ(o.status, "completed");
    EXPECT_EQ(o.elapsed, 20u);  // the old rule: 28
    expect_node(o, 0, 5, 0, 0);
    expect_node(o, 1, 16, 1, 10);  // the old rule: 22, 1, 16
    expect_node(o, 2, 20, 5, 0);   // the old rule: 28, 13, 0
    EXPECT_EQ(node(o, 2).received, values);
    EXPECT_EQ(channel(o, 0).peak_occupancy, 3u);
    EXPECT_EQ(channel(o, 1).peak_occupancy, 1u);
  }
}

// docs/semantics.md, worked example b, as a graph. Source n0 (count 2, P = 4) writes each value
// to a fast output (C = 2, to sink n1) and a slow one (C = 1, R = 5, to sink n2).
//   Write 0, issued at 0, s = 4: both have credit; written at 0, visible max(4, 1) = 4.
//   n1 and n2 pop it at 4 (starved 4); n2's pop frees the slow slot at 4 + 5 = 9.
//   Write 1 is issued at 1, s = 5 (s - L = 4); the fast output has credit, the slow one
//   from 9 (n0 back-pressured 8 in every variant); n0 returns at 10. Then:
//   together:             both written at 9, visible max(5, 10) = 10;
//   in order, fast first: fast written at 1, visible max(5, 2) = 5; slow at 9, visible 10;
//   in order, slow first: slow written at 9, visible 10; fast at 9, visible max(5, 10) = 10
//                         (stamped from the issue clock 1: from the clock after the first
//                         wait, 9 + 4, it would be visible at 13).
// n2 pops the slow e1 at 10 in every variant (starved 9), returns at 11: elapsed 11. n1
// pops the fast e1 at 10 and returns at 11 (starved 9), except in order fast first: it
// pops it at 5 and its end-of-stream pop at 6 returns when n0 returns (starved 4).
// Fast channel: written at 0 and 1, freed at 5 and 6 (in order, fast first: peak 2), or
// written at 0 and 9, freed at 5 and 11 (peak 1).
TEST(ReferenceModel, OutputsTogetherOrInOrder) {
  struct OutputCase {
    const char* name;
    bool in_order;
    bool slow_first;
    Cycle fast_reader_clock, fast_reader_starved;
    std::uint64_t fast_peak;
  };
  for (const OutputCase& c : {OutputCase{"together", false, false, 11, 9, 1},
                              OutputCase{"in order, fast first", true, false, 6, 4, 2},
                              OutputCase{"in order, slow first", true, true, 11, 9, 1}}) {
    const ChannelSpec fast{.from = 0, .to = 1, .capacity = 2};
    const ChannelSpec slow{.from = 0, .to = 2, .capacity = 1, .response_latency = 5};
    GraphSpec g{.nodes = {{.kind = NodeKind::source, .stamp = 4, .count = 2,
                           .outputs_in_order = c.in_order},
                          {.kind = NodeKind::sink},
                          {.kind = NodeKind::sink}},
                .channels = c.slow_first ? std::vector{slow, fast} : std::vector{fast, slow}};
    const int fast_channel = c.slow_first ? 1 : 0;
    for (const auto& [name, o] : every_model(g)) {
      SCOPED_TRACE(std::string(c.name) + ", " + name);
      EXPECT_EQ(o.status, "completed");
      EXPECT_EQ(o.elapsed, 11u);
      expect_node(o, 0, 10, 0, 8);
      expect_node(o, 1, c.fast_reader_clock, c.fast_reader_starved, 0);
      expect_node(o, 2, 11, 9, 0);
      EXPECT_EQ(channel(o, fast_channel).peak_occupancy, c.fast_peak);
      EXPECT_EQ(channel(o, 1 - fast_channel).peak_occupancy, 1u);
    }
  }
}

// docs/semantics.md, worked example c, as a graph. Source n0 (count 2) -> c0 (C = 1) and source
// n1 (count 2, P = 9) -> c1 (C = 2) into map n2 -> c2 (C = 2) -> sink n3. n0 writes x0 at 0
// (visible 1); x1 needs x0's slot. n1 writes y0 at 0 (visible 9) and y1 at 1 (visible 10).
// In order (pop x, pop y):
//   n2 pops x0 at 1 (starved 1; frees 2), y0 at 9 (starved 8; frees 10), writes m0 at 9
//   (visible 10), advances to 10. n0 writes x1 at 2 (back-pressured 1; visible 3), returns
//   at 3. n2 pops x1 and y1 at 10 (free 11), writes m1 (visible 11), returns at 11.
//   n3 pops m0 at 10 (starved 10), m1 at 11, returns at 12. c2: m0 and m1 held at 10: peak 2.
// Together (peek x, peek y, pop x, pop y):
//   n2 peeks x0 at 1 and y0 at 9 (starved 1 + 8), pops both at 9: x0's slot frees at 10,
//   not 2. n0 writes x1 at 10 (back-pressured 9; visible 11), returns at 11. n2 writes m0
//   at 9 (visible 10); at 10 it peeks x1 at 11 (starved 1 more), y1 at 11, pops both,
//   writes m1 at 11 (visible 12), returns at 12. n3 pops m0 at 10 (starved 10), m1 at 12
//   (starved 1 more), returns at 13. c2: m0 freed at 11 when m1 is written: peak 1.
TEST(ReferenceModel, InputsTogetherOrInOrder) {
  struct Expected {
    Cycle elapsed, x_sender_clock, x_sender_backpressured, map_clock, map_starved, sink_clock,
        sink_starved;
    std::uint64_t c2_peak;
  };
  for (bool together : {false, true}) {
    GraphSpec g{.nodes = {{.kind = NodeKind::source, .count = 2},
                          {.kind = NodeKind::source, .stamp = 9, .count = 2},
                          {.kind = NodeKind::map, .inputs_together = together},
                          {.kind = NodeKind::sink}},
                .channels = {{.from = 0, .to = 2, .capacity = 1},
                             {.from = 1, .to = 2, .capacity = 2},
                             {.from = 2, .to = 3, .capacity = 2}}};
    const Expected e = together ? Expected{13, 11, 9, 12, 10, 13, 11, 1}
                                : Expected{12, 3, 1, 11, 9, 12, 10, 2};
    for (const auto& [name, o] : every_model(g)) {
      SCOPED_TRACE(std::string(together ? "together, " : "in order, ") + name);
      EXPECT_EQ(o.status, "completed");
      EXPECT_EQ(o.elapsed, e.elapsed);
      expect_node(o, 0, e.x_sender_clock, 0, e.x_sender_backpressured);
      expect_node(o, 1, 2, 0, 0);
      expect_node(o, 2, e.map_clock, e.map_starved, 0);
      expect_node(o, 3, e.sink_clock, e.sink_starved, 0);
      EXPECT_EQ(channel(o, 0).peak_occupancy, 1u);
      EXPECT_EQ(channel(o, 1).peak_occupancy, 2u);
      EXPECT_EQ(channel(o, 2).peak_occupancy, e.c2_peak);
    }
  }
}

// docs/semantics.md: "A linear pipeline of K stages of latency 1 moving T elements finishes in
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

// The generator covers what it promises, and its graphs are valid. Back-pressure is the
// common case: most channels hold one or two elements, fan-outs and both disciplines of
// several outputs and several inputs are frequent.
TEST(RandomGraph, Coverage) {
  int deadlocks = 0, merges = 0, multi_input_maps = 0, fan_outs = 0, unbounded = 0, cap1 = 0,
      stamps = 0, limits = 0, producers = 0, in_order_fan_outs = 0, together_fan_outs = 0,
      together_inputs = 0, in_order_inputs = 0, channels = 0, shallow = 0;
  const int n = 1000;
  for (std::uint64_t seed = 1; seed <= n; ++seed) {
    GraphSpec g = random_graph(seed);
    ASSERT_TRUE(problems(g).empty()) << "seed " << seed << ": " << problems(g).front();
    ASSERT_GE(g.nodes.size(), 2u);
    for (int v = 0; v < static_cast<int>(g.nodes.size()); ++v) {
      const NodeSpec& node = g.nodes[static_cast<std::size_t>(v)];
      const bool fan_out = g.outputs(v).size() > 1, several_inputs = g.inputs(v).size() > 1;
      merges += node.kind == NodeKind::merge;
      multi_input_maps += node.kind == NodeKind::map && several_inputs;
      producers += node.kind != NodeKind::sink;
      fan_outs += fan_out;
      (node.outputs_in_order ? in_order_fan_outs : together_fan_outs) += fan_out;
      if (node.kind == NodeKind::map || node.kind == NodeKind::sink)
        (node.inputs_together ? together_inputs : in_order_inputs) += several_inputs;
      stamps += node.stamp > 0;
      limits += node.limit.has_value();
    }
    for (const ChannelSpec& c : g.channels) {
      ++channels;
      unbounded += !c.capacity;
      cap1 += c.capacity == 1u;
      shallow += c.capacity && *c.capacity <= 2;
    }
    deadlocks += run_reference(g).status == "deadlock";
  }
  EXPECT_GT(merges, n);
  EXPECT_GT(multi_input_maps, n / 2);
  EXPECT_GT(fan_outs, producers / 3);
  EXPECT_GT(in_order_fan_outs, n);
  EXPECT_GT(together_fan_outs, n);
  EXPECT_GT(together_inputs, n / 2);
  EXPECT_GT(in_order_inputs, n / 2);
  EXPECT_GT(unbounded, n / 2);
  EXPECT_GT(cap1, channels / 5);
  EXPECT_GT(shallow, channels / 2);
  EXPECT_GT(stamps, n);
  EXPECT_GT(limits, n / 20);
  // A tenth or so of the graphs deadlock: enough to test the reports, few enough not to
  // starve the timing checks.
  EXPECT_GT(deadlocks, n / 20);
  EXPECT_LT(deadlocks, n / 4);
}

}  // namespace
}  // namespace dfsim::verification
