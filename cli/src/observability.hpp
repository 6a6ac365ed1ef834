#pragma once
// --trace FILE and --dot FILE, shared by the subcommands that run a graph.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/trace.hpp"

namespace dfsim::cli {

struct ObservabilityArgs {
  std::string trace_path;
  std::uint64_t trace_limit = 100000;
  std::string dot_path;

  // The tracer to hand to RunOptions, or null when --trace was not given.
  std::unique_ptr<Tracer> make_tracer() const;
  // Writes what was asked for; says where on stderr. Throws on I/O failure.
  void write(const RunResult& result, const Tracer* tracer) const;
};

void add_observability_flags(CLI::App* cmd, ObservabilityArgs& args);

}  // namespace dfsim::cli
