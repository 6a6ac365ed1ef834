#pragma once
// What every executor returns: the same object, bit for bit, for the same graph.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dfsim/engine/cycle.hpp"

namespace dfsim {

enum class RunStatus {
  completed,  // every context returned
  deadlock,   // simulated deadlock: see RunResult::deadlock
  failed,     // a context threw: see RunResult::failure
  cycle_limit,  // a clock passed RunOptions::cycle_limit: stopped, neither completed nor stuck
};

const char* to_string(RunStatus status) noexcept;

struct ContextStats {
  std::string name;
  Cycle final_clock = 0;  // at return, or where it was blocked
  Cycle starved_cycles = 0;
  Cycle backpressured_cycles = 0;
  bool finished = false;
};

struct ChannelStats {
  std::string name;
  std::optional<std::uint64_t> capacity;  // nullopt: unbounded
  Cycle latency = 1;
  Cycle response_latency = 1;
  std::uint64_t elements = 0;  // enqueued over the run
  std::uint64_t peak_occupancy = 0;
  std::string sender;
  std::string receiver;
};

// One context that could not go on when the simulation deadlocked.
struct BlockedContext {
  std::string context;
  Cycle clock = 0;
  std::string operation;  // "dequeue", "peek", "enqueue", "fan-out credit", "select"
  std::string channel;    // for a select: the inputs, comma separated
  std::string channel_state;  // "empty", "full", ...
  std::string other_end;      // the context at the other end of `channel`
  bool other_end_finished = false;
};

struct DeadlockReport {
  std::vector<BlockedContext> blocked;
  std::string to_string() const;
};

struct ContextFailure {
  std::string context;
  Cycle clock = 0;
  std::string message;
};

struct RunResult {
  RunStatus status = RunStatus::completed;
  Cycle elapsed_cycles = 0;  // the largest finite clock any context reached
  double wall_seconds = 0;
  unsigned threads = 1;
  std::vector<ContextStats> contexts;
  std::vector<ChannelStats> channels;
  std::optional<DeadlockReport> deadlock;
  std::optional<ContextFailure> failure;

  bool ok() const noexcept { return status == RunStatus::completed; }
  // Throws std::out_of_range naming the missing entry.
  const ChannelStats& channel(std::string_view name) const;
  const ContextStats& context(std::string_view name) const;
  // Sum of elements over all channels: the "channel transfers" of a run.
  std::uint64_t transfers() const noexcept;
  // One line per problem, for people: the deadlock report or the failure.
  std::string describe_problem() const;
};

}  // namespace dfsim
