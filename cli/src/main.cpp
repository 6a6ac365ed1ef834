// dfsim: the command-line front of the simulator. Errors print one line
// "dfsim: error: ..." and exit with the status of exit_codes.hpp.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <stdexcept>
#include <string>

#include "commands.hpp"
#include "dfsim/engine/version.hpp"
#include "exit_codes.hpp"

namespace {

// One line that names the problem and where the flags are listed.
std::string usage_message(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string names;
  bool known = false;
  const std::string first = argc > 1 ? argv[1] : "";
  for (const CLI::App* sub : app.get_subcommands({})) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
    known = known || sub->check_name(first);
  }
  if (first.empty())
    return fmt::format("a subcommand is required: one of {} (dfsim --help lists them)", names);
  if (first[0] != '-' && !known)
    return fmt::format("unknown subcommand '{}': choose one of {}", first, names);
  const std::string where = first[0] == '-' ? "dfsim" : "dfsim " + first;
  return fmt::format("{}; '{} --help' lists the flags", e.what(), where);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dfsim::cli;
  CLI::App app{"dfsim: cycle-accurate simulation of streaming dataflow hardware"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dfsim " + std::string(dfsim::version()),
                       "print dfsim's version and exit");
  Action action;
  add_pipeline_command(app, action);
  add_sdpa_command(app, action);
  add_sdpa_min_depth_command(app, action);
  add_sdpa_sweep_command(app, action);
  add_tree_command(app, action);
  add_run_command(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "dfsim: error: {}\n", usage_message(app, e, argc, argv));
    return kExitUsage;
  }
  try {
    return action();
  } catch (const UsageError& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    // The libraries' word for a value they cannot use (a graph that cannot run, more threads
    // than allowed, sizes beyond memory), always thrown before anything is simulated.
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitFailure;
  }
}
