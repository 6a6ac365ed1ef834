// Graphs on which an executor once disagreed with the reference model, each reduced from a
// failing random seed (verification_soak --reduce SEED) and kept here so the disagreement
// cannot come back. docs/testing.md explains how to add one.
#include <gtest/gtest.h>

#include "differential.hpp"
#include "race_repeats.hpp"

namespace dfsim::verification {
namespace {

// Every executor agrees with the reference on `g`, `repeats` times over (a parallel run
// that depends on thread timing may need several tries to show a problem; fewer under
// ThreadSanitizer, race_repeats.hpp says why).
void expect_agreement(const GraphSpec& g, std::span<const EngineConfig> configs = all_configs(),
                      int repeats = 1) {
  for (int r = 0; r < test::race_repeats(repeats); ++r) {
    if (auto m = check_graph(g, configs)) {
      ADD_FAILURE() << "run " << r << ": " << report(std::nullopt, g, *m);
      return;
    }
  }
}

// Seed 1649, reduced. n2 -> n3 -> n4 -> n2 is a cycle of waits that can never move again:
// n2's fan-out waits for credit on c1 (full, n3 reads it), n3 for credit on c3 (full, n4
// reads it), n4 for an element on c2 (empty, n2 writes it). The merge n5 selects between c4
// (19 elements from n0, visible at 3, 4, ..., 21) and c5, which is empty and whose sender n2
// will never write again. Per docs/semantics.md the select needs only a lower bound of what can
// still arrive on c5: nothing can, so n5 takes every element of c4 and n6 receives 21
// values (2 from c5 before the deadlock, 19 from c4).
// The stall resolver used to raise the bounds of the blocked contexts a fixed number of
// rounds (contexts + 2); on the cycle they rose by a few cycles per round and never reached
// kNever, so once c4's head was later than that bound the select was never decided and the
// run ended as a deadlock with n5 stuck at an earlier clock (n6: 20 values). Fixed by the
// widening in a75328d; kept as a regression.
TEST(Regressions, SelectBesideACycleOfWaits) {
  expect_agreement(GraphSpec{
      .nodes =
          {
              {.kind = NodeKind::source, .count = 19},  // n0
              {.kind = NodeKind::source, .count = 3},   // n1
              {.kind = NodeKind::source, .count = 3},   // n2
              {.kind = NodeKind::merge},                // n3
              {.kind = NodeKind::sink},                 // n4
              {.kind = NodeKind::merge},                // n5
              {.kind = NodeKind::sink},                 // n6
          },
      .channels =
          {
              {.from = 1, .to = 3, .capacity = 2},                             // c0
              {.from = 2, .to = 3, .capacity = 1},                             // c1
              {.from = 2, .to = 4, .capacity = 1},                             // c2
              {.from = 3, .to = 4, .capacity = 1},                             // c3
              {.from = 0, .to = 5, .capacity = std::nullopt, .latency = 3},    // c4
              {.from = 2, .to = 5, .capacity = 1},                             // c5
              {.from = 5, .to = 6, .capacity = 1},                             // c6
          },
  });
}

// Seed 1756, reduced; the same root cause as above, still failing after the stall resolver
// learnt to widen bounds that keep rising. n0 -> n1 -> n2 -> n0 is a cycle of waits: n0's
// fan-out waits for credit on c0 (full; n1 reads it), n1 for credit on c2 (full; n2 reads
// it), n2 for an element on c3 (empty; n0 writes it). The merge n4 selects between c5 (empty,
// from n0, which will never write again) and c6 (from n3). At clock 43 c6 holds an element
// visible at 39: per docs/semantics.md n4 takes it (and later ones), and n5 receives 16 values.
// The engine ends the run as a deadlock with n4 blocked in that select at 43 (n5: 15 values):
// the resolver widens to kNever only the bounds that changed in its last rising round and
// then narrows; the narrowing pulls the cycle back to finite bounds (n0 33, n1 35, n2 34,
// which is not even a fixed point: n0's rule gives 36) that do not exceed 39, so the select
// stays undecided. Fixed by computing the least fixed point exactly, in increasing order
// (stall.cpp): the cycle stays at kNever and the select takes c6's element.
TEST(Regressions, SelectBesideACycleOfWaitsAfterNarrowing) {
  expect_agreement(GraphSpec{
      .nodes =
          {
              {.kind = NodeKind::source, .count = 9},  // n0
              {.kind = NodeKind::merge},               // n1
              {.kind = NodeKind::map},                 // n2
              {.kind = NodeKind::map},                 // n3
              {.kind = NodeKind::merge},               // n4
              {.kind = NodeKind::sink, .ii = 3},       // n5
          },
      .channels =
          {
              {.from = 0, .to = 1, .capacity = 1},  // c0
              {.from = 0, .to = 1, .capacity = 2},  // c1
              {.from = 1, .to = 2, .capacity = 4},  // c2
              {.from = 0, .to = 2, .capacity = 1},  // c3
              {.from = 0, .to = 3, .capacity = 2},  // c4
              {.from = 0, .to = 4, .capacity = 4},  // c5
              {.from = 3, .to = 4, .capacity = 2},  // c6
              {.from = 4, .to = 5, .capacity = 1},  // c7
          },
  });
}

// Seeds 10, 20, 60, ... (about a fifth of seeds 1..1000 once capacities 1 and 2 became the
// common case), reduced and then cut down by hand; every executor. Source n0 (count 4) fans
// out (together) to map n1 over c0 (C = 1) and to merge n2 over c1 (C = 1); n1 writes to n2
// over c2 (C = 1, L = 5). The state at cycle 6:
//   n0, clock 5: its fan-out waits for credit on c0 (x2 is in c0, n1 has not popped it);
//   n1, clock 3: its push waits for credit on c2 (c2's head, visible 6, is unread);
//   n2, clock 6: selects between c1 (empty; sender n0) and c2 (head visible 6).
// Per docs/semantics.md ("Select") n2 takes c2's head once nothing n0 writes later can be visible
// at 6 or earlier (a tie would go to c1). Nothing can: n1's push needs n2's pop of that head,
// at >= 6 (free >= 7), so n1 pops x2 at >= 8 (free >= 9) and n0's next write is visible at
// >= 10. As lower bounds: n2 >= 6, n1 >= max(6, 6) + 1 = 7, n0 >= max(7, 5) + 1 = 8, c1's
// next element >= 9 > 6. The reference's trace: n2 takes c2's head at 6, n1 writes at 7 and
// pops x2 at 8, n0 writes x3 at 9 (visible 10); it completes at 25.
// The engine ends the run as a deadlock at these clocks (elapsed 6). In engine/src/stall.cpp
// the credit bound of c0 is max(bound of n1, head's time) + R, and while n1 is unsettled its
// bound is kNever: rules::free_time adds plainly (channel_rules.hpp: only the lower bounds
// saturate, but this is one), kNever + 1 wraps to 0, and n0's bound comes out as its clock,
// 5. c1's bound is then 6, not > 6, and the select stays undecided. Before channel_rules.hpp
// this add was the saturating add_cycles; with it every executor agrees on seeds 1..1000.
TEST(Regressions, CreditBoundOfAnUnsettledReceiverMustNotWrap) {
  expect_agreement(GraphSpec{
      .nodes =
          {
              {.kind = NodeKind::source, .count = 4},  // n0
              {.kind = NodeKind::map},                 // n1
              {.kind = NodeKind::merge},               // n2
          },
      .channels =
          {
              {.from = 0, .to = 1, .capacity = 1},                // c0
              {.from = 0, .to = 2, .capacity = 1},                // c1
              {.from = 1, .to = 2, .capacity = 1, .latency = 5},  // c2
          },
  });
}

// Parallel executor, channels across threads ("Parallel" in the name puts them in the
// ThreadSanitizer run of scripts/sanitize.sh). These depend on thread timing, so each graph
// runs several times; on two cores each failed (or crashed) in nearly every run of the test
// while its bug existed.

// From seed 197 (which crashed round-robin runs); a crash. CreditAllAwaiter::await_ready
// finds an output without credit; before await_suspend runs, the receiver on another thread
// dequeues, so await_suspend finds no full output and records a null wait channel, which
// block() -> register_waits() dereferences (UBSan: "member access within null pointer of
// type 'struct ChannelCore'" in register_waits). Fixed: await_suspend then waits on the
// first output, and block()'s re-check finds the wait satisfied and requeues the context.
TEST(Regressions, ParallelFanOutCreditRacesWithRemoteDequeue) {
  GraphSpec g{
      .nodes = {{.kind = NodeKind::source, .count = 2000},
                {.kind = NodeKind::map},
                {.kind = NodeKind::sink}},
      .channels = {{.from = 0, .to = 1, .capacity = 1},
                   {.from = 0, .to = 1, .capacity = 1},
                   {.from = 0, .to = 1, .capacity = 1},
                   {.from = 1, .to = 2, .capacity = 1}},
  };
  expect_agreement(g, configs_named("round-robin-2"), 20);
}

// From seed 32 (a spurious deadlock under round-robin). A fan-out waiting for credit
// registers as waiting sender on one output only (wait.channel, the first without credit).
// The re-check after registering (in block() and in the worker loop) calls satisfiable(),
// which moves wait.channel on to the next output without credit but does not register there.
// If the first output's credit arrived between the registration and the re-check, and its
// receiver did not see the registration, the context waits on an output that already has
// credit and is never woken when the other one gets credit: the run ends as a deadlock
// whose report shows the sender blocked on a channel with free slots. Fixed by park()
// (worker.cpp), which registers again wherever the re-check moved the wait.
TEST(Regressions, ParallelFanOutWaitsOnTheWrongOutput) {
  GraphSpec g{
      .nodes = {{.kind = NodeKind::source, .count = 2000},
                {.kind = NodeKind::sink},
                {.kind = NodeKind::sink},
                {.kind = NodeKind::sink},
                {.kind = NodeKind::sink}},
      .channels = {{.from = 0, .to = 1, .capacity = 1},
                   {.from = 0, .to = 2, .capacity = 1},
                   {.from = 0, .to = 3, .capacity = 1},
                   {.from = 0, .to = 4, .capacity = 1}},
  };
  expect_agreement(g, configs_named("round-robin-2"), 20);
}

// Seeds 61, 106, 144, 245, 299, 371 (wrong values or spurious deadlocks under round-robin).
// decide_select looks at the inputs twice: a first pass finds the earliest head among the
// non-empty inputs, a second pass bounds the empty ones, skipping any input that is no
// longer empty. An element that arrives between the passes is in neither: the select picks
// a later head over it (wrong values), or, when every input was empty in the first pass,
// returns "all inputs ended" while an input holds an element and is open. Here the merge
// then returns early, and the source blocks forever on a full channel whose receiver has
// finished. (The same goes for an empty input's bound read after its emptiness: the sender
// may enqueue and then publish a later clock in between.) Fixed: decide_select reads each
// input once, closed flag and bound before its counters.
TEST(Regressions, ParallelSelectSeesAnElementArriveBetweenItsPasses) {
  GraphSpec g{
      .nodes = {{.kind = NodeKind::source, .count = 20000},
                {.kind = NodeKind::merge},
                {.kind = NodeKind::sink}},
      .channels = {{.from = 0, .to = 1, .capacity = 4},
                   {.from = 1, .to = 2, .capacity = std::nullopt}},
  };
  expect_agreement(g, configs_named("round-robin-2"), 20);
}

}  // namespace
}  // namespace dfsim::verification
