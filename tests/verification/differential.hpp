#pragma once
// One differential check: a graph run by the reference model and by engine executors, the
// outcomes compared field by field. Shared by differential_test, regressions_test and the
// verification_soak tool.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine_adapter.hpp"
#include "graph_spec.hpp"
#include "outcome.hpp"

namespace dfsim::verification {

// The sequential executor and the parallel one at 2 and 4 threads, placed automatically
// (whole components per worker) and round-robin (every channel crosses threads).
std::span<const EngineConfig> all_configs();
// Only the sequential executor.
std::span<const EngineConfig> sequential_config();
// The configurations with the given names (comma separated), or all for "all".
std::vector<EngineConfig> configs_named(const std::string& names);

struct Mismatch {
  std::string config;  // the executor that disagrees, or "reference.reverse"
  Difference difference;
  Outcome reference;
  Outcome engine;
};

// The first disagreement with the reference, if any. The reference is also rerun with its
// nodes visited in reverse order, which must not change its outcome.
std::optional<Mismatch> check_graph(const GraphSpec& g, std::span<const EngineConfig> configs);

// For people: the seed (if the graph came from one), the graph, the first difference
// and both outcomes.
std::string report(std::optional<std::uint64_t> seed, const GraphSpec& g, const Mismatch& m);

}  // namespace dfsim::verification
