// Placing contexts on workers. Every channel between workers costs a fence per operation
// and cross-thread wakes, so whole connected components go to one worker when there are
// enough of them; only a component too large to leave unsplit is cut, along a depth-first
// order from a sink, which keeps subtrees (a reduction tree's halves) together.
#include <algorithm>
#include <numeric>
#include <vector>

#include "dfsim/engine/detail/channel_core.hpp"
#include "executor.hpp"

namespace dfsim::detail {
namespace {

// A component smaller than this many contexts per worker is never split: the messages
// between its parts would cost more than the parallelism gains.
constexpr std::size_t kMinContextsPerPiece = 32;

std::vector<std::vector<std::size_t>> neighbours(const ExecutionState& state) {
  std::vector<std::vector<std::size_t>> adj(state.contexts.size());
  for (const ChannelCore* ch : state.channels) {
    adj[ch->sender->index].push_back(ch->receiver->index);
    adj[ch->receiver->index].push_back(ch->sender->index);
  }
  return adj;
}

// Connected components, each listed in depth-first preorder from a sink.
std::vector<std::vector<std::size_t>> components(const ExecutionState& state) {
  auto adj = neighbours(state);
  std::size_t n = state.contexts.size();
  std::vector<bool> seen(n, false);
  std::vector<std::size_t> roots;  // sinks first, so each component starts at one
  for (std::size_t i = n; i-- > 0;)
    if (state.contexts[i]->outputs.empty()) roots.push_back(i);
  for (std::size_t i = 0; i < n; ++i) roots.push_back(i);

  std::vector<std::vector<std::size_t>> result;
  for (std::size_t root : roots) {
    if (seen[root]) continue;
    std::vector<std::size_t> order, stack{root};
    seen[root] = true;
    while (!stack.empty()) {
      std::size_t v = stack.back();
      stack.pop_back();
      order.push_back(v);
      for (auto it = adj[v].rbegin(); it != adj[v].rend(); ++it)
        if (!seen[*it]) {
          seen[*it] = true;
          stack.push_back(*it);
        }
    }
    result.push_back(std::move(order));
  }
  return result;
}

}  // namespace

std::vector<unsigned> partition(const ExecutionState& state, unsigned workers) {
  auto pieces = components(state);
  // Split the largest piece while there are fewer pieces than workers and it is large.
  while (pieces.size() < workers) {
    auto largest = std::max_element(pieces.begin(), pieces.end(),
                                    [](const auto& a, const auto& b) { return a.size() < b.size(); });
    if (largest->size() < 2 * kMinContextsPerPiece) break;
    std::vector<std::size_t> second(largest->begin() + static_cast<long>(largest->size() / 2),
                                    largest->end());
    largest->resize(largest->size() / 2);
    pieces.push_back(std::move(second));
  }
  // Longest piece first onto the least loaded worker.
  std::sort(pieces.begin(), pieces.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<std::size_t> load(workers, 0);
  std::vector<unsigned> assignment(state.contexts.size(), 0);
  for (const auto& piece : pieces) {
    unsigned w = static_cast<unsigned>(std::min_element(load.begin(), load.end()) - load.begin());
    load[w] += piece.size();
    for (std::size_t c : piece) assignment[c] = w;
  }
  // Number the workers actually used 0..k-1.
  std::vector<int> renumber(workers, -1);
  unsigned next = 0;
  for (unsigned& a : assignment) {
    if (renumber[a] < 0) renumber[a] = static_cast<int>(next++);
    a = static_cast<unsigned>(renumber[a]);
  }
  return assignment;
}

}  // namespace dfsim::detail
