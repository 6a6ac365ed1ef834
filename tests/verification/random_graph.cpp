#include "random_graph.hpp"

#include <algorithm>
#include <map>

namespace dfsim::verification {

std::uint64_t Rng::next() noexcept {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

enum class Trouble { none, sink_limit, mismatch };

class Generator {
 public:
  Generator(std::uint64_t seed, const GeneratorOptions& options)
      : rng_(seed), options_(options) {}

  GraphSpec run() {
    int nodes = static_cast<int>(rng_.between(static_cast<std::uint64_t>(options_.min_nodes),
                                              static_cast<std::uint64_t>(options_.max_nodes)));
    if (rng_.chance(options_.large_fraction)) {
      large_ = true;
      nodes = static_cast<int>(rng_.between(64, 96));
    }
    if (rng_.chance(options_.trouble_fraction))
      trouble_ = rng_.chance(0.5) ? Trouble::sink_limit : Trouble::mismatch;
    int parts = 1;
    if (nodes >= 4 && rng_.chance(options_.components_fraction))
      parts = nodes >= 6 && rng_.chance(0.4) ? 3 : 2;
    for (int p = 0; p < parts; ++p) {
      int budget = nodes / parts + (p < nodes % parts ? 1 : 0);
      component(std::max(budget, 2));
    }
    if (trouble_ == Trouble::mismatch && !mismatched_) trouble_ = Trouble::sink_limit;
    if (trouble_ == Trouble::sink_limit) limit_a_sink();
    return std::move(g_);
  }

 private:
  // ---- parameters ----
  std::uint64_t source_count() {
    std::uint64_t max = large_ ? std::min<std::uint64_t>(options_.max_source_elements, 20)
                               : options_.max_source_elements;
    if (rng_.chance(0.08)) return rng_.below(3);  // 0, 1 or 2: the edges of every loop
    if (rng_.chance(0.5)) return rng_.between(1, std::max<std::uint64_t>(max / 8, 1));
    return rng_.between(1, max);
  }
  // Back-pressure is the common case: most channels hold one or two elements, and more so
  // behind a pipelined sender (its stamps race its credit waits, docs/semantics.md step 2) or in
  // front of a slow receiver (its pops free slots late).
  ChannelSpec channel(int from, int to) {
    ChannelSpec c{.from = from, .to = to};
    const bool pressured = g_.nodes[static_cast<std::size_t>(from)].stamp > 1 ||
                           g_.nodes[static_cast<std::size_t>(to)].ii > 1;
    std::uint64_t r = rng_.below(100);
    if (r < (pressured ? 35 : 20))
      c.capacity = 1;
    else if (r < (pressured ? 70 : 42))
      c.capacity = 2;
    else if (r < (pressured ? 88 : 82))
      c.capacity = rng_.between(3, 8);
    else
      c.capacity = std::nullopt;
    c.latency = rng_.chance(0.55) ? 1 : rng_.between(1, 4);
    c.response_latency = rng_.chance(0.65) ? 1 : rng_.between(1, 3);
    return c;
  }
  NodeSpec node(NodeKind kind) {
    NodeSpec n{.kind = kind};
    n.ii = rng_.chance(0.55) ? 1 : rng_.between(2, 3);
    if (kind != NodeKind::sink && rng_.chance(0.45))
      n.stamp = rng_.chance(0.8) ? rng_.between(2, 6) : 1;
    if (kind == NodeKind::map || kind == NodeKind::sink) n.inputs_together = rng_.chance(0.45);
    if (kind == NodeKind::map && !n.inputs_together) n.peek_first = rng_.chance(0.25);
    if (kind != NodeKind::sink) n.outputs_in_order = rng_.chance(0.5);
    return n;
  }

  // ---- structure ----
  int add_node(NodeSpec n, std::uint64_t count) {
    g_.nodes.push_back(n);
    count_.push_back(count);
    return static_cast<int>(g_.nodes.size()) - 1;
  }
  void connect(int from, int to) {
    g_.channels.push_back(channel(from, to));
    outputs_.resize(g_.nodes.size(), 0);
    ++outputs_[static_cast<std::size_t>(from)];
  }
  int outputs(int v) const {
    const auto i = static_cast<std::size_t>(v);
    return i < outputs_.size() ? outputs_[i] : 0;
  }
  bool dangling(int v) const {
    return g_.nodes[static_cast<std::size_t>(v)].kind != NodeKind::sink && outputs(v) == 0;
  }
  std::uint64_t count(int v) const { return count_[static_cast<std::size_t>(v)]; }

  // An upstream node of this component: often one nobody reads yet (so that the graph
  // grows long), often one with one or two readers (so that it becomes a fan-out of 2 or 3).
  int pick(const std::vector<int>& producers) {
    std::vector<int> open, fanning;
    for (int v : producers) {
      if (dangling(v)) open.push_back(v);
      if (outputs(v) == 1 || outputs(v) == 2) fanning.push_back(v);
    }
    const std::uint64_t r = rng_.below(100);
    const auto& from = !open.empty() && r < 45      ? open
                       : !fanning.empty() && r >= 60 ? fanning
                                                     : producers;
    return from[rng_.below(from.size())];
  }
  // Up to `k` inputs carrying as many elements as `first` (or, once in a mismatch graph,
  // a different number).
  std::vector<int> equal_inputs(const std::vector<int>& producers, int first, std::size_t k,
                                bool allow_mismatch) {
    std::vector<int> inputs{first};
    for (std::size_t i = 1; i < k; ++i) {
      std::vector<int> same, other;
      for (int v : producers) (count(v) == count(first) ? same : other).push_back(v);
      if (allow_mismatch && trouble_ == Trouble::mismatch && !mismatched_ && !other.empty()) {
        inputs.push_back(other[rng_.below(other.size())]);
        mismatched_ = true;
      } else {
        inputs.push_back(same[rng_.below(same.size())]);  // `first` itself is in `same`
      }
    }
    return inputs;
  }

  void component(int budget) {
    std::vector<int> producers;  // nodes of this component that have outputs to give
    int sources = 1 + static_cast<int>(rng_.below(static_cast<std::uint64_t>(
                          std::min(3, std::max(1, budget / 3)))));
    for (int s = 0; s < sources; ++s) {
      NodeSpec n = node(NodeKind::source);
      n.count = source_count();
      producers.push_back(add_node(n, n.count));
    }
    for (int made = sources; made < budget - 1; ++made) {
      std::uint64_t r = rng_.below(100);
      NodeKind kind = r < 50 ? NodeKind::map : r < 82 ? NodeKind::merge : NodeKind::sink;
      std::vector<int> inputs;
      if (kind == NodeKind::merge) {
        std::size_t k = rng_.chance(0.7) ? 2 : 3;
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < k; ++i) {
          inputs.push_back(pick(producers));
          total += count(inputs.back());
        }
        if (total > options_.max_channel_elements) {
          kind = NodeKind::map;
          inputs.resize(1);
        }
      }
      if (kind != NodeKind::merge) {
        std::size_t k = rng_.chance(0.35) ? rng_.between(2, 3) : 1;
        inputs = equal_inputs(producers, pick(producers), k, /*allow_mismatch=*/true);
      }
      std::uint64_t c = 0;
      if (kind == NodeKind::merge) {
        for (int v : inputs) c += count(v);
      } else {
        c = count(inputs.front());
        for (int v : inputs) c = std::min(c, count(v));
      }
      int id = add_node(node(kind), c);
      for (int v : inputs) connect(v, id);
      if (kind != NodeKind::sink) producers.push_back(id);
    }
    close_dangling(producers);
  }

  // Every node whose outputs nobody reads gets a sink, sometimes shared by up to three
  // nodes carrying the same count.
  void close_dangling(const std::vector<int>& producers) {
    std::map<std::uint64_t, std::vector<int>> by_count;
    for (int v : producers)
      if (dangling(v)) by_count[count(v)].push_back(v);
    for (auto& [c, group] : by_count) {
      std::size_t i = 0;
      while (i < group.size()) {
        std::size_t k = std::min<std::size_t>(group.size() - i, rng_.between(1, 3));
        int id = add_node(node(NodeKind::sink), c);
        for (std::size_t j = 0; j < k; ++j) connect(group[i + j], id);
        i += k;
      }
    }
  }

  // A sink that stops before its inputs end: bounded channels upstream fill up.
  void limit_a_sink() {
    std::vector<int> sinks;
    for (std::size_t v = 0; v < g_.nodes.size(); ++v)
      if (g_.nodes[v].kind == NodeKind::sink && count_[v] > 0) sinks.push_back(static_cast<int>(v));
    if (sinks.empty()) return;
    int s = sinks[rng_.below(sinks.size())];
    g_.nodes[static_cast<std::size_t>(s)].limit = rng_.below(count(s));
  }

  Rng rng_;
  GeneratorOptions options_;
  GraphSpec g_;
  std::vector<std::uint64_t> count_;  // elements on each output of a node (sinks: consumed)
  std::vector<int> outputs_;  // channels leaving each node so far
  Trouble trouble_ = Trouble::none;
  bool mismatched_ = false;
  bool large_ = false;
};

}  // namespace

GraphSpec random_graph(std::uint64_t seed, const GeneratorOptions& options) {
  return Generator(seed, options).run();
}

}  // namespace dfsim::verification
