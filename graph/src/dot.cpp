#include "dfsim/graph/dot.hpp"

#include <map>
#include <sstream>

namespace dfsim::graph {
namespace {

// A dot string literal: quotes and backslashes escaped, line breaks as dot's \n.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string timing_label(const NodeSpec& n) {
  if (n.kind == NodeKind::sink || n.kind == NodeKind::custom) return "";
  std::ostringstream s;
  s << "\nP " << n.timing.latency << ", II " << n.timing.initiation_interval;
  if (n.row_length > 1) s << ", rows of " << n.row_length;
  if (n.kind == NodeKind::repeat) s << ", x" << n.repeat_count;
  return s.str();
}

}  // namespace

std::string to_dot(const GraphSpec& spec) {
  std::map<std::string, std::string> sender, receiver;
  for (const NodeSpec& n : spec.nodes) {
    for (const auto& c : n.inputs) receiver[c] = n.name;
    for (const auto& port : n.outputs)
      for (const auto& c : port) sender[c] = n.name;
  }
  std::ostringstream out;
  out << "digraph dfsim {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
         "  edge [fontname=\"monospace\", fontsize=10];\n";
  for (const NodeSpec& n : spec.nodes)
    out << "  " << quoted(n.name) << " [label=" << quoted(n.name + "\n" + to_string(n.kind) + timing_label(n))
        << "];\n";
  for (const ChannelSpec& c : spec.channels) {
    const std::string capacity = c.capacity ? std::to_string(*c.capacity) : "unbounded";
    out << "  " << quoted(sender.count(c.name) ? sender[c.name] : "?") << " -> "
        << quoted(receiver.count(c.name) ? receiver[c.name] : "?") << " [label="
        << quoted(c.name + "\n" + c.type.to_string() + ", capacity " + capacity) << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace dfsim::graph
