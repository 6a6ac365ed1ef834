#include "dfsim/engine/dot.hpp"

#include <map>
#include <sstream>

#include "dfsim/engine/stall_summary.hpp"

namespace dfsim {
namespace {

// Labels use Graphviz's own "\n" line breaks, so only quotes are escaped.
std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '\\';
    q += c;
  }
  return q + "\"";
}

// Contexts grouped by their dotted prefix: "head0.qk" sits in cluster "head0".
struct Cluster {
  std::vector<const ContextStats*> contexts;
  std::map<std::string, Cluster> children;
};

std::string context_node(const ContextStats& c, const ThroughputBound& bound) {
  std::string attributes = "label=" + quoted(c.name + "\\nclock " + std::to_string(c.final_clock) +
                                             "\\nbusy " + std::to_string(c.busy_cycles()) +
                                             "\\nstarved " + std::to_string(c.starved_cycles) +
                                             ", back-pressured " +
                                             std::to_string(c.backpressured_cycles));
  if (!c.finished) attributes += ", color=red, penwidth=2";
  if (bound.kind == ThroughputBound::Kind::unit && bound.context == c.name)
    attributes += ", style=filled, fillcolor=\"#ffb0a0\", penwidth=3";
  return quoted(c.name) + " [" + attributes + "]";
}

void emit(std::ostringstream& os, const Cluster& cluster, const std::string& prefix, int depth,
          const ThroughputBound& bound) {
  std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const ContextStats* c : cluster.contexts) os << indent << context_node(*c, bound) << ";\n";
  for (const auto& [name, child] : cluster.children) {
    std::string full = prefix.empty() ? name : prefix + "." + name;
    os << indent << "subgraph " << quoted("cluster_" + full) << " {\n"
       << indent << "  label=" << quoted(name) << ";\n";
    emit(os, child, full, depth + 1, bound);
    os << indent << "}\n";
  }
}

// Capacity, latencies, elements, peak occupancy and the waits at either end. A FIFO whose
// sender waited for credit is drawn orange and thicker the longer it waited; the one that
// bounds the run (find_bound) red.
std::string channel_edge(const ChannelStats& ch, const RunResult& r, const ThroughputBound& bound) {
  std::string cap = ch.capacity ? std::to_string(*ch.capacity) : "unbounded";
  std::string label = ch.name + "\\ncap " + cap + ", L " + std::to_string(ch.latency) + ", R " +
                      std::to_string(ch.response_latency) + "\\n" + std::to_string(ch.elements) +
                      " el, peak " + std::to_string(ch.peak_occupancy) + "/" + cap;
  if (ch.sender_backpressured_cycles > 0)
    label += "\\nfull: sender waited " + std::to_string(ch.sender_backpressured_cycles);
  if (ch.receiver_starved_cycles > 0)
    label += "\\nempty: receiver waited " + std::to_string(ch.receiver_starved_cycles);
  std::string attributes = "label=" + quoted(label);
  const bool bounds = (bound.kind == ThroughputBound::Kind::full_channel ||
                       bound.kind == ThroughputBound::Kind::empty_channel) &&
                      bound.channel == ch.name;
  if (bounds) {
    attributes += ", color=red, fontcolor=red, penwidth=4";
  } else if (ch.sender_backpressured_cycles > 0 && r.elapsed_cycles > 0) {
    const double share = static_cast<double>(ch.sender_backpressured_cycles) /
                         static_cast<double>(r.elapsed_cycles);
    attributes += ", color=orange, penwidth=" + std::to_string(1 + static_cast<int>(3 * share));
  } else if (ch.capacity && ch.peak_occupancy >= *ch.capacity) {
    attributes += ", color=orange";
  }
  return quoted(ch.sender) + " -> " + quoted(ch.receiver) + " [" + attributes + "]";
}

}  // namespace

std::string to_dot(const RunResult& r) {
  Cluster root;
  for (const ContextStats& c : r.contexts) {
    Cluster* at = &root;
    std::size_t start = 0;
    for (std::size_t dot = c.name.find('.'); dot != std::string::npos; dot = c.name.find('.', start)) {
      at = &at->children[c.name.substr(start, dot - start)];
      start = dot + 1;
    }
    at->contexts.push_back(&c);
  }
  std::ostringstream os;
  os << "digraph dfsim {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n"
     << "  edge [fontname=\"monospace\", fontsize=10];\n";
  const ThroughputBound bound = find_bound(r);
  os << "  label=" << quoted("bound: " + bound.to_string()) << ";\n  labelloc=t;\n";
  emit(os, root, "", 1, bound);
  for (const ChannelStats& ch : r.channels) os << "  " << channel_edge(ch, r, bound) << ";\n";
  os << "}\n";
  return os.str();
}

}  // namespace dfsim
