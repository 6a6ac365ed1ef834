#pragma once
// Seeded random DAGs of the node programs in graph_spec.hpp: fan-out, fan-in (maps and sinks
// with several inputs), select (merges), capacities from 1 to 8 and unbounded, latencies,
// response latencies, stamps and initiation intervals, and both disciplines of several outputs
// (together, in order) and of several inputs (together, in order, peek first). Back-pressure
// is the common case: about 60% of the channels hold 1 or 2 elements, more behind pipelined
// senders (P > 1) and in front of slow receivers (II 2-3), and about half the nodes that
// write fan out to 2 or 3 outputs. Element counts are consistent (a map's or sink's inputs
// carry equally many elements, a merge carries the sum of its inputs) except in the "trouble"
// graphs, which provoke deadlocks on purpose with a sink that stops early or a map whose
// inputs carry different counts. The same seed gives the same graph on every platform (the
// generator has its own random numbers).
#include <cstdint>

#include "graph_spec.hpp"

namespace dfsim::verification {

struct GeneratorOptions {
  int min_nodes = 2;
  int max_nodes = 20;  // before the sinks that close dangling outputs
  std::uint64_t max_source_elements = 200;
  std::uint64_t max_channel_elements = 400;  // merges add up counts; this caps them
  double trouble_fraction = 0.15;            // graphs built to deadlock
  double components_fraction = 0.3;          // graphs of 2 or 3 unconnected parts
  double large_fraction = 0.02;              // graphs of 64 to 96 nodes with few elements
};

GraphSpec random_graph(std::uint64_t seed, const GeneratorOptions& options = {});

// SplitMix64: small, fast, and the same everywhere (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept;
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return lo + below(hi - lo + 1);
  }
  bool chance(double p) noexcept { return static_cast<double>(next() >> 11) * 0x1p-53 < p; }

 private:
  std::uint64_t state_;
};

}  // namespace dfsim::verification
