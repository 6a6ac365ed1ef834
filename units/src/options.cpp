#include "dfsim/units/options.hpp"
#include "dfsim/units/map.hpp"

#include <stdexcept>
#include <string>

namespace dfsim::units {

void check_timing(const Timing& timing, std::string_view unit) {
  std::string who(unit);
  if (timing.latency == 0)
    throw std::invalid_argument(who + ": latency 0: a unit's latency is at least 1 cycle (a "
                                      "result is visible downstream the cycle after it is written "
                                      "at the earliest)");
  if (timing.initiation_interval == 0)
    throw std::invalid_argument(who + ": initiation interval 0: a unit accepts at most one input "
                                      "per cycle, so the initiation interval is at least 1");
}

void check_options(const UnitOptions& options, std::string_view unit) {
  check_timing(options.timing, unit);
  std::string who(unit);
  if (options.row_length == 0 && !options.row_lengths)
    throw std::invalid_argument(who + ": row length 0: a row has at least one step (give "
                                      "row_length = the number of inputs folded per output)");
  if (options.rows && *options.rows == 0)
    throw std::invalid_argument(who + ": rows 0: give at least 1, or leave rows unset to run "
                                      "until an input ends");
}

namespace detail {

bool is_element_wise(const UnitOptions& o) noexcept {
  return o.row_length == 1 && !o.row_lengths && !o.rows && o.per_row_inputs.empty() &&
         o.timing.startup_delay == 0 && o.timing.per_row_delay == 0;
}

}  // namespace detail
}  // namespace dfsim::units
