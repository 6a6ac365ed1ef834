#pragma once
// A spec drawn before it runs (Graphviz dot): a box per node with its kind and timing, an
// edge per channel with its name, type and capacity. After a run, dfsim::to_dot(RunResult)
// (engine/dot.hpp) draws the clocks and occupancies instead.
//
//   std::ofstream("g.dot") << to_dot(spec);   // dot -Tsvg g.dot > g.svg
#include <string>

#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph {

std::string to_dot(const GraphSpec& spec);

}  // namespace dfsim::graph
