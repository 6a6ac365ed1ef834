#pragma once
// The reduction tree DAM uses to compare itself with SST: L leaves, each a source of T values,
// a binary tree of adders (each pops its two inputs, pushes the sum one cycle later and
// advances one cycle) and a sink at the root that checks every sum against a closed form.
//
//   Program g;
//   build_reduction_tree(g, {.leaves = 1024, .elements = 100000, .capacity = 8});
//   RunResult r = run(g, {.threads = 2});   // elapsed cycles: T + depth at capacity >= 2
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"

namespace dfsim::workloads {

struct ReductionTreeOptions {
  std::uint64_t leaves = 1024;  // L >= 1; need not be a power of two
  std::uint64_t elements = 1000;  // T values per leaf
  std::optional<std::uint64_t> capacity = 2;  // of every channel; nullopt: unbounded
};

// Value i of leaf l. Every leaf contributes to every sum with a different weight, so a sum
// that mixes elements of different indices, drops a leaf or counts one twice is caught.
constexpr std::int64_t tree_leaf_value(std::uint64_t leaf, std::uint64_t i) noexcept {
  return static_cast<std::int64_t>((leaf + 1) * (i + 1));
}

// Sum over the L leaves of tree_leaf_value(l, i): (i + 1) * L * (L + 1) / 2.
constexpr std::int64_t tree_expected_sum(std::uint64_t leaves, std::uint64_t i) noexcept {
  return static_cast<std::int64_t>((i + 1) * (leaves * (leaves + 1) / 2));
}

// Whether every sum of a tree of `leaves` leaves and `elements` values fits in std::int64_t.
constexpr bool tree_sums_fit(std::uint64_t leaves, std::uint64_t elements) noexcept {
  constexpr std::uint64_t max = static_cast<std::uint64_t>(INT64_MAX);
  if (leaves == 0 || elements == 0) return true;
  if (leaves >= (std::uint64_t{1} << 31)) return false;
  return leaves * (leaves + 1) / 2 <= max / elements;
}

// Adder levels between the leaves and the sink: ceil(log2 L).
constexpr unsigned tree_depth(std::uint64_t leaves) noexcept {
  unsigned depth = 0;
  for (std::uint64_t n = leaves; n > 1; n = (n + 1) / 2) ++depth;
  return depth;
}

// An adder: pops one value from each input, emits their sum one cycle later, one per cycle.
// Both inputs must end together.
inline auto tree_adder() {
  return [](Context& ctx, Receiver<std::int64_t> left, Receiver<std::int64_t> right,
            Sender<std::int64_t> out) -> Process {
    while (true) {
      auto a = co_await left.pop();
      auto b = co_await right.pop();
      if (!a || !b) {
        if (a || b)
          throw std::runtime_error("input '" + (a ? right : left).name() + "' ended before '" +
                                   (a ? left : right).name() + "'");
        co_return;
      }
      co_await out.push(*a + *b, PipelineDepth{1});
      ctx.advance(1);
    }
  };
}

// The sink at the root: checks sum i against tree_expected_sum and the count against T.
inline auto tree_checker(std::uint64_t leaves, std::uint64_t count) {
  return [leaves, count](Context&, Receiver<std::int64_t> in) -> Process {
    std::uint64_t i = 0;
    while (auto v = co_await in.pop()) {
      const std::int64_t expected = tree_expected_sum(leaves, i);
      if (*v != expected)
        throw std::runtime_error("sum " + std::to_string(i) + ": expected " +
                                 std::to_string(expected) + ", got " + std::to_string(*v));
      ++i;
    }
    if (i != count)
      throw std::runtime_error("received " + std::to_string(i) + " of " + std::to_string(count) +
                               " sums");
  };
}

// Contexts "leaf0" .. "leaf<L-1>", adders "add.<level>.<index>" (level 1 next to the leaves,
// level tree_depth(L) at the root) and "sink". Channel "c.<level>.<index>" is the output of
// node <index> of <level> (level 0: the leaves). When a level has an odd number of nodes,
// the last one is passed up to the next level unchanged.
inline void build_reduction_tree(Program& g, const ReductionTreeOptions& o) {
  if (o.leaves == 0) throw std::invalid_argument("a reduction tree needs at least one leaf");
  if (!tree_sums_fit(o.leaves, o.elements))
    throw std::invalid_argument("a reduction tree of " + std::to_string(o.leaves) + " leaves and " +
                                std::to_string(o.elements) +
                                " elements has sums beyond 64-bit integers");
  const ChannelOptions ch{.capacity = o.capacity};
  std::vector<Receiver<std::int64_t>> level;
  level.reserve(o.leaves);
  for (std::uint64_t l = 0; l < o.leaves; ++l) {
    auto [out, in] = g.channel<std::int64_t>("c.0." + std::to_string(l), ch);
    g.add("leaf" + std::to_string(l),
          units::index_source(o.elements, [l](std::uint64_t i) { return tree_leaf_value(l, i); }),
          std::move(out));
    level.push_back(std::move(in));
  }
  for (unsigned depth = 1; level.size() > 1; ++depth) {
    std::vector<Receiver<std::int64_t>> next;
    next.reserve((level.size() + 1) / 2);
    for (std::size_t k = 0; k + 1 < level.size(); k += 2) {
      const std::string id = std::to_string(depth) + "." + std::to_string(k / 2);
      auto [out, in] = g.channel<std::int64_t>("c." + id, ch);
      g.add("add." + id, tree_adder(), std::move(level[k]), std::move(level[k + 1]),
            std::move(out));
      next.push_back(std::move(in));
    }
    if (level.size() % 2 == 1) next.push_back(std::move(level.back()));
    level = std::move(next);
  }
  g.add("sink", tree_checker(o.leaves, o.elements), std::move(level.front()));
}

// T elements through each of the 2L - 1 channels (L from the leaves, L - 1 from the adders),
// at the slowest speed measured (Release, one thread, a 2-core x86 machine busy with builds,
// T = 20,000, L = 16 and 1024): 38 to 72 M elements/s at capacity 2 to 8, 16 to 45 M/s at
// capacity 1, where every element switches contexts (unbounded taken as slow).
inline WorkEstimate tree_work(const ReductionTreeOptions& o) {
  const bool fast = o.capacity && *o.capacity >= 2;
  return {.elements = static_cast<double>(o.elements) * (2 * static_cast<double>(o.leaves) - 1),
          .elements_per_second = fast ? 30e6 : 15e6};
}

}  // namespace dfsim::workloads
