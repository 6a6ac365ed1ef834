#pragma once
// Machine-readable statistics: RunResult as JSON (nlohmann::json).
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/stall_summary.hpp"

namespace dfsim {

// Everything in the result, and "bound" (find_bound). docs/outputs.md lists the keys.
//   std::cout << to_json(run(g)).dump(2);
nlohmann::json to_json(const RunResult& result);

// {"kind": "full_channel", "context": "qk", "channel": "long", "cycles": W, "elapsed": C,
//  "text": "out of C cycles, qk waited W on `long`, full"}
nlohmann::json to_json(const ThroughputBound& bound);

// The stall summary alone, for outputs with a schema of their own (dfsim sdpa --json):
// {"bound": {...}, "contexts": [{name, busy_cycles, starved_cycles, starved_on: {channel:
// cycles}, backpressured_cycles, backpressured_on: {...}}]}
nlohmann::json stall_summary_json(const RunResult& result);

// A channel's capacity as every output of dfsim writes it (and a graph file reads it): the
// number of slots, or "unbounded".
//   capacity_json(std::nullopt) == "unbounded";  capacity_json(4) == 4
nlohmann::json capacity_json(std::optional<std::uint64_t> capacity);

}  // namespace dfsim
