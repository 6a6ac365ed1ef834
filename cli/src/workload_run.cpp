#include "workload_run.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "dfsim/engine/run.hpp"
#include "dfsim/engine/run_result_json.hpp"
#include "report.hpp"

namespace dfsim::cli {

void add_workload_run_flags(CLI::App* cmd, WorkloadRunArgs& args) {
  cmd->add_option("--threads", args.threads, "worker threads (0: one per hardware thread)");
  cmd->add_flag("--spread", args.spread,
                "put context i on thread i % threads, so every channel crosses threads (testing)");
  cmd->add_flag("--json", args.json, "print one JSON object instead of the summary");
  add_observability_flags(cmd, args.observe);
}

int run_workload(Program& g, const WorkloadRunArgs& a, const nlohmann::json& keys,
                 const std::string& headline) {
  auto tracer = a.observe.make_tracer();
  RunResult r = run(g, {.threads = a.threads,
                        .placement = a.spread ? Placement::round_robin : Placement::automatic,
                        .tracer = tracer.get()});
  if (a.json) {
    auto j = to_json(r);
    j.update(keys);
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}\n", headline);
    print_run_summary(r);
    print_stall_summary(r);
  }
  std::fflush(stdout);
  a.observe.write(r, tracer.get());
  return exit_status(r);
}

}  // namespace dfsim::cli
