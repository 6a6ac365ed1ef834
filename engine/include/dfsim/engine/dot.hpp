#pragma once
// The graph of a run for Graphviz: contexts as boxes labelled with their final clock and
// waiting cycles, channels as edges labelled with capacity, elements and peak occupancy.
// Dotted names ("head0.qk") become nested clusters. Render: dot -Tsvg run.dot -o run.svg
#include <string>

#include "dfsim/engine/run_result.hpp"

namespace dfsim {

std::string to_dot(const RunResult& result);

}  // namespace dfsim
