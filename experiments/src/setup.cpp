// A configuration ready to simulate, and its JSON (setup.hpp).
#include "dfsim/experiments/setup.hpp"

#include <fmt/core.h>

#include "dfsim/engine/run_result_json.hpp"

namespace dfsim::experiments {

RunSetup make_setup(const sdpa::AttentionConfig& config, Inputs inputs, unsigned threads) {
  check_threads(threads);
  RunSetup s{.config = config,
          .resolved = sdpa::resolve(config),
          .inputs = std::move(inputs.tensors),
          .inputs_text = std::move(inputs.text),
          .threads = threads};
  return s;
}

std::string capacity_text(const std::optional<std::uint64_t>& capacity) {
  return capacity ? std::to_string(*capacity) : "unbounded";
}

std::string config_line(const sdpa::AttentionConfig& c) {
  return fmt::format("{}, N = {}, d = {}, {}, preset {}, {} head{}{}", sdpa::to_string(c.variant),
                     c.n, c.d, sdpa::to_string(c.precision), sdpa::to_string(c.preset), c.heads,
                     c.heads == 1 ? "" : "s",
                     c.causal == sdpa::Causal::none
                         ? ""
                         : fmt::format(", causal ({})", sdpa::to_string(c.causal))) +
         (c.decode_rows ? fmt::format(", decode {} row{}", c.decode_rows, c.decode_rows == 1 ? "" : "s")
                        : "") +
         (sdpa::kv_heads(c) != c.heads ? fmt::format(", {} K/V head{}", sdpa::kv_heads(c),
                                                     sdpa::kv_heads(c) == 1 ? "" : "s")
                                       : "") +
         (c.lanes > 1 ? fmt::format(", {} lanes", c.lanes) : "");
}

nlohmann::ordered_json config_json(const RunSetup& s) {
  const auto& c = s.config;
  nlohmann::ordered_json j;
  j["variant"] = sdpa::to_string(c.variant);
  j["n"] = c.n;
  j["d"] = c.d;
  j["precision"] = sdpa::to_string(c.precision);
  j["causal"] = sdpa::to_string(c.causal);
  j["decode_rows"] = c.decode_rows;  // 0: prefill
  j["preset"] = sdpa::to_string(c.preset);
  j["heads"] = c.heads;
  j["kv_heads"] = sdpa::kv_heads(c);
  j["lanes"] = c.lanes;
  j["threads"] = s.threads;
  j["unbounded"] = c.unbounded;
  j["inputs"] = s.inputs_text;
  j["max_initiation_interval"] = s.resolved.max_initiation_interval;
  auto& depths = j["depths"] = nlohmann::ordered_json::object();
  for (const auto& [name, depth] : s.resolved.depths)
    depths[name] = capacity_json(depth);
  auto& units = j["units"] = nlohmann::ordered_json::object();
  for (const auto& [name, t] : s.resolved.units)
    units[name] = {{"latency", t.latency},
                   {"initiation_interval", t.initiation_interval},
                   {"startup_delay", t.startup_delay},
                   {"per_row_delay", t.per_row_delay}};
  return j;
}

}  // namespace dfsim::experiments
