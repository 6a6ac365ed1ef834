#include "graph_spec.hpp"

#include <algorithm>
#include <sstream>

namespace dfsim::verification {

const char* to_string(NodeKind kind) noexcept {
  switch (kind) {
    case NodeKind::source: return "source";
    case NodeKind::map: return "map";
    case NodeKind::merge: return "merge";
    case NodeKind::sink: return "sink";
  }
  return "?";
}

std::vector<int> GraphSpec::inputs(int node) const {
  std::vector<int> result;
  for (std::size_t c = 0; c < channels.size(); ++c)
    if (channels[c].to == node) result.push_back(static_cast<int>(c));
  return result;
}

std::vector<int> GraphSpec::outputs(int node) const {
  std::vector<int> result;
  for (std::size_t c = 0; c < channels.size(); ++c)
    if (channels[c].from == node) result.push_back(static_cast<int>(c));
  return result;
}

std::vector<std::string> problems(const GraphSpec& g) {
  std::vector<std::string> result;
  const int n = static_cast<int>(g.nodes.size());
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    const ChannelSpec& ch = g.channels[c];
    std::string name = channel_name(static_cast<int>(c));
    if (ch.from < 0 || ch.from >= n || ch.to < 0 || ch.to >= n) {
      result.push_back(name + " joins a node that does not exist");
      continue;
    }
    if (g.nodes[static_cast<std::size_t>(ch.from)].kind == NodeKind::sink)
      result.push_back(name + " leaves a sink");
    if (g.nodes[static_cast<std::size_t>(ch.to)].kind == NodeKind::source)
      result.push_back(name + " enters a source");
    if (ch.capacity && *ch.capacity == 0) result.push_back(name + " has capacity 0");
    if (ch.latency == 0 || ch.response_latency == 0) result.push_back(name + " has a zero latency");
  }
  for (int i = 0; i < n; ++i) {
    const NodeSpec& node = g.nodes[static_cast<std::size_t>(i)];
    if (node.ii == 0 && node.kind != NodeKind::sink) result.push_back(node_name(i) + " has II 0");
    const bool rows = node.row_length != 1 || node.per_row_inputs != 0 || node.writes_per_row;
    if (node.row_length == 0) result.push_back(node_name(i) + " has rows of 0 steps");
    if (rows && node.kind != NodeKind::map)
      result.push_back(node_name(i) + " (" + to_string(node.kind) + ") has rows: only maps do");
    if (node.per_row_inputs >> std::min<std::size_t>(g.inputs(i).size(), 31) != 0)
      result.push_back(node_name(i) + " has a per-row input it does not have");
    if (node.kind != NodeKind::source && g.inputs(i).empty())
      result.push_back(node_name(i) + " (" + to_string(node.kind) + ") has no input");
    const bool takes_inputs = node.kind == NodeKind::map || node.kind == NodeKind::sink;
    if ((node.peek_first || node.inputs_together) && !takes_inputs)
      result.push_back(node_name(i) + " (" + to_string(node.kind) +
                       ") has an input discipline: only maps and sinks take inputs in steps");
    if (node.outputs_in_order && node.kind == NodeKind::sink)
      result.push_back(node_name(i) + " (sink) has an output discipline but no outputs");
  }
  return result;
}

std::string node_name(int node) { return "n" + std::to_string(node); }
std::string channel_name(int channel) { return "c" + std::to_string(channel); }

std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t z = a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t source_value(int node, std::uint64_t i) noexcept {
  return mix(static_cast<std::uint64_t>(node), i);
}

std::uint64_t map_value(int node, const std::vector<std::uint64_t>& inputs) noexcept {
  std::uint64_t v = static_cast<std::uint64_t>(node);
  for (std::uint64_t x : inputs) v = mix(v, x);
  return v;
}

std::uint64_t merge_value(int node, std::uint64_t x, std::size_t input) noexcept {
  return mix(mix(static_cast<std::uint64_t>(node), x), input);
}

namespace {

std::string capacity_text(const std::optional<std::uint64_t>& c) {
  return c ? std::to_string(*c) : "unbounded";
}

}  // namespace

std::string describe(const GraphSpec& g) {
  std::ostringstream os;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const NodeSpec& n = g.nodes[i];
    int id = static_cast<int>(i);
    os << "  " << node_name(id) << ": " << to_string(n.kind) << " II=" << n.ii;
    if (n.stamp) os << " P=" << n.stamp;
    if (n.kind == NodeKind::source) os << " count=" << n.count;
    if (n.limit) os << " limit=" << *n.limit;
    if (n.peek_first) os << " peek_first";
    if (n.inputs_together) os << " inputs=together";
    if (n.outputs_in_order) os << " outputs=in-order";
    if (n.row_length != 1) os << " row=" << n.row_length;
    if (n.per_row_inputs) os << " per-row-inputs=" << n.per_row_inputs;
    if (n.writes_per_row) os << " writes-per-row";
    os << "  in:";
    for (int c : g.inputs(id)) os << ' ' << channel_name(c);
    os << "  out:";
    for (int c : g.outputs(id)) os << ' ' << channel_name(c);
    os << '\n';
  }
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    const ChannelSpec& ch = g.channels[c];
    os << "  " << channel_name(static_cast<int>(c)) << ": " << node_name(ch.from) << " -> "
       << node_name(ch.to) << "  C=" << capacity_text(ch.capacity) << " L=" << ch.latency
       << " R=" << ch.response_latency << '\n';
  }
  return os.str();
}

std::string to_cpp(const GraphSpec& g) {
  std::ostringstream os;
  os << "GraphSpec{\n    .nodes =\n        {\n";
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const NodeSpec& n = g.nodes[i];
    os << "            {.kind = NodeKind::" << to_string(n.kind);
    if (n.ii != 1) os << ", .ii = " << n.ii;
    if (n.stamp) os << ", .stamp = " << n.stamp;
    if (n.kind == NodeKind::source) os << ", .count = " << n.count;
    if (n.limit) os << ", .limit = " << *n.limit;
    if (n.peek_first) os << ", .peek_first = true";
    if (n.inputs_together) os << ", .inputs_together = true";
    if (n.outputs_in_order) os << ", .outputs_in_order = true";
    if (n.row_length != 1) os << ", .row_length = " << n.row_length;
    if (n.per_row_inputs) os << ", .per_row_inputs = " << n.per_row_inputs;
    if (n.writes_per_row) os << ", .writes_per_row = true";
    os << "},  // " << node_name(static_cast<int>(i)) << '\n';
  }
  os << "        },\n    .channels =\n        {\n";
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    const ChannelSpec& ch = g.channels[c];
    os << "            {.from = " << ch.from << ", .to = " << ch.to << ", .capacity = "
       << (ch.capacity ? std::to_string(*ch.capacity) : std::string("std::nullopt"));
    if (ch.latency != 1) os << ", .latency = " << ch.latency;
    if (ch.response_latency != 1) os << ", .response_latency = " << ch.response_latency;
    os << "},  // " << channel_name(static_cast<int>(c)) << '\n';
  }
  os << "        },\n}";
  return os.str();
}

std::uint64_t source_elements(const GraphSpec& g) {
  std::uint64_t total = 0;
  for (const NodeSpec& n : g.nodes)
    if (n.kind == NodeKind::source) total += n.count;
  return total;
}

}  // namespace dfsim::verification
