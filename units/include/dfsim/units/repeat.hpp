#pragma once
// Repeat: writes each input `count` times, one write per step (every II cycles): an
// alternative to a per-row input. It is a Map whose one input is per-row, with rows of
// `count` steps, so each input costs the per-row delay once.
//
//   g.add("q_repeat", units::repeat(n), std::move(q_rx), std::move(q_each_tx));
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "dfsim/units/map.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::units {

struct RepeatOptions {
  Timing timing{};
  std::optional<std::uint64_t> inputs{};  // inputs to repeat; std::nullopt: until the input ends
};

// Throws std::invalid_argument "<unit>: count 0: ..." for a count of 0.
inline void check_repeat_count(std::uint64_t count, std::string_view unit) {
  if (count == 0)
    throw std::invalid_argument(std::string(unit) + ": count 0: each input is written at least once");
}

inline auto repeat(std::uint64_t count, RepeatOptions options = {}) {
  check_repeat_count(count, "units::repeat");
  return map([](const auto& x) { return x; }, UnitOptions{.timing = options.timing,
                                                          .row_length = count,
                                                          .rows = options.inputs,
                                                          .per_row_inputs = {0}});
}

}  // namespace dfsim::units
