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
// The node programs (semantics.md gives the timing of every operation):
//   source(count): for i < count: v = mix(id, i); credit on all outputs; push all; advance(II)
//   map:   loop { [peek input 0]; pop every input in order (end of stream on any: return);
//                 v = mix of the inputs; credit on all outputs; push all; advance(II) }
//   merge: loop { i = select(inputs) (all ended: return); x = pop input i;
//                 v = mix(x, i); credit on all outputs; push all; advance(II) }
//   sink:  loop { stop after `limit` steps; pop every input in order (end on any: return);
//                 record the values; advance(II) }
// A push with stamp P > 0 is push(v, Latency{P}): visible at (clock after credit) + max(P, L).
// With one output the credit is a plain push ("enqueue"); with several an atomic fan-out
// ("fan-out credit"); with none there is nothing to wait for.
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
  bool peek_first = false;               // map: peek input 0 before the pops

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
