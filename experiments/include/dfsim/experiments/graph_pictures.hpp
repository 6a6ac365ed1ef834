#pragma once
// Pictures of the attention graphs: a small run of a variant (N = 4, unit preset), its
// engine graph (to_dot) rendered to SVG by Graphviz's `dot` when that is on PATH.
//
//   if (auto dot = find_dot()) draw_graph_svg(sdpa::Variant::naive, "graph-naive.svg", *dot);
#include <filesystem>
#include <optional>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::experiments {

// The `dot` executable on PATH, if any.
std::optional<std::filesystem::path> find_dot();

// Writes `file` (SVG); false if dot failed (the file is then absent).
bool draw_graph_svg(sdpa::Variant variant, const std::filesystem::path& file,
                    const std::filesystem::path& dot);

}  // namespace dfsim::experiments
