#pragma once
// The unit and the graph of docs/adding-a-unit.md, which shows them from here: built and run by
// adding_a_unit.cpp, and checked cycle by cycle by tests/units/example_test.cpp.
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace example {

using namespace dfsim;

// Filter: one step per input, every II cycles; writes the input P cycles later, only if
// keep(x) holds.
template <class Keep>
auto filter(Keep keep, units::Timing timing = {}) {
  units::check_timing(timing, "filter");
  return [keep, timing]<class T>(Context& ctx, Receiver<T> in, Sender<T> out) -> Process {
    ctx.advance(timing.startup_delay);
    while (auto x = co_await in.pop()) {  // waits until x is visible; frees its slot 1 later
      if (keep(*x)) co_await out.push(std::move(*x), PipelineDepth{timing.latency});
      ctx.advance(timing.initiation_interval);
    }
  };
}

// RMS normalization of the rows of x (rows x cols): y_ij = x_ij / sqrt(mean_j x_ij^2 + eps).
// A row's statistic exists only after its last element, so the elements wait in `long`.
inline void build_rms_norm(Program& g, const std::vector<double>& x, std::uint64_t rows,
                           std::uint64_t cols, std::uint64_t long_depth, std::vector<double>& y) {
  auto [short_tx, short_rx] = g.channel<double>("short");
  auto [long_tx, long_rx] = g.channel<double>("long", {.capacity = long_depth});
  auto [ms_tx, ms_rx] = g.channel<double>("mean_square");
  auto [y_tx, y_rx] = g.channel<double>("y", {.capacity = 3});  // latency 2 + 1: full rate
  g.add("x_source",
        units::source([&x, cols](std::uint64_t i, std::uint64_t j) { return x[i * cols + j]; },
                      {.row_length = cols, .rows = rows}),
        std::array{std::move(short_tx), std::move(long_tx)});
  g.add("mean_square",
        units::reduce(0.0, [cols](double& s, double v) { s += v * v / double(cols); },
                      {.timing = {.latency = 4}, .row_length = cols, .rows = rows}),
        std::move(short_rx), std::move(ms_tx));
  g.add("scale",
        units::map([](double v, double ms) { return v / std::sqrt(ms + 1e-6); },
                   {.timing = {.latency = 2}, .row_length = cols, .rows = rows, .per_row_inputs = {1}}),
        std::move(long_rx), std::move(ms_rx), std::move(y_tx));
  g.add("sink", units::collect(y), std::move(y_rx));
}

}  // namespace example
