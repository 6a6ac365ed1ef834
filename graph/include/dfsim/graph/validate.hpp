#pragma once
// Everything wrong with a GraphSpec, each problem naming the channel or node, before anything
// is built (like Program::problems()).
//
//   for (const std::string& p : problems(spec)) std::cerr << p << '\n';
//   validate(spec);   // throws dfsim::GraphError listing them all
#include <string>
#include <vector>

#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph {

// Checks names (empty, duplicated), channel options (capacity 0, latencies), each node's ends
// (unknown channel, a channel with two senders or two receivers or none, the arity and types
// its kind needs), options (latency 0, II 0, row length 0, rows 0, per-row inputs), compute
// (a missing or malformed expression, an unknown variable, a vector expression on scalars)
// and data (count, type). Reading .npy files is left to build.
std::vector<std::string> problems(const GraphSpec& spec);

// Throws dfsim::GraphError (engine/errors.hpp) with problems(spec) if there are any.
void validate(const GraphSpec& spec);

}  // namespace dfsim::graph
