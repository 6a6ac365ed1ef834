#include "observability.hpp"

#include <fmt/core.h>

#include <fstream>

#include "dfsim/engine/dot.hpp"

namespace dfsim::cli {

void add_observability_flags(CLI::App* cmd, ObservabilityArgs& args) {
  cmd->add_option("--trace", args.trace_path,
                  "write every element's life on every channel as a Chrome trace (open in "
                  "ui.perfetto.dev)");
  cmd->add_option("--trace-limit", args.trace_limit, "elements traced per channel")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--dot", args.dot_path,
                  "write the graph with its statistics for Graphviz (dot -Tsvg FILE)");
}

std::unique_ptr<Tracer> ObservabilityArgs::make_tracer() const {
  if (trace_path.empty()) return nullptr;
  return std::make_unique<Tracer>(TraceOptions{.max_elements = trace_limit});
}

void ObservabilityArgs::write(const RunResult& result, const Tracer* tracer) const {
  if (tracer && !trace_path.empty()) {
    tracer->write_chrome_trace(trace_path);
    fmt::print(stderr, "dfsim: trace written to {}\n", trace_path);
  }
  if (!dot_path.empty()) {
    std::ofstream out(dot_path);
    out << to_dot(result);
    if (!out) throw std::runtime_error("cannot write the graph to '" + dot_path + "'");
    fmt::print(stderr, "dfsim: graph written to {}\n", dot_path);
  }
}

}  // namespace dfsim::cli
