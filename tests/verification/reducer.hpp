#pragma once
// Shrinks a failing graph: greedily deletes nodes, channels and elements and simplifies
// parameters while the failure persists, so that it can become a small regression test
// (print it with to_cpp and paste it into regressions_test.cpp).
//
//   auto fails = [&](const GraphSpec& g) { return same_failure(g); };
//   GraphSpec small = reduce(random_graph(seed), fails);
#include <functional>
#include <ostream>

#include "graph_spec.hpp"

namespace dfsim::verification {

// `still_fails` must hold for `g`; it holds for the result, and for no single further
// deletion or simplification the reducer knows. Progress goes to `log` if given.
GraphSpec reduce(GraphSpec g, const std::function<bool(const GraphSpec&)>& still_fails,
                 std::ostream* log = nullptr);

}  // namespace dfsim::verification
