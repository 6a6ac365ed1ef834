// Names of variants, precisions and presets, as users type them.
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {

std::string_view to_string(Variant v) noexcept {
  switch (v) {
    case Variant::naive: return "naive";
    case Variant::naive_stable: return "naive-stable";
    case Variant::reordered: return "reordered";
    case Variant::reordered_stable: return "reordered-stable";
  }
  return "?";
}

std::optional<Variant> parse_variant(std::string_view text) noexcept {
  for (Variant v : {Variant::naive, Variant::naive_stable, Variant::reordered,
                    Variant::reordered_stable})
    if (text == to_string(v)) return v;
  return std::nullopt;
}

std::vector<Variant> all_variants() {
  return {Variant::naive, Variant::naive_stable, Variant::reordered, Variant::reordered_stable};
}

std::string_view to_string(Precision p) noexcept {
  switch (p) {
    case Precision::fp64: return "fp64";
    case Precision::fp32: return "fp32";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view text) noexcept {
  if (text == "fp64") return Precision::fp64;
  if (text == "fp32") return Precision::fp32;
  return std::nullopt;
}

std::string_view to_string(Preset p) noexcept {
  switch (p) {
    case Preset::unit: return "unit";
    case Preset::spatial_calibrated: return "spatial-calibrated";
  }
  return "?";
}

std::optional<Preset> parse_preset(std::string_view text) noexcept {
  if (text == "unit") return Preset::unit;
  if (text == "spatial-calibrated") return Preset::spatial_calibrated;
  return std::nullopt;
}

std::string_view role_name(std::string_view name) noexcept {
  auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

std::vector<std::string> long_fifo_names(Variant v) {
  std::vector<std::string> names;
  for (const auto& name : fifo_names(v))
    if (name.find("long") != std::string::npos) names.push_back(name);
  return names;
}

}  // namespace dfsim::sdpa
