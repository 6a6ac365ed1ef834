// dfsim pipeline: the engine's demonstration, a source, K add-one stages and a checker.
#include <fmt/core.h>

#include <optional>
#include <string>

#include "commands.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "estimate.hpp"
#include "report.hpp"
#include "workload_run.hpp"

namespace dfsim::cli {
namespace {

struct PipelineArgs {
  std::uint64_t elements = 1000000;
  unsigned stages = 8;
  std::string capacity = "8";
  Cycle latency = 1;
  WorkloadRunArgs run;
};

int run_pipeline(const PipelineArgs& a) {
  check_threads(a.run.threads);  // before a graph of K contexts is built
  workloads::PipelineOptions o;
  o.elements = a.elements;
  o.stages = a.stages;
  o.capacity = parse_capacity(a.capacity, "--capacity");
  o.latency = a.latency;
  note_long_run(workloads::pipeline_work(o),
                fmt::format("T x (K + 1) = {} x {}", o.elements, o.stages + std::uint64_t{1}),
                "time grows with -T and -K. Ctrl-C stops it");
  Program g;
  workloads::build_pipeline(g, o);
  return run_workload(g, a.run, {{"elements", a.elements}, {"stages", a.stages}},
                      fmt::format("pipeline: {} elements through {} stages (capacity {}, stage "
                                  "latency {})",
                                  a.elements, a.stages, a.capacity, a.latency));
}

}  // namespace

void add_pipeline_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<PipelineArgs>();
  CLI::App* cmd = app.add_subcommand("pipeline", "a source, K stages that add 1, a checking sink");
  cmd->add_option("--elements,-T", args->elements, "values the source sends")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--stages,-K", args->stages, "stages between source and sink")
      ->check(CLI::Range(1u, 1u << 20));
  cmd->add_option("--capacity,-C", args->capacity, "every channel's capacity, or 'unbounded'");
  cmd->add_option("--latency,-L", args->latency, "each stage's latency in cycles (>= 1)")
      ->check(CLI::Range(Cycle{1}, Cycle{1} << 32));
  add_workload_run_flags(cmd, args->run);
  cmd->callback([&action, args] { action = [args] { return run_pipeline(*args); }; });
}

}  // namespace dfsim::cli
