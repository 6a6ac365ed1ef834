#pragma once
// The graph of a run for Graphviz: contexts as boxes labelled with their final clock, busy,
// starved and back-pressured cycles; channels as edges labelled with capacity, latencies,
// elements, peak occupancy and the cycles each end waited on them. FIFOs whose sender waited
// for credit are orange, the unit or FIFO that bounds the run (find_bound, also the graph's
// title) red. Dotted names ("head0.qk") become nested clusters.
//
//   std::ofstream("run.dot") << to_dot(run(g));   // then: dot -Tsvg run.dot -o run.svg
#include <string>

#include "dfsim/engine/run_result.hpp"

namespace dfsim {

std::string to_dot(const RunResult& result);

}  // namespace dfsim
