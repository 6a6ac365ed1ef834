#pragma once
// The parameters every unit takes (docs/sdpa.md, "The abstract hardware"): its timing, the
// shape of its rows, and how it takes its inputs and writes its outputs.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::units {

// Timing of one hardware unit.
//   latency P >= 1: a result whose write is issued at clock t is visible downstream at
//     t + P at the earliest (later if the channel's L, or a wait for credit, says so);
//   initiation_interval II >= 1: cycles between two steps (accepted inputs);
//   startup_delay: once, before the first row; per_row_delay: before every row.
struct Timing {
  Cycle latency = 1;
  Cycle initiation_interval = 1;
  Cycle startup_delay = 0;
  Cycle per_row_delay = 0;
};

// How a unit takes the inputs of one step, or writes the outputs of one step
// (docs/semantics.md, "Several inputs, several outputs"):
//   together: inputs are peeked, each in turn, then all dequeued at the latest of their times
//             (their slots free at the same cycle); outputs wait until every one has credit,
//             then are all written (an atomic fan-out);
//   in_order: inputs are dequeued one after another with no peek (the first slot frees
//             before the clock moves for the second); outputs are written one after another,
//             each waiting for its own credit.
// Both stamp every output of a step P after the clock at which the step issues its writes.
enum class Discipline { together, in_order };

// What a Map, Reduce or Scan is told besides its function.
//
//   units::reduce(0.0, sum, {.timing = {.latency = 23, .initiation_interval = 2},
//                            .row_length = n, .rows = n})
struct UnitOptions {
  Timing timing{};
  // Steps per row: a Reduce folds this many inputs into one output; per-row inputs are read
  // once per row; the per-row delay is spent before every row. At least 1.
  std::uint64_t row_length = 1;
  // Rows of varying length: when set, row r has row_lengths(r) steps (at least 1) and
  // row_length is not used. Called once per row, before the row's first step.
  //   .row_lengths = [](std::uint64_t r) { return r + 1; }   // a triangle: 1, 2, 3, ... steps
  std::function<std::uint64_t(std::uint64_t)> row_lengths{};
  // Rows to process before returning; std::nullopt: until an input ends (the unit then
  // spends the per-row delay once more before it sees the end, as a controller would).
  std::optional<std::uint64_t> rows{};
  // Indices of the inputs read only at the first step of each row, their value held for the
  // rest of the row (q in the QK unit; the row sum in the naive divide).
  std::vector<std::size_t> per_row_inputs{};
  Discipline input_discipline = Discipline::together;
  Discipline output_discipline = Discipline::together;
};

// Every problem of a unit's timing (latency 0, initiation interval 0), or of its options (those,
// row length 0, rows 0), each said as "latency 0: <why and the fix>", for a caller that lists
// them all under the unit's name (graph validation).
std::vector<std::string> timing_problems(const Timing& timing);
std::vector<std::string> option_problems(const UnitOptions& options);
// Throw std::invalid_argument "<unit>: <problem>; <problem>" if there is any, `unit` being how
// the caller names it ("unit 'qk'").
void check_timing(const Timing& timing, std::string_view unit);
void check_options(const UnitOptions& options, std::string_view unit);

}  // namespace dfsim::units
