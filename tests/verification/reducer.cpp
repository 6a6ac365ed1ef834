#include "reducer.hpp"

#include <vector>

namespace dfsim::verification {
namespace {

// `g` without the nodes marked dead, the channels touching them, and (repeatedly) the nodes
// left without an input that need one. Nodes are renumbered in order.
GraphSpec without_nodes(const GraphSpec& g, std::vector<bool> dead,
                        std::vector<bool> dead_channels = {}) {
  dead_channels.resize(g.channels.size(), false);
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<int> inputs(g.nodes.size(), 0);
    for (std::size_t c = 0; c < g.channels.size(); ++c) {
      const ChannelSpec& ch = g.channels[c];
      if (dead_channels[c]) continue;
      if (dead[static_cast<std::size_t>(ch.from)] || dead[static_cast<std::size_t>(ch.to)]) {
        dead_channels[c] = true;
        continue;
      }
      ++inputs[static_cast<std::size_t>(ch.to)];
    }
    for (std::size_t v = 0; v < g.nodes.size(); ++v)
      if (!dead[v] && g.nodes[v].kind != NodeKind::source && inputs[v] == 0) {
        dead[v] = true;
        changed = true;
      }
  }
  GraphSpec result;
  std::vector<int> renumber(g.nodes.size(), -1);
  for (std::size_t v = 0; v < g.nodes.size(); ++v) {
    if (dead[v]) continue;
    renumber[v] = static_cast<int>(result.nodes.size());
    result.nodes.push_back(g.nodes[v]);
  }
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    if (dead_channels[c]) continue;
    ChannelSpec ch = g.channels[c];
    ch.from = renumber[static_cast<std::size_t>(ch.from)];
    ch.to = renumber[static_cast<std::size_t>(ch.to)];
    result.channels.push_back(ch);
  }
  return result;
}

// Every single-step simplification of `g`, most drastic first.
std::vector<GraphSpec> candidates(const GraphSpec& g) {
  std::vector<GraphSpec> result;
  const std::size_t n = g.nodes.size();
  for (std::size_t v = 0; v < n; ++v) {
    std::vector<bool> dead(n, false);
    dead[v] = true;
    result.push_back(without_nodes(g, dead));
  }
  // Bypass a map or merge with one input: its outputs leave its input's sender instead.
  for (std::size_t v = 0; v < n; ++v) {
    int id = static_cast<int>(v);
    if (g.nodes[v].kind != NodeKind::map && g.nodes[v].kind != NodeKind::merge) continue;
    auto in = g.inputs(id);
    if (in.size() != 1) continue;
    GraphSpec h = g;
    int upstream = g.channels[static_cast<std::size_t>(in[0])].from;
    for (int c : g.outputs(id)) h.channels[static_cast<std::size_t>(c)].from = upstream;
    std::vector<bool> dead(n, false), dead_channels(g.channels.size(), false);
    dead[v] = true;
    dead_channels[static_cast<std::size_t>(in[0])] = true;
    result.push_back(without_nodes(h, dead, dead_channels));
  }
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    std::vector<bool> dead_channels(g.channels.size(), false);
    dead_channels[c] = true;
    result.push_back(without_nodes(g, std::vector<bool>(n, false), dead_channels));
  }
  // Parameter changes; the ones that change nothing are dropped by reduce().
  auto vary = [&](auto&& change) {
    GraphSpec h = g;
    change(h);
    result.push_back(std::move(h));
  };
  for (std::size_t v = 0; v < n; ++v) {
    const NodeSpec& node = g.nodes[v];
    if (node.kind == NodeKind::source && node.count > 0)
      for (std::uint64_t c : {std::uint64_t{0}, node.count / 2, node.count - 1})
        vary([&](GraphSpec& h) { h.nodes[v].count = c; });
    if (node.limit) {
      vary([&](GraphSpec& h) { h.nodes[v].limit.reset(); });
      for (std::uint64_t l : {*node.limit / 2, *node.limit > 0 ? *node.limit - 1 : 0})
        vary([&](GraphSpec& h) { h.nodes[v].limit = l; });
    }
    if (node.kind == NodeKind::merge && g.inputs(static_cast<int>(v)).size() == 1)
      vary([&](GraphSpec& h) { h.nodes[v].kind = NodeKind::map; });
    vary([&](GraphSpec& h) { h.nodes[v].ii = 1; });
    vary([&](GraphSpec& h) { h.nodes[v].stamp = 0; });
    vary([&](GraphSpec& h) { h.nodes[v].peek_first = false; });
    vary([&](GraphSpec& h) { h.nodes[v].inputs_together = false; });
    vary([&](GraphSpec& h) { h.nodes[v].outputs_in_order = false; });
  }
  for (std::size_t c = 0; c < g.channels.size(); ++c) {
    const ChannelSpec& ch = g.channels[c];
    vary([&](GraphSpec& h) { h.channels[c].latency = 1; });
    vary([&](GraphSpec& h) { h.channels[c].response_latency = 1; });
    if (ch.capacity && *ch.capacity > 1) {
      vary([&](GraphSpec& h) { h.channels[c].capacity = 2; });
      vary([&](GraphSpec& h) { h.channels[c].capacity = *ch.capacity - 1; });
    }
  }
  return result;
}

}  // namespace

GraphSpec reduce(GraphSpec g, const std::function<bool(const GraphSpec&)>& still_fails,
                 std::ostream* log) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (GraphSpec& h : candidates(g)) {
      if (h == g || !problems(h).empty() || !still_fails(h)) continue;
      g = std::move(h);
      changed = true;
      if (log)
        *log << "  reduced to " << g.nodes.size() << " nodes, " << g.channels.size()
             << " channels, " << source_elements(g) << " source elements\n";
      break;
    }
  }
  return g;
}

}  // namespace dfsim::verification
