#pragma once
// What to do when no context can run: prove some selects decidable, or report a deadlock.
#include <span>
#include <vector>

#include "dfsim/engine/detail/context_core.hpp"
#include "dfsim/engine/run_result.hpp"

namespace dfsim::detail {

// Every unfinished context is blocked. Computes lower bounds of their clocks from what
// each waits for (a fixed point over the graph) and decides the selects those bounds
// settle. Returns those selects, to be woken; none means a deadlock.
std::vector<ContextCore*> resolve_stall(std::span<ContextCore* const> contexts);

// When no worker has anything to run (so no other thread touches a queue meanwhile): queues
// the selects resolve_stall decides on their workers. False: none, the run is deadlocked.
bool queue_after_stall(std::span<ContextCore* const> contexts);

// The lower bounds above (kNever: can never act again), on any state, blocked or not: a
// context that can run bounds itself at its clock.
std::vector<Cycle> least_bounds(std::span<ContextCore* const> contexts);

// Whether some unfinished context can never act again while others still run
// (RunOptions::stop_when_stuck): then the run cannot complete.
bool some_context_stuck(std::span<ContextCore* const> contexts);

DeadlockReport make_deadlock_report(std::span<ContextCore* const> contexts);

}  // namespace dfsim::detail
