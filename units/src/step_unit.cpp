#include "dfsim/units/detail/step_unit.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace dfsim::units::detail {

void throw_ended_mid_row(const std::string& channel, std::uint64_t row, std::uint64_t step,
                         std::uint64_t row_length) {
  throw std::runtime_error("input '" + channel + "' ended in the middle of row " +
                           std::to_string(row) + " (after " + std::to_string(step) + " of " +
                           std::to_string(row_length) + " steps): its stream is not whole rows");
}

void throw_ended_early(const std::string& channel, std::uint64_t row, std::uint64_t rows) {
  throw std::runtime_error("input '" + channel + "' ended after " + std::to_string(row) + " of " +
                           std::to_string(rows) + " rows");
}

void throw_row_length_zero(const std::string& unit, std::uint64_t row) {
  throw std::invalid_argument("unit '" + unit + "': row_lengths(" + std::to_string(row) +
                              ") is 0: every row has at least one step");
}

void check_per_row_inputs(const UnitOptions& options, std::size_t inputs, std::string_view unit) {
  for (std::size_t i : options.per_row_inputs)
    if (i >= inputs)
      throw std::invalid_argument(std::string(unit) + ": per-row input " + std::to_string(i) +
                                  " does not exist: it has " + std::to_string(inputs) +
                                  " inputs, numbered from 0 in the order they are passed");
}

}  // namespace dfsim::units::detail
