#pragma once
// A node's values (a source's stream, a checking sink's expectation), inline or from a .npy
// file, checked against its channel's type and rounded to it (float32).
#include <filesystem>

#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph::detail {

// Throws std::runtime_error naming the node (and the file) when the values do not fit `type`.
Data load_data(const NodeSpec& node, const ElementType& type, const std::filesystem::path& base_dir);

}  // namespace dfsim::graph::detail
