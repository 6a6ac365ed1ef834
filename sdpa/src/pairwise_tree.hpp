#pragma once
// The lanes' merge trees (lanes.cpp, naive_lanes.cpp) pair their inputs the same way, which
// fixes the merge units' numbering and the tree's depth: one rule, here.
#include <cstddef>
#include <utility>
#include <vector>

namespace dfsim::sdpa::detail {

// Pairs `level` (two or more) level by level, an odd one out waiting for the next level:
// size() - 1 merges numbered from 0, ceil(log2 size()) deep. inner(a, b, node) gives the
// next level's element; root(a, b, node) makes the last merge and gives the result.
template <class T, class Inner, class Root>
auto pairwise_tree(std::vector<T> level, Inner inner, Root root) {
  unsigned node = 0;
  while (level.size() > 2) {
    std::vector<T> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2)
      next.push_back(inner(std::move(level[i]), std::move(level[i + 1]), node++));
    if (level.size() % 2) next.push_back(std::move(level.back()));
    level = std::move(next);
  }
  return root(std::move(level[0]), std::move(level[1]), node);
}

}  // namespace dfsim::sdpa::detail
