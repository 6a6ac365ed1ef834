#pragma once
// --trace FILE (with --trace-filter, --trace-window, --trace-limit) and --dot FILE: the one way
// every subcommand that runs a graph gets them. docs/outputs.md, "Traces and graph pictures".
//
//   ObservabilityArgs observe;
//   add_observability_flags(cmd, observe);            // when the command is built
//   auto tracer = observe.make_tracer();               // null without --trace
//   RunResult r = run(g, {.tracer = tracer.get()});
//   ... print the results ...
//   observe.write(r, tracer.get());                    // the files, and a line each on stderr
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/trace.hpp"

namespace dfsim::cli {

struct ObservabilityArgs {
  std::string trace_path;
  std::uint64_t trace_limit = 1'000'000;
  std::vector<std::string> trace_filter;  // globs
  std::string trace_window;               // FROM:UNTIL, either may be empty
  std::string dot_path;

  // The tracer to hand to RunOptions, or null when --trace was not given. Throws UsageError
  // for a malformed --trace-window.
  std::unique_ptr<Tracer> make_tracer() const;
  // Writes what was asked for and says where on stderr, with a warning when the trace was
  // cut. Throws std::runtime_error naming the file on I/O failure.
  void write(const RunResult& result, const Tracer* tracer) const;
};

void add_observability_flags(CLI::App* cmd, ObservabilityArgs& args);

}  // namespace dfsim::cli
