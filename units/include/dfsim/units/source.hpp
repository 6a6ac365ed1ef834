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

#include "dfsim/engine/bulk.hpp"
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

template <class Port>
inline constexpr bool is_one_sender = false;
template <class T>
inline constexpr bool is_one_sender<Sender<T>> = true;

// A source is a unit with no inputs whose step writes fn(row, j).
template <class Fn>
using SourceKind = CountsRowAndStep<Fn>;

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
    if constexpr (sizeof...(Ports) == 1 && (is_one_sender<Ports> && ...)) {
      if (streams_back_to_back() && (holds_long_moves(ports) && ...))
        return stream(ctx, std::move(ports)...);
    }
    return unit_(ctx, std::move(ports)...);
  }

 private:
  // One Sender, no per-row delay, rows of one length: after the startup delay the steps are
  // back to back, one every II cycles, and the writes that need no wait are moved in bulk
  // (dfsim/engine/bulk.hpp).
  static constexpr std::uint64_t kShortestMove = 4;
  bool streams_back_to_back() const noexcept {
    return !options_.row_lengths && options_.timing.per_row_delay == 0 &&
           options_.rows <= ~std::uint64_t{0} / options_.row_length;
  }
  // A FIFO shallower than the shortest move never gets one: its stream loop would only add
  // the test for a move to every step (the calibrated attention graphs' depth-2 FIFOs: +5%
  // instructions for a whole run). Those sources run the plain step loop.
  template <class T>
  static bool holds_long_moves(const Sender<T>& out) noexcept {
    return !out.state()->bounded() || out.state()->capacity() >= kShortestMove;
  }
  template <class T>
  Process stream(Context& ctx, Sender<T> out) const {
    const PipelineDepth depth{options_.timing.latency};
    const Cycle ii = options_.timing.initiation_interval;
    const std::uint64_t row_length = options_.row_length;
    std::uint64_t left = options_.rows * row_length, row = 0, j = 0;
    auto next = [&, &fn = unit_.kind().fn] {
      T value(fn(row, j));
      if (++j == row_length) {
        j = 0;
        ++row;
      }
      return value;
    };
    ctx.advance(options_.timing.startup_delay);
    while (left > 0) {
      // Only long moves: from a source back-pressured by its consumer a move would be of one or
      // two elements, and its set-up cost more than the plain pushes.
      const std::uint64_t moved = push_ready(ctx, out, next, depth, ii, left, kShortestMove);
      left -= moved;
      if (moved > 0) continue;
      // Credit for few elements, or none: stamped from the clock before the wait, as a step is.
      co_await out.push(next(), depth);
      ctx.advance(ii);
      --left;
    }
  }
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

// Writes fn(0), fn(1), ..., fn(count - 1) (nothing for count 0).
//   g.add("src", units::index_source(n, [](std::uint64_t i) { return double(i); }), std::move(tx));
template <class Fn>
auto index_source(std::uint64_t count, Fn fn, Timing timing = {}) {
  return source([fn = std::move(fn)](std::uint64_t, std::uint64_t i) { return fn(i); },
                {.timing = timing, .row_length = count ? count : 1, .rows = count ? 1u : 0u});
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
