#pragma once
// Sources: units with no inputs that stream values from a memory, one per step. With the
// default timing (latency 1, II 1) an element is written every cycle and stamped clock + 1.
// The stream is a grid of `rows` x `row_length` elements; the per-row delay is spent before
// every row. The output is one port: a Sender, or a std::array or std::vector of Senders (a
// fan-out).
//
//   // K streamed once per query row: n rows of the n keys
//   g.add("k_source", units::source([&](std::uint64_t, std::uint64_t j) { return k[j]; },
//                                   {.row_length = n, .rows = n}),
//         std::move(k_tx));
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/units/detail/ports.hpp"
#include "dfsim/units/detail/step_unit.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units {

// The fields UnitOptions has, in UnitOptions' order (designated initializers carry over).
struct SourceOptions {
  Timing timing{};
  std::uint64_t row_length = 1;
  std::function<std::uint64_t(std::uint64_t)> row_lengths{};  // as in UnitOptions
  std::uint64_t rows = 1;
  // With a fan-out port or several ports: write each step's outputs together or in order.
  Discipline output_discipline = Discipline::together;
};

namespace detail {

// A source is a unit with no inputs whose step writes fn(row, j).
template <class Fn>
struct SourceKind {
  struct State {
    std::uint64_t row = 0;
    std::uint64_t j = 0;
  };
  static constexpr bool writes_every_step = true;
  Fn fn;
  State initial() const { return {}; }
  void reset(State& s) const { s = {s.row + 1, 0}; }
  auto step(State& s) const { return fn(s.row, s.j++); }
};

template <class Fn>
class SourceUnit {
 public:
  SourceUnit(Fn fn, SourceOptions options) : unit_(SourceKind<Fn>{std::move(fn)}, unit_options(options)), options_(options) {}

  template <class... Ports>
  Process operator()(Context& ctx, Ports... ports) const {
    static_assert(sizeof...(Ports) >= 1 && (PortTraits<Ports>::is_port && ...),
                  "a source's ends are its output ports: a Sender, or a std::array or "
                  "std::vector of Senders");
    check_timing(options_.timing, "source '" + ctx.name() + "'");
    if (options_.row_length == 0 && !options_.row_lengths)
      throw std::invalid_argument("source '" + ctx.name() + "': row length 0: a row has at "
                                  "least one element (use rows = 0 for an empty stream)");
    if (options_.rows == 0) return nothing();
    return unit_(ctx, std::move(ports)...);
  }

 private:
  static UnitOptions unit_options(const SourceOptions& o) {
    return {.timing = o.timing, .row_length = o.row_length, .row_lengths = o.row_lengths,
            .rows = o.rows, .output_discipline = o.output_discipline};
  }
  static Process nothing() { co_return; }

  StepUnit<SourceKind<Fn>> unit_;
  SourceOptions options_;
};

}  // namespace detail

// Writes fn(row, j) for row in [0, rows), j in [0, row_length) (or [0, row_lengths(row))), in
// that order.
template <class Fn>
auto source(Fn fn, SourceOptions options = {}) {
  return detail::SourceUnit<Fn>(std::move(fn), options);
}

struct MemoryOptions {
  Timing timing{};
  std::uint64_t passes = 1;  // times the whole memory is streamed; each pass is one row
};

// Streams `values`, `passes` times over.
template <class T>
auto memory_source(std::vector<T> values, MemoryOptions options = {}) {
  auto memory = std::make_shared<const std::vector<T>>(std::move(values));
  std::uint64_t size = memory->size();
  return source([memory](std::uint64_t, std::uint64_t j) { return (*memory)[j]; },
                {.timing = options.timing, .row_length = size ? size : 1,
                 .rows = size ? options.passes : 0});
}

// Streams a row-major matrix of rows of `width` values, one row per step, as
// std::span<const T> into the memory (which lives as long as the Program). Sinks that keep
// elements past the run must copy them.
template <class T>
auto memory_rows_source(std::vector<T> data, std::size_t width, MemoryOptions options = {}) {
  if (width == 0 || data.size() % width != 0)
    throw std::invalid_argument("units::memory_rows_source: " + std::to_string(data.size()) +
                                " values are not rows of width " + std::to_string(width));
  auto memory = std::make_shared<const std::vector<T>>(std::move(data));
  std::uint64_t rows = memory->size() / width;
  return source(
      [memory, width](std::uint64_t, std::uint64_t j) {
        return std::span<const T>(memory->data() + j * width, width);
      },
      {.timing = options.timing, .row_length = rows ? rows : 1,
       .rows = rows ? options.passes : 0});
}

}  // namespace dfsim::units
