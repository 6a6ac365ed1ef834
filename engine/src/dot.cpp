#include "dfsim/engine/dot.hpp"

#include <map>
#include <sstream>

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

void emit(std::ostringstream& os, const Cluster& cluster, const std::string& prefix, int depth) {
  std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  for (const ContextStats* c : cluster.contexts)
    os << indent << quoted(c->name) << " [label=" << quoted(c->name + "\\nclock " + std::to_string(c->final_clock) +
                                                            "\\nstarved " + std::to_string(c->starved_cycles) +
                                                            ", back-pressured " + std::to_string(c->backpressured_cycles))
       << (c->finished ? "" : ", color=red, penwidth=2") << "];\n";
  for (const auto& [name, child] : cluster.children) {
    std::string full = prefix.empty() ? name : prefix + "." + name;
    os << indent << "subgraph " << quoted("cluster_" + full) << " {\n"
       << indent << "  label=" << quoted(name) << ";\n";
    emit(os, child, full, depth + 1);
    os << indent << "}\n";
  }
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
  emit(os, root, "", 1);
  for (const ChannelStats& ch : r.channels) {
    std::string cap = ch.capacity ? std::to_string(*ch.capacity) : "unbounded";
    bool full = ch.capacity && ch.peak_occupancy >= *ch.capacity;
    os << "  " << quoted(ch.sender) << " -> " << quoted(ch.receiver) << " [label="
       << quoted(ch.name + "\\n" + std::to_string(ch.elements) + " el, peak " +
                 std::to_string(ch.peak_occupancy) + "/" + cap)
       << (full ? ", color=orange" : "") << "];\n";
  }
  os << "}\n";
  return os.str();
}

}  // namespace dfsim
