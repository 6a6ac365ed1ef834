#pragma once
// The names users type for a variant, a timing preset, a precision and a causal mode, read in
// one place for the command line (`--variant`, `--preset`, ...) and Python (variant=, ...), so
// that both refuse a bad name with the same message. Each throws std::invalid_argument naming
// the value and listing the valid ones; the command line turns it into a usage error.
//
//   sdpa::Variant v = variant_argument("naive-stable");
//   variant_argument("flash");   // "unknown variant 'flash': valid variants are naive, ..."
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

sdpa::Variant variant_argument(const std::string& text);
sdpa::Preset preset_argument(const std::string& text);
sdpa::Precision precision_argument(const std::string& text);
// none, mask or skip.
sdpa::Causal causal_argument(const std::string& text);

// "naive, naive-stable, reordered, reordered-stable": for messages that list them.
std::string variant_names();

}  // namespace dfsim::experiments
