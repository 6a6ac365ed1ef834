// dfsim sdpa-min-depth: the smallest depth of every FIFO that keeps the cycles of the run with
// every FIFO unbounded.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "estimate.hpp"
#include "exit_codes.hpp"
#include "sdpa_common.hpp"

namespace dfsim::cli {
namespace {

struct MinDepthArgs {
  SdpaFlags flags;
  bool json = false;
};

int run_min_depth(const MinDepthArgs& a) {
  SdpaSetup s = make_setup(a.flags);
  note_sdpa_min_depth(s.config);
  auto start = std::chrono::steady_clock::now();
  experiments::MinDepths m;
  try {
    m = *experiments::find_min_depths(s.config, s.inputs);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Cycle ideal = m.ideal_cycles;
  bool consistent = m.cycles_with_min_depths == m.unbounded_cycles;
  // Graph order (sources first, sink last) rather than alphabetical.
  std::vector<std::string> order;
  for (const auto& name : sdpa::fifo_names(s.config))
    if (m.depth.count(name)) order.push_back(name);
  for (const auto& [name, depth] : m.depth)
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);

  if (a.json) {
    nlohmann::ordered_json j;
    auto& depths = j["min_depths"] = nlohmann::ordered_json::object();
    for (const auto& name : order) depths[name] = m.depth.at(name);
    j["unbounded_cycles"] = m.unbounded_cycles;
    j["cycles_with_min_depths"] = m.cycles_with_min_depths;
    j["ideal_cycles"] = ideal;
    j["wall_seconds"] = wall;
    j["config"] = config_json(s);
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("sdpa-min-depth: {}\n", config_line(s.config));
    std::size_t width = 4;
    for (const auto& name : order) width = std::max(width, name.size());
    fmt::print("  {:<{}}  {:>10}  {:>14}\n", "FIFO", width, "min depth", "preset depth");
    for (const auto& name : order) {
      auto preset = s.resolved.depths.find(name);
      fmt::print("  {:<{}}  {:>10}  {:>14}\n", name, width, m.depth.at(name),
                 preset == s.resolved.depths.end() ? "-" : capacity_text(preset->second));
    }
    fmt::print("\n  {:<37}{}\n", "cycles, every FIFO unbounded", m.unbounded_cycles);
    fmt::print("  {:<37}{}{}\n", "cycles, every FIFO at its min depth", m.cycles_with_min_depths,
               consistent ? " (the same)" : "");
    fmt::print("  {:<37}{}\n", "ideal cycles (II_max x keys)", ideal);
    fmt::print("  {:<37}{:.3f} s\n", "wall time", wall);
  }
  if (!consistent)
    fmt::print(stderr,
               "dfsim: warning: with every FIFO at its own minimal depth the run takes {} cycles, "
               "not {}: the FIFOs interact, so some need more than their minimum found alone\n",
               m.cycles_with_min_depths, m.unbounded_cycles);
  return kExitOk;
}

}  // namespace

void add_sdpa_min_depth_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<MinDepthArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sdpa-min-depth",
      "find the smallest depth of each FIFO that keeps the cycles of the unbounded run");
  add_sdpa_flags(*cmd, args->flags, /*with_depths=*/false);
  cmd->add_flag("--json", args->json, "print one JSON object instead of the table");
  cmd->callback([&action, args] { action = [args] { return run_min_depth(*args); }; });
}

}  // namespace dfsim::cli
