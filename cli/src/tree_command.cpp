// dfsim tree: the reduction tree DAM compares with SST, L leaves into a binary tree of adders.
#include <fmt/core.h>

#include <optional>
#include <string>

#include "commands.hpp"
#include "dfsim/workloads/reduction_tree.hpp"
#include "estimate.hpp"
#include "report.hpp"
#include "workload_run.hpp"

namespace dfsim::cli {
namespace {

struct TreeArgs {
  std::uint64_t leaves = 1024;
  std::uint64_t elements = 10000;
  std::string capacity = "8";
  WorkloadRunArgs run;
};

int run_tree(const TreeArgs& a) {
  check_threads(a.run.threads);  // before a graph of 2L contexts is built
  if (!workloads::tree_sums_fit(a.leaves, a.elements))
    throw UsageError(fmt::format("--leaves {} with --elements {}: the sums would overflow 64 bits",
                                 a.leaves, a.elements));
  workloads::ReductionTreeOptions o;
  o.leaves = a.leaves;
  o.elements = a.elements;
  o.capacity = parse_capacity(a.capacity, "--capacity");
  note_long_run(workloads::tree_work(o),
                fmt::format("T x (2L - 1) = {} x {}", o.elements, 2 * o.leaves - 1),
                "time grows with -T and -L. Ctrl-C stops it");
  Program g;
  workloads::build_reduction_tree(g, o);
  const auto depth = workloads::tree_depth(a.leaves);
  return run_workload(g, a.run,
                      {{"elements", a.elements}, {"leaves", a.leaves}, {"depth", depth}},
                      fmt::format("tree: {} leaves of {} elements into {} levels of adders "
                                  "(capacity {})",
                                  a.leaves, a.elements, depth, a.capacity));
}

}  // namespace

void add_tree_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<TreeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tree", "L sources into a binary tree of adders, a sink checking every sum (DAM vs SST)");
  cmd->add_option("--leaves,-L", args->leaves, "sources at the bottom of the tree")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 20));
  cmd->add_option("--elements,-T", args->elements, "values each source sends")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--capacity,-C", args->capacity, "every channel's capacity, or 'unbounded'");
  add_workload_run_flags(cmd, args->run);
  cmd->callback([&action, args] { action = [args] { return run_tree(*args); }; });
}

}  // namespace dfsim::cli
