#pragma once
// Runs a GraphSpec on the engine: the node programs of graph_spec.hpp as context bodies
// over the engine's API, and the RunResult turned into an Outcome.
#include <dfsim/engine.hpp>

#include "graph_spec.hpp"
#include "outcome.hpp"

namespace dfsim::verification {

struct EngineConfig {
  const char* name = "sequential";
  unsigned threads = 1;
  Placement placement = Placement::automatic;
};

Outcome run_engine(const GraphSpec& g, const EngineConfig& config);

}  // namespace dfsim::verification
