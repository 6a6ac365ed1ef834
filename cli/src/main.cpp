// dfsim: the command-line front of the simulator. Errors print one line
// "dfsim: error: ..." and exit with the status of exit_codes.hpp.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "commands.hpp"
#include "dfsim/engine/errors.hpp"
#include "exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace dfsim::cli;
  CLI::App app{"dfsim: cycle-accurate simulation of streaming dataflow hardware"};
  app.require_subcommand(1);
  Action action;
  add_pipeline_command(app, action);
  add_sdpa_command(app, action);
  add_sdpa_min_depth_command(app, action);
  add_sdpa_sweep_command(app, action);
  add_tree_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    fmt::print(stderr, "Run '{} --help' for the flags.\n", app.get_name().empty() ? "dfsim" : app.get_name());
    return kExitUsage;
  }
  try {
    return action();
  } catch (const UsageError& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitUsage;
  } catch (const dfsim::GraphError& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitFailure;
  }
}
