#pragma once
// What a run of a GraphSpec produced, in a form both the reference model and the engine
// adapter fill in, so that the two can be compared field by field.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph_spec.hpp"

namespace dfsim::verification {

struct NodeOutcome {
  std::string name;
  Cycle final_clock = 0;  // at return, or where it started waiting when deadlocked
  Cycle starved = 0;
  Cycle backpressured = 0;
  bool finished = false;
  std::vector<std::uint64_t> received;  // sinks: every value popped, input by input
};

struct ChannelOutcome {
  std::string name;
  std::uint64_t elements = 0;
  std::uint64_t peak_occupancy = 0;
};

struct BlockedOutcome {
  std::string context;
  Cycle clock = 0;
  std::string operation;      // "dequeue", "peek", "enqueue", "fan-out credit", "select"
  std::string channel;        // for a select: its empty inputs, comma separated
  std::string channel_state;  // "empty" or "full (C of C)"
  std::string other_end;
  bool other_end_finished = false;
};

struct Outcome {
  std::string status;  // "completed", "deadlock" or "failed"
  Cycle elapsed = 0;
  std::vector<NodeOutcome> nodes;
  std::vector<ChannelOutcome> channels;
  std::vector<BlockedOutcome> blocked;
  std::string failure;  // a failed run: who threw what
};

// The first field in which `actual` differs from `expected`, described for people; nullopt
// when they agree. `kind` names the field ("node.final_clock", "channel.peak_occupancy", ...)
// so a reducer can insist on the same kind of difference.
struct Difference {
  std::string kind;
  std::string text;
};
std::optional<Difference> first_difference(const Outcome& expected, const Outcome& actual);

std::string describe(const Outcome& outcome);

}  // namespace dfsim::verification
