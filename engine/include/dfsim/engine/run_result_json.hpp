#pragma once
// Machine-readable statistics: RunResult as JSON (nlohmann::json).
#include <nlohmann/json.hpp>

#include "dfsim/engine/run_result.hpp"

namespace dfsim {

nlohmann::json to_json(const RunResult& result);

}  // namespace dfsim
