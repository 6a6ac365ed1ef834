// docs/adding-a-unit.md's filter and RMS normalization, run: the page shows these lines and
// those of adding_a_unit.hpp. tests/units/example_test.cpp derives the cycles.
#include <cmath>
#include <iostream>
#include <vector>

#include "adding_a_unit.hpp"

using namespace example;

int main() {
  {
    Program g;
    auto [x_tx, x_rx] = g.channel<int>("x");
    auto [y_tx, y_rx] = g.channel<int>("y");
    std::vector<int> kept;
    g.add("source", units::memory_source(std::vector<int>{3, -1, 4, -1, 5}), std::move(x_tx));
    g.add("positive", filter([](int v) { return v > 0; }, {.latency = 3}), std::move(x_rx), std::move(y_tx));
    g.add("sink", units::collect(kept), std::move(y_rx));
    RunResult r = run(g);
    std::cout << "filter kept";
    for (int v : kept) std::cout << " " << v;
    std::cout << " in " << r.elapsed_cycles << " cycles\n";
  }
  std::vector<double> x(6 * 16);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(double(i));
  {
    Program g;
    std::vector<double> y;
    build_rms_norm(g, x, 6, 16, 16 + 8, y);
    RunResult r = run(g);   // r.elapsed_cycles == 6 * 16 + 16 + 5; r.channel("long").peak_occupancy == 16 + 5
    std::cout << "rms_norm in " << r.elapsed_cycles << " cycles, long at most "
              << r.channel("long").peak_occupancy << "\n";
  }
  return 0;
}
