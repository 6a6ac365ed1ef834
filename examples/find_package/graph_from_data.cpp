// A graph built from data against an installed dfsim (find_package(dfsim), dfsim::graph): a
// source of three int64 values, a Map computing the native expression "a * 10", a keeping sink.
// Prints the cycles and the values kept; exits 1 if the run did not complete.
#include <cstdio>

#include "dfsim/graph/build.hpp"

int main() {
  using namespace dfsim::graph;
  GraphSpec g;
  g.channels = {{.name = "x", .type = {ScalarType::int64}}, {.name = "y", .type = {ScalarType::int64}}};
  g.nodes.push_back({.name = "src", .kind = NodeKind::source, .outputs = {{"x"}},
                     .data = {.integers = {1, 2, 3}}});
  g.nodes.push_back({.name = "times_ten", .kind = NodeKind::map, .inputs = {"x"},
                     .outputs = {{"y"}}, .compute = {.outputs = {"a * 10"}}});
  g.nodes.push_back({.name = "out", .kind = NodeKind::sink, .inputs = {"y"}});
  GraphRun r = run(g);
  std::printf("%s in %llu cycles:", dfsim::to_string(r.result.status),
              static_cast<unsigned long long>(r.result.elapsed_cycles));
  for (auto v : r.kept.at(0).integers) std::printf(" %lld", static_cast<long long>(v));
  std::printf("\n");
  return r.result.ok() ? 0 : 1;
}
