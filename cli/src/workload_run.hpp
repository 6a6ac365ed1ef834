#pragma once
// What dfsim pipeline and dfsim tree share: the flags of a run (--threads, --spread, --json and
// the observability flags) and the run of a built workload, printed as one JSON object with the
// workload's own keys or as a headline and the summaries.
//
//   WorkloadRunArgs run_args;
//   add_workload_run_flags(cmd, run_args);                        // when the command is built
//   return run_workload(g, run_args, {{"stages", 8}}, "pipeline: ...");  // the exit status
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "dfsim/engine/program.hpp"
#include "observability.hpp"

namespace dfsim::cli {

struct WorkloadRunArgs {
  unsigned threads = 1;
  bool spread = false;
  bool json = false;
  ObservabilityArgs observe;
};

void add_workload_run_flags(CLI::App* cmd, WorkloadRunArgs& args);

// Runs `g`, prints it (`keys` added to the JSON; `headline` above the summaries), writes the
// trace and picture asked for, and returns the exit status (exit_codes.hpp).
int run_workload(Program& g, const WorkloadRunArgs& args, const nlohmann::json& keys,
                 const std::string& headline);

}  // namespace dfsim::cli
