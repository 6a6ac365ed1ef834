#pragma once
// Graph files: a GraphSpec as JSON (docs/graph-files.md has the schema, with its version).
//
//   GraphSpec g = load_graph("examples/graphs/pipeline.json");
//   save_graph(g, "copy.json");   // the same spec back from load_graph("copy.json")
//
// A file that is not a valid graph raises GraphFileError, whose message names the JSON path
// of the problem ("nodes[2].timing.latency"), the key or value, and what is allowed.
#include <filesystem>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph {

// The version written by to_json and the only one from_json accepts.
inline constexpr int kGraphFileVersion = 1;

class GraphFileError : public std::invalid_argument {
 public:
  // what(): "<path>: <message>", e.g. "nodes[0].kind: 'mapp' is not a node kind: one of ...".
  GraphFileError(std::string json_path, const std::string& message);
  const std::string& json_path() const noexcept { return json_path_; }

 private:
  std::string json_path_;
};

// Throws GraphFileError (with the JSON path) for an unknown key, a missing key, a value of
// the wrong type or out of range. Does not validate the graph as a whole (validate.hpp).
GraphSpec from_json(const nlohmann::json& j, const std::filesystem::path& base_dir = {});

// Throws std::invalid_argument naming the node if a node has a hook (foreign step, custom).
nlohmann::json to_json(const GraphSpec& spec);

// from_json on the file (base_dir = its folder); an unreadable file or bad JSON raises
// GraphFileError with path "" and the parser's message.
GraphSpec load_graph(const std::filesystem::path& file);
// to_json, written with 2-space indentation; throws std::runtime_error naming the file.
void save_graph(const GraphSpec& spec, const std::filesystem::path& file);

}  // namespace dfsim::graph
