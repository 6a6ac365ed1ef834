#pragma once
// A graph as data: named channels, and nodes (sources, Map/Reduce/Scan/Repeat units, sinks,
// custom contexts) that name the channels they read and write. build.hpp turns a GraphSpec
// into a dfsim::Program whose units have exactly the cycles of the C++ units (units::map, ...)
// for the same graph; json.hpp reads and writes it (docs/graph-files.md has the schema).
//
//   GraphSpec g;
//   g.channels = {{.name = "x", .type = {ScalarType::int64}, .capacity = 8},
//                 {.name = "y", .type = {ScalarType::int64}, .capacity = 8}};
//   g.nodes.push_back({.name = "src", .kind = NodeKind::source, .outputs = {{"x"}},
//                      .data = {.integers = {1, 2, 3}}});
//   g.nodes.push_back({.name = "inc", .kind = NodeKind::map, .inputs = {"x"}, .outputs = {{"y"}},
//                      .compute = {.outputs = {"a + 1"}}});
//   g.nodes.push_back({.name = "out", .kind = NodeKind::sink, .inputs = {"y"},
//                      .sink = SinkMode::keep});
//   GraphRun r = run(g);   // build.hpp: r.kept[0].integers == {2, 3, 4}
//
// Names may be dotted ("head0.qk"): scopes are part of the name.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/graph/hooks.hpp"
#include "dfsim/graph/value.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::graph {

struct ChannelSpec {
  std::string name;
  ElementType type{};
  std::optional<std::uint64_t> capacity = 2;  // std::nullopt: unbounded
  Cycle latency = 1;                          // L
  Cycle response_latency = 1;                 // R
};

enum class NodeKind { source, map, reduce, scan, repeat, sink, custom };
// "source", "map", ...
const char* to_string(NodeKind k) noexcept;

// Values for a source, or the expected values of a checking sink: scalars in order, or
// vectors row-major (count x dims). Exactly one of the vectors is used: `integers` for int64
// channels, `reals` for the others. `file`: a float64 or float32 .npy file (read when the
// graph is built; a relative path is relative to GraphSpec::base_dir) instead of inline
// values: a 1-D array or a column for scalars, count x d for vectors of d; not for int64.
struct Data {
  std::vector<double> reals;
  std::vector<std::int64_t> integers;
  std::filesystem::path file;
};

// What a Map, Reduce or Scan computes: expressions (docs/graph-files.md, "Expressions"),
// evaluated natively, or a foreign step function.
struct Compute {
  // Map: one expression per output port. Scan: one per output port, of the inputs and the
  // updated state `acc` (empty: every port writes acc). Reduce: unused.
  std::vector<std::string> outputs;
  // Reduce, Scan: the new state, from the inputs and the old state `acc`.
  std::string update;
  // The inputs' names in the expressions, in input order; empty: a, b, c, ...
  std::vector<std::string> variables;
  // Reduce, Scan: the state's type and its value at the start of every row (one value for a
  // scalar, dims values for a vector; empty: zeros).
  std::optional<ElementType> state_type;  // std::nullopt: the first output's type
  std::vector<double> init;
  // Instead of the expressions (not serializable).
  ForeignStep foreign;
};

enum class SinkMode {
  keep,     // keep every value (GraphRun::kept)
  check,    // fail the run at the first value that differs from `data` (within tolerances)
  discard,  // dequeue and drop
};

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::map;
  std::vector<std::string> inputs;                 // channel names, in order
  std::vector<std::vector<std::string>> outputs;   // ports; a port of several channels fans out

  // Map, Reduce, Scan, Repeat, source: the units' options (units/options.hpp). A source
  // uses timing, row_length, rows and output_discipline; a Repeat timing and rows (its count
  // is `repeat_count`).
  units::Timing timing{};
  std::uint64_t row_length = 1;
  std::optional<std::uint64_t> rows{};
  std::vector<std::size_t> per_row_inputs{};
  units::Discipline input_discipline = units::Discipline::together;
  units::Discipline output_discipline = units::Discipline::together;

  Compute compute{};                 // map, reduce, scan
  std::uint64_t repeat_count = 1;    // repeat
  // source: the values to stream, element (row, j) being value (row * row_length + j) mod
  // count; with rows unset, count / row_length rows (every value once; count must be a
  // multiple of row_length).
  // sink (check): the expected values.
  Data data{};
  SinkMode sink = SinkMode::keep;
  double abs_tolerance = 0;          // check: |got - expected| <= abs + rel * |expected|
  double rel_tolerance = 0;
  CustomBody custom;                 // custom (not serializable)
};

struct GraphSpec {
  std::vector<ChannelSpec> channels;
  std::vector<NodeSpec> nodes;
  // Where relative .npy paths are found (the JSON file's folder when loaded from a file).
  std::filesystem::path base_dir;
};

}  // namespace dfsim::graph
