#pragma once
// From a GraphSpec to a dfsim::Program, and a run that returns the kept sink values.
//
//   GraphRun r = run(spec, {.threads = 2});
//   if (r.result.ok()) use(r.kept[0].reals);
//
// Units built from a spec have exactly the cycles, statistics and values of the C++ units
// (units::map, reduce, scan, repeat, source) and the engine's sinks for the same graph: they
// run the units' own step loop. A one-input, one-output scalar Map with default rows moves
// its elements in bulk (dfsim/engine/bulk.hpp: same cycles, elements moved in registers).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dfsim/engine/program.hpp"
#include "dfsim/engine/run.hpp"
#include "dfsim/engine/run_result.hpp"
#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph {

// The values a keeping sink received, in order: `integers` for an int64 channel, `reals`
// otherwise; vectors flattened row-major (count x type.dims).
struct KeptValues {
  std::string sink;     // the node's name
  std::string channel;  // its input
  ElementType type{};
  std::uint64_t count = 0;
  std::vector<double> reals;
  std::vector<std::int64_t> integers;
};

struct GraphRun {
  RunResult result;
  std::vector<KeptValues> kept;  // one per keeping sink, in node order
};

// A built graph: its Program (run once), the storage its sinks keep into, its vectors.
class BuiltGraph {
 public:
  // Validates (throws dfsim::GraphError listing every problem) and reads .npy data (throws
  // std::runtime_error naming the node and file).
  explicit BuiltGraph(const GraphSpec& spec);
  ~BuiltGraph();
  BuiltGraph(BuiltGraph&&) noexcept;
  BuiltGraph& operator=(BuiltGraph&&) noexcept;

  // For dot, traces, or adding to before the run.
  Program& program() noexcept;
  // The graph's vectors (after a completed run, live() is 0: every reference was released).
  const VectorPool& vectors() const noexcept;
  // Runs the program (once) and collects the kept values.
  GraphRun run(const RunOptions& options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// BuiltGraph(spec).run(options).
GraphRun run(const GraphSpec& spec, const RunOptions& options = {});

}  // namespace dfsim::graph
