#include "observability.hpp"

#include <fmt/core.h>

#include <charconv>
#include <fstream>

#include "commands.hpp"
#include "dfsim/engine/dot.hpp"

namespace dfsim::cli {
namespace {

// "" or a number of cycles; `what` names it in the message.
Cycle window_bound(const std::string& text, Cycle if_empty, const std::string& window) {
  if (text.empty()) return if_empty;
  Cycle value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw UsageError("--trace-window '" + window +
                     "': expected FROM:UNTIL in cycles, either may be left out, e.g. "
                     "--trace-window 1000:2000 or --trace-window 5000:");
  return value;
}

}  // namespace

void add_observability_flags(CLI::App* cmd, ObservabilityArgs& args) {
  cmd->add_option("--trace", args.trace_path,
                  "write a Chrome trace of the run: each unit's busy and waiting time, each "
                  "FIFO's occupancy and elements (open in ui.perfetto.dev)")
      ->type_name("FILE.json");
  cmd->add_option("--trace-filter", args.trace_filter,
                  "trace only the units and FIFOs whose names match this glob (repeatable; "
                  "e.g. 'head0.*', 'long')")
      ->type_name("GLOB")
      ->needs("--trace");
  cmd->add_option("--trace-window", args.trace_window,
                  "trace only cycles FROM to UNTIL (either may be left out: 5000:)")
      ->type_name("FROM:UNTIL")
      ->needs("--trace");
  cmd->add_option("--trace-limit", args.trace_limit,
                  "the most events the trace holds; a longer one is cut at a cycle, and says so")
      ->check(CLI::PositiveNumber)
      ->needs("--trace");
  cmd->add_option("--dot", args.dot_path,
                  "write the graph with capacities, occupancies and waits for Graphviz "
                  "(dot -Tsvg FILE -o graph.svg)")
      ->type_name("FILE.dot");
}

std::unique_ptr<Tracer> ObservabilityArgs::make_tracer() const {
  if (trace_path.empty()) return nullptr;
  TraceOptions o;
  o.only = trace_filter;
  o.max_events = trace_limit;
  if (!trace_window.empty()) {
    const auto colon = trace_window.find(':');
    if (colon == std::string::npos)
      throw UsageError("--trace-window '" + trace_window +
                       "': expected FROM:UNTIL in cycles, e.g. --trace-window 1000:2000");
    o.from = window_bound(trace_window.substr(0, colon), 0, trace_window);
    o.until = window_bound(trace_window.substr(colon + 1), kNever, trace_window);
    if (o.until <= o.from)
      throw UsageError("--trace-window '" + trace_window +
                       "' is empty: UNTIL must be later than FROM");
  }
  return std::make_unique<Tracer>(std::move(o));
}

void ObservabilityArgs::write(const RunResult& result, const Tracer* tracer) const {
  if (tracer && !trace_path.empty()) {
    TraceWriteSummary w = tracer->write_chrome_trace(trace_path);
    fmt::print(stderr, "dfsim: trace written to {} ({} events; open it in ui.perfetto.dev)\n",
               trace_path, w.events);
    if (w.truncated())
      fmt::print(stderr,
                 "dfsim: warning: the trace was cut at cycle {}: it holds everything before, "
                 "{} events were left out; raise --trace-limit (now {}) or narrow the trace "
                 "with --trace-filter or --trace-window\n",
                 w.complete_before, w.left_out, trace_limit);
  }
  if (!dot_path.empty()) {
    std::ofstream out(dot_path);
    out << to_dot(result);
    if (!out) throw std::runtime_error("cannot write the graph to '" + dot_path + "'");
    fmt::print(stderr, "dfsim: graph written to {} (render: dot -Tsvg {} -o graph.svg)\n",
               dot_path, dot_path);
  }
}

}  // namespace dfsim::cli
