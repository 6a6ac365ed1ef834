// Two contexts joined by one channel, built against an installed dfsim (find_package(dfsim)).
// Prints the cycles and the values that arrived; exits 1 if the run did not complete.
#include <cstdio>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

int main() {
  using namespace dfsim;
  std::vector<int> received;
  Program g;
  auto [out, in] = g.channel<int>("x", {.capacity = 2});
  g.add("source", units::memory_source(std::vector{1, 2, 3}), std::move(out));
  g.add("sink", units::collect(received), std::move(in));
  RunResult r = run(g);
  std::printf("%s in %llu cycles:", to_string(r.status),
              static_cast<unsigned long long>(r.elapsed_cycles));
  for (int v : received) std::printf(" %d", v);
  std::printf("\n");
  return r.ok() ? 0 : 1;
}
