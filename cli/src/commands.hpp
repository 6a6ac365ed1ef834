#pragma once
// Each subcommand registers itself on the app and returns the action to run once parsed.
#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>

namespace dfsim::cli {

using Action = std::function<int()>;

// Thrown for a value the parser accepted but the command cannot use: exit kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void add_pipeline_command(CLI::App& app, Action& action);
// Attention (docs/sdpa.md): one run, the minimal FIFO depths, a sweep over variants and N.
void add_sdpa_command(CLI::App& app, Action& action);
void add_sdpa_min_depth_command(CLI::App& app, Action& action);
void add_sdpa_sweep_command(CLI::App& app, Action& action);
void add_tree_command(CLI::App& app, Action& action);
void add_run_command(CLI::App& app, Action& action);  // a graph file (docs/graph-files.md)

}  // namespace dfsim::cli
