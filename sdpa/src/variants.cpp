// Names of variants, precisions and presets, as users type them.
#include <limits>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/rounded_float.hpp"

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
  for (Variant v : all_variants())
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
    case Precision::fp16: return "fp16";
    case Precision::bf16: return "bf16";
  }
  return "?";
}

std::optional<Precision> parse_precision(std::string_view text) noexcept {
  for (Precision p : all_precisions())
    if (text == to_string(p)) return p;
  return std::nullopt;
}

std::vector<Precision> all_precisions() {
  return {Precision::fp64, Precision::fp32, Precision::fp16, Precision::bf16};
}

std::size_t scalar_bytes(Precision p) noexcept {
  switch (p) {
    case Precision::fp64: return 8;
    case Precision::fp32: return 4;
    case Precision::fp16:
    case Precision::bf16: return 2;
  }
  return 8;
}

double largest_finite(Precision p) noexcept {
  switch (p) {
    case Precision::fp64: return std::numeric_limits<double>::max();
    case Precision::fp32: return std::numeric_limits<float>::max();
    case Precision::fp16: return Fp16Format::max;
    case Precision::bf16: return Bf16Format::max;
  }
  return std::numeric_limits<double>::max();
}

std::string_view to_string(Causal c) noexcept {
  switch (c) {
    case Causal::none: return "none";
    case Causal::mask: return "mask";
    case Causal::skip: return "skip";
  }
  return "?";
}

std::optional<Causal> parse_causal(std::string_view text) noexcept {
  for (Causal c : {Causal::none, Causal::mask, Causal::skip})
    if (text == to_string(c)) return c;
  return std::nullopt;
}

unsigned kv_heads(const AttentionConfig& config) noexcept {
  return config.kv_heads ? config.kv_heads : config.heads;
}

std::size_t query_rows(const AttentionConfig& config) noexcept {
  return config.decode_rows ? config.decode_rows : config.n;
}

std::uint64_t keys_streamed(const AttentionConfig& config) noexcept {
  const std::uint64_t n = config.n;
  return config.causal == Causal::skip ? n * (n + 1) / 2 : query_rows(config) * n;
}

std::uint64_t keys_per_lane(const AttentionConfig& config) noexcept {
  if (config.lanes <= 1) return keys_streamed(config);
  const std::uint64_t n = config.n, lanes = config.lanes;
  if (config.causal == Causal::skip) {
    // Lane 0 streams keys 0, L, 2L, ... <= i in row i: floor(i / L) + 1 of them. With
    // n = q L + r, the floors sum to L q (q - 1) / 2 + r q.
    const std::uint64_t q = n / lanes, r = n % lanes;
    return n + lanes * q * (q - 1) / 2 + r * q;
  }
  return query_rows(config) * ((n + lanes - 1) / lanes);
}

Cycle ideal_cycles(const AttentionConfig& config, const ResolvedConfig& resolved) noexcept {
  return resolved.max_initiation_interval * keys_per_lane(config);
}

std::string_view to_string(Preset p) noexcept {
  switch (p) {
    case Preset::one_cycle: return "one-cycle";
    case Preset::spatial_calibrated: return "spatial-calibrated";
  }
  return "?";
}

std::optional<Preset> parse_preset(std::string_view text) noexcept {
  if (text == "one-cycle" || text == "unit") return Preset::one_cycle;
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
