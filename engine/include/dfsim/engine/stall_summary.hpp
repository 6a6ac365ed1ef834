#pragma once
// Why a run is below full speed, in one line: the one unit or FIFO that bounds its throughput,
// found from the wait statistics every run keeps (RunResult: each context's busy, starved
// and back-pressured cycles, per channel).
//
//   RunResult r = run(g);
//   ThroughputBound b = find_bound(r);
//   std::cout << b.to_string() << "\n";   // out of 8372 cycles, qk waited 4123 on `long`, full
//   std::cout << stall_table(r);           // every context's busy and waiting cycles
#include <cstddef>
#include <string>

#include "dfsim/engine/run_result.hpp"

namespace dfsim {

struct ThroughputBound {
  enum class Kind {
    none,           // a run without contexts
    unit,           // `context` computed most of the time: the slowest unit
    full_channel,   // `context` waited for credit on `channel`: the FIFO was full
    empty_channel,  // `context` waited for an element on `channel`, in a loop of waits
  };
  Kind kind = Kind::none;
  std::string context;
  std::string channel;  // empty for a unit
  Cycle cycles = 0;     // busy (unit) or waited on `channel`
  Cycle elapsed = 0;

  // "out of C cycles, qk waited W on `long`, full" / "..., pv was busy B"
  std::string to_string() const;
};

// The unit that was busy longest bounds the run if it was busy 90% of it or more (the rest is
// fill and drain). Otherwise the walk goes back along the waits from the unit that finished
// last, asking why it was late: at each unit its longest wait; starved on X leads
// to X's sender, back-pressured on Y to Y's receiver (preferring, at each unit, a wait on
// another channel than the one the walk came by), until a unit busy 90% of the run, or one
// that did not wait, or back to a unit already seen: a loop of waits, which the full FIFO in
// it with the longest wait closes (without a full FIFO, the longest wait in the loop).
ThroughputBound find_bound(const RunResult& result);

// For people: one row per context (busy, starved and the channel most starved on,
// back-pressured and the channel most back-pressured on), at most `max_rows` of them, those
// that waited most, in graph order; then the bound.
std::string stall_table(const RunResult& result, std::size_t max_rows = 24);

}  // namespace dfsim
