#pragma once
// Shared by the subcommands: parsing common values and printing a run for people.
#include <optional>
#include <string>

#include "dfsim/engine/run_result.hpp"

namespace dfsim::cli {

// "unbounded" or a positive integer; throws UsageError naming `flag` otherwise.
std::optional<std::uint64_t> parse_capacity(const std::string& text, const std::string& flag);

// Elapsed cycles, transfers, wall time and rates; the deadlock report or failure if any.
void print_run_summary(const RunResult& r);

// "stalls": every context's busy and waiting cycles and the one line that says what bounds
// the run (stall_summary.hpp), for people.
void print_stall_summary(const RunResult& r);

// The exit status a run maps to (exit_codes.hpp); prints the problem to stderr.
int exit_status(const RunResult& r);

}  // namespace dfsim::cli
