#pragma once
// A second implementation of docs/semantics.md for the node programs of graph_spec.hpp, written
// for clarity rather than speed and sharing no code with the engine.
//
// It is a global stepper: simulated cycles x = 0, 1, 2, ... are visited in order (cycles in
// which nothing can happen are skipped), and at cycle x every node whose clock has reached
// x tries its next operation, using only what exists at x:
//   - dequeue/peek succeeds if the head element is visible at <= x;
//   - a write succeeds if its output has credit at x: the slot of element k - C was freed at
//     (receiver clock after that dequeue) + R <= x. Outputs written together (an atomic
//     fan-out) wait for every output at once; outputs written in order wait one at a time,
//     so the clock may move between two writes;
//   - select picks, among the inputs whose head is visible at <= x, the earliest head,
//     ties by input order. Nothing can beat it later: an element enqueued at cycle >= x is
//     visible at >= x + L > x, so everything visible at <= x exists already.
// A node that succeeds at cycle x has clock x. The engine defines the clock instead as
// max(clock, element time) or max(clock, free time); the model checks on every operation
// that the two agree. Every write of a step is stamped from the step's issue clock t (the
// clock before its first credit wait): visible at max(t + P, t' + L), t' the clock at the
// write (docs/semantics.md, enqueue step 2). Within a cycle, passes repeat until no node
// progresses (a node can do several operations at one clock, and a return at x can end a
// stream someone waits on at x).
// Deadlock: some node has not returned and no node can ever progress.
#include <ostream>

#include "graph_spec.hpp"
#include "outcome.hpp"

namespace dfsim::verification {

struct ReferenceOptions {
  // Visit the nodes of a cycle in reverse order; the outcome must not change.
  bool reverse_order = false;
  // Every operation, one line each, for replaying a seed.
  std::ostream* trace = nullptr;
};

// Throws std::logic_error if the model finds itself inconsistent (a bug in the model).
Outcome run_reference(const GraphSpec& g, const ReferenceOptions& options = {});

}  // namespace dfsim::verification
