#pragma once
// A random test graph as plain data: channels with their parameters and nodes that each run
// one small fixed program. Both the reference model and the engine adapter interpret it, so
// it holds no engine types.
//
//   GraphSpec g{
//       .nodes = {{.kind = NodeKind::source, .count = 3}, {.kind = NodeKind::sink}},
//       .channels = {{.from = 0, .to = 1, .capacity = 2}},
//   };
//
// The node programs (docs/semantics.md gives the timing of every operation):
//   source(count): for i < count: v = mix(id, i); write v to the outputs; advance(II)
//   map:   loop { take every input (end of stream on any: return); v = mix of the inputs;
//                 write v to the outputs; advance(II) }
//   merge: loop { i = select(inputs) (all ended: return); x = pop input i;
//                 v = mix(x, i); write v to the outputs; advance(II) }
//   sink:  loop { stop after `limit` steps; take every input (end on any: return);
//                 record the values; advance(II) }   (II may be 0 for a sink)
//   map with rows: step j of a row takes the per-row inputs only when j = 0, and writes only
//                 when j = row_length - 1 if writes_per_row (the reference model only)
// Taking the inputs (maps and sinks), docs/semantics.md "Several outputs, several inputs":
//   in order (default): pop input 0, pop input 1, ...: each slot frees as soon as it is popped;
//   peek_first:         peek input 0, then pop them all in order (the authors' QK unit);
//   inputs_together:    peek every input in order, then pop them all in order: every pop
//                       is at the clock of the last peek, so the slots free at one cycle.
//                       It includes peek_first's peek.
// Writing the outputs (sources, maps, merges), every write stamped from the issue clock t
// (the clock when the step starts writing): with P > 0 as push_at(v, t + P), visible at
// max(t + P, t' + L) where t' is the clock after the write's credit wait; with P = 0 at t' + L.
//   together (default): wait until every output has credit (one output: a plain push, an
//                       "enqueue" wait; several: an atomic fan-out, a "fan-out credit" wait),
//                       then write all at one clock;
//   outputs_in_order:   write output 0, then output 1, ..., each after its own credit wait
//                       ("enqueue"), so the clock may move between two writes.
// With no outputs there is nothing to wait for.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dfsim::verification {

using Cycle = std::uint64_t;

enum class NodeKind { source, map, merge, sink };

const char* to_string(NodeKind kind) noexcept;

struct NodeSpec {
  NodeKind kind = NodeKind::map;
  Cycle ii = 1;      // initiation interval: the clock advance after each step
  Cycle stamp = 0;   // P: pipeline depth of its pushes, 0 for none
  std::uint64_t count = 0;               // source: elements it sends
  std::optional<std::uint64_t> limit;    // sink: steps before it returns early
  bool peek_first = false;               // map, sink: peek input 0 before the pops
  bool inputs_together = false;          // map, sink: peek every input before the pops
  bool outputs_in_order = false;         // source, map, merge: one write after another
  // Rows (map only; the reference model only: tests/sdpa/dam_fidelity_test.cpp runs the
  // attention units this way). A step reads the inputs of per_row_inputs (bit i: input i) only
  // at the first step of each row of row_length steps; writes_per_row writes only at the last
  // step of a row (a Reduce).
  std::uint64_t row_length = 1;
  std::uint32_t per_row_inputs = 0;
  bool writes_per_row = false;

  bool operator==(const NodeSpec&) const = default;
};

struct ChannelSpec {
  int from = 0;  // sending node
  int to = 0;    // receiving node
  std::optional<std::uint64_t> capacity = 2;  // std::nullopt: unbounded
  Cycle latency = 1;
  Cycle response_latency = 1;

  bool operator==(const ChannelSpec&) const = default;
};

// A node's inputs (outputs) are the channels with to (from) equal to its index, in channel
// order.
struct GraphSpec {
  std::vector<NodeSpec> nodes;
  std::vector<ChannelSpec> channels;

  std::vector<int> inputs(int node) const;
  std::vector<int> outputs(int node) const;

  bool operator==(const GraphSpec&) const = default;
};

// Every reason the spec is not a graph both models accept; empty when it is.
std::vector<std::string> problems(const GraphSpec& g);

// The names both models give to nodes and channels: "n3", "c7".
std::string node_name(int node);
std::string channel_name(int channel);

// The value hash of the node programs (a SplitMix64 finalizer over a combined word).
std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept;
std::uint64_t source_value(int node, std::uint64_t i) noexcept;
std::uint64_t map_value(int node, const std::vector<std::uint64_t>& inputs) noexcept;
std::uint64_t merge_value(int node, std::uint64_t x, std::size_t input) noexcept;

// For people: one line per node and channel.
std::string describe(const GraphSpec& g);
// A C++ expression that rebuilds `g`, to paste into regressions_test.cpp.
std::string to_cpp(const GraphSpec& g);

// Total elements the sources emit (a rough size of the run).
std::uint64_t source_elements(const GraphSpec& g);

}  // namespace dfsim::verification
