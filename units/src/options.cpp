#include "dfsim/units/options.hpp"
#include "dfsim/units/map.hpp"

#include <stdexcept>
#include <string>

namespace dfsim::units {
namespace {

void throw_if_any(const std::vector<std::string>& problems, std::string_view unit) {
  if (problems.empty()) return;
  std::string message(unit);
  for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : ": ") + problems[i];
  throw std::invalid_argument(message);
}

}  // namespace

std::vector<std::string> timing_problems(const Timing& timing) {
  std::vector<std::string> problems;
  if (timing.latency == 0)
    problems.push_back("latency 0: a unit's latency is at least 1 cycle (a result is visible "
                       "downstream the cycle after it is written at the earliest)");
  if (timing.initiation_interval == 0)
    problems.push_back("initiation interval 0: a unit accepts at most one input per cycle, so "
                       "the initiation interval is at least 1");
  return problems;
}

std::vector<std::string> option_problems(const UnitOptions& options) {
  std::vector<std::string> problems = timing_problems(options.timing);
  if (options.row_length == 0 && !options.row_lengths)
    problems.push_back("row length 0: a row has at least one step (give row_length = the "
                       "number of inputs folded per output)");
  if (options.rows && *options.rows == 0)
    problems.push_back("rows 0: give at least 1, or leave rows unset to run until an input ends");
  return problems;
}

void check_timing(const Timing& timing, std::string_view unit) {
  throw_if_any(timing_problems(timing), unit);
}

void check_options(const UnitOptions& options, std::string_view unit) {
  throw_if_any(option_problems(options), unit);
}

namespace detail {

bool is_element_wise(const UnitOptions& o) noexcept {
  return o.row_length == 1 && !o.row_lengths && !o.rows && o.per_row_inputs.empty() &&
         o.timing.per_row_delay == 0;
}

}  // namespace detail
}  // namespace dfsim::units
