// The names users type, read once for the command line and Python (arguments.hpp).
#include "dfsim/experiments/arguments.hpp"

#include <stdexcept>
#include <vector>

namespace dfsim::experiments {
namespace {

template <class T>
std::string names(const std::vector<T>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + std::string(sdpa::to_string(item));
  return text;
}

}  // namespace

std::string variant_names() { return names(sdpa::all_variants()); }

sdpa::Variant variant_argument(const std::string& text) {
  if (auto v = sdpa::parse_variant(text)) return *v;
  throw std::invalid_argument("unknown variant '" + text + "': valid variants are " + variant_names());
}

sdpa::Preset preset_argument(const std::string& text) {
  if (auto p = sdpa::parse_preset(text)) return *p;
  throw std::invalid_argument("unknown preset '" + text + "': valid presets are " +
                              names(std::vector{sdpa::Preset::one_cycle, sdpa::Preset::spatial_calibrated}));
}

sdpa::Precision precision_argument(const std::string& text) {
  if (auto p = sdpa::parse_precision(text)) return *p;
  throw std::invalid_argument("unknown precision '" + text + "': valid precisions are " +
                              names(sdpa::all_precisions()));
}

sdpa::Causal causal_argument(const std::string& text) {
  if (auto c = sdpa::parse_causal(text)) return *c;
  throw std::invalid_argument("unknown causal '" + text +
                              "': give mask (stream every key, mask j > i to -inf), skip (stream "
                              "only the keys j <= i) or none");
}

}  // namespace dfsim::experiments
