// Parallel lanes (docs/sdpa.md, "Parallel lanes"): the reordered graphs' key loop in L lanes,
// lane l taking keys j = l, l + L, ... of every row from its own K and V memory banks, the Q
// memory fanning q_i out to every lane. Each lane leaves, once per row, its partial state: the
// sum l and the weighted sum acc (for reordered-stable relative to the lane's own max m, kept
// by a Reduce beside the running max). A tree of L - 1 merge units combines two states per row
// by the log-sum-exp merge (online_softmax.hpp, merge_factors); its root feeds the divide.
//
//   lane0: qk -> running_max -> row_sum, weighted_sum, lane_max -(max, sum, acc)--+
//                                                                                 merge0 -(sum, acc)-> divide -> sink
//   lane1: ...                                                    -(max, sum, acc)--+
#include <string>
#include <tuple>
#include <vector>

#include "dfsim/sdpa/online_softmax.hpp"
#include "graph.hpp"
#include "pairwise_tree.hpp"

namespace dfsim::sdpa::detail {
namespace {

// One merge unit: two partial states in, one out. The root writes the head's own "sum" and
// "acc" FIFOs (the divide's), and no max; the others write "merge<k>.max", ... .
template <class Shape>
RowSums<Shape> merge(Head<Shape>& h, RowSums<Shape> a, RowSums<Shape> b, unsigned node, bool root) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  const std::string name = "merge" + std::to_string(node);
  auto [sum_tx, sum_rx] = root ? h.template fifo<T>("sum") : h.template fifo<T>(name + ".sum", "sum");
  auto [acc_tx, acc_rx] = root ? h.template fifo<Acc>("acc") : h.template fifo<Acc>(name + ".acc", "acc");
  RowSums<Shape> merged{std::nullopt, std::move(sum_rx), std::move(acc_rx)};
  if (!a.max) {
    // reordered: no max, the weights are exp(s) in every lane; the sums add.
    h.unit(name,
           units::map([](T la, const Acc& aa, T lb, const Acc& ab) {
             return std::tuple<T, Acc>{la + lb, Shape::scaled_sum(aa, T(1), ab, T(1))};
           }, h.per_row("merge")),
           std::move(a.sum), std::move(a.acc), std::move(b.sum), std::move(b.acc), std::move(sum_tx),
           std::move(acc_tx));
    return merged;
  }
  auto lse = [](T ma, T la, const Acc& aa, T mb, T lb, const Acc& ab) {
    auto [m, sa, sb] = merge_factors(ma, mb);
    return std::tuple<T, T, Acc>{m, la * sa + lb * sb, Shape::scaled_sum(aa, sa, ab, sb)};
  };
  if (root) {
    h.unit(name,
           units::map([lse](T ma, T la, const Acc& aa, T mb, T lb, const Acc& ab) {
             auto [m, l, acc] = lse(ma, la, aa, mb, lb, ab);
             return std::tuple<T, Acc>{l, std::move(acc)};
           }, h.per_row("merge")),
           std::move(*a.max), std::move(a.sum), std::move(a.acc), std::move(*b.max), std::move(b.sum),
           std::move(b.acc), std::move(sum_tx), std::move(acc_tx));
    return merged;
  }
  auto [max_tx, max_rx] = h.template fifo<T>(name + ".max", "max");
  h.unit(name, units::map(lse, h.per_row("merge")), std::move(*a.max), std::move(a.sum),
         std::move(a.acc), std::move(*b.max), std::move(b.sum), std::move(b.acc), std::move(max_tx),
         std::move(sum_tx), std::move(acc_tx));
  merged.max = std::move(max_rx);
  return merged;
}

// L - 1 merges, the last one the root (pairwise_tree.hpp).
template <class Shape>
RowSums<Shape> merge_tree(Head<Shape>& h, std::vector<RowSums<Shape>> states) {
  return pairwise_tree(
      std::move(states),
      [&](RowSums<Shape> a, RowSums<Shape> b, unsigned node) {
        return merge(h, std::move(a), std::move(b), node, false);
      },
      [&](RowSums<Shape> a, RowSums<Shape> b, unsigned node) {
        return merge(h, std::move(a), std::move(b), node, true);
      });
}

}  // namespace

template <class Shape>
void build_reordered_lanes(Head<Shape>& h, bool stable) {
  using Row = typename Shape::Row;
  std::vector<Sender<Row>> q_ports;
  std::vector<RowSums<Shape>> states;
  for (unsigned lane = 0; lane < h.lanes(); ++lane) {
    h.in_lane(lane);
    auto [q_rx, k_rx, v_rx] = h.lane_inputs(q_ports);
    states.push_back(stable ? reordered_stable_key_loop(h, std::move(q_rx), std::move(k_rx), std::move(v_rx), true)
                            : reordered_key_loop(h, std::move(q_rx), std::move(k_rx), std::move(v_rx)));
  }
  h.in_lane(std::nullopt);
  h.q_source(std::move(q_ports));
  RowSums<Shape> row = merge_tree(h, std::move(states));
  divide_to_sink(h, std::move(row.sum), std::move(row.acc));
}

#define DFSIM_SDPA_INSTANTIATE_LANES(_, Shape) template void build_reordered_lanes(Head<Shape>&, bool);
DFSIM_SDPA_FOR_EACH_SHAPE(DFSIM_SDPA_INSTANTIATE_LANES, _)
#undef DFSIM_SDPA_INSTANTIATE_LANES

}  // namespace dfsim::sdpa::detail
