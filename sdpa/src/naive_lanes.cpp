// Parallel lanes of the naive graphs (docs/sdpa.md, "Parallel lanes"): lane l takes keys
// j = l, l + L, ... of every row from its own K and V banks, the Q memory fanning q_i out to
// every lane. A lane cannot divide by its own partial sum: each lane's row sum goes to a tree
// of adders (merge_sum<k>, once per row) whose root sends the whole row's l_i back to every
// lane's divide, so each lane's long FIFO holds its ~N/L exps of a row until then. The lanes'
// weighted sums are added by a second tree (merge_acc<k>) into the output. naive-stable finds
// the row max the same way first (row_max per lane, a max tree merge_max<k> sent back to every
// lane's exp), with a second long FIFO per lane (max_long).
//
//   lane<l>: qk -short-> row_sum -lane_sum-> merge_sum tree -sum-> (every lane's) divide
//              \--------long------------------------------------------------/
//            divide -p-> weighted_sum -acc-> merge_acc tree -out-> sink
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "naive_units.hpp"
#include "pairwise_tree.hpp"

namespace dfsim::sdpa::detail {
namespace {

// Combines the lanes' once-per-row values by `combine`, pairwise level by level (an odd one
// out waits for the next level): L - 1 units named "<tree><k>", ceil(log2 L) deep, timed as
// "merge". The inner nodes write "<tree><k>.<role>" FIFOs; the root writes `root` (a Sender,
// or every lane's Sender: the value sent back to each).
template <class Shape, class E, class Combine, class Root>
void reduce_tree(Head<Shape>& h, std::vector<Receiver<E>> level, Combine combine,
                 const std::string& tree, const std::string& role, Root root) {
  auto add_node = [&](Receiver<E> a, Receiver<E> b, unsigned node, auto out) {
    h.unit(tree + std::to_string(node), units::map(combine, h.per_row("merge")), std::move(a),
           std::move(b), std::move(out));
  };
  pairwise_tree(
      std::move(level),
      [&](Receiver<E> a, Receiver<E> b, unsigned node) {
        auto [tx, rx] = h.template fifo<E>(tree + std::to_string(node) + "." + role, role);
        add_node(std::move(a), std::move(b), node, std::move(tx));
        return std::move(rx);
      },
      [&](Receiver<E> a, Receiver<E> b, unsigned node) {
        add_node(std::move(a), std::move(b), node, std::move(root));
      });
}

// What a lane leaves for the trees, and the ends the trees' roots write back to it.
template <class Shape>
struct LaneEnds {
  using T = typename Shape::T;
  std::vector<Sender<typename Shape::Row>> q;
  std::vector<Receiver<T>> lane_max, lane_sum;
  std::vector<Sender<T>> max, sum;
  std::vector<Receiver<typename Shape::Acc>> acc;
};

// One lane's key loop: its K and V banks, scores, (its share of the row max, then) exps, its
// share of the row sum, the divide by the whole row's sum, its share of the weighted sum.
template <class Shape>
void build_lane(Head<Shape>& h, bool stable, LaneEnds<Shape>& ends) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  auto [q_rx, k_rx, v_rx] = h.lane_inputs(ends.q);
  auto [short_tx, short_rx] = h.template fifo<T>("short");
  auto [long_tx, long_rx] = h.template fifo<T>("long");
  if (stable) {
    auto [max_short_tx, max_short_rx] = h.template fifo<T>("max_short");
    auto [max_long_tx, max_long_rx] = h.template fifo<T>("max_long");
    auto [lane_max_tx, lane_max_rx] = h.template fifo<T>("lane_max");
    auto [max_tx, max_rx] = h.template fifo<T>("max");
    h.add_qk([](T s) { return s; }, std::move(q_rx), std::move(k_rx),
             std::array{std::move(max_short_tx), std::move(max_long_tx)});
    add_row_max(h, std::move(max_short_rx), std::move(lane_max_tx));
    add_exp(h, std::move(max_long_rx), std::move(max_rx), std::array{std::move(short_tx), std::move(long_tx)});
    ends.lane_max.push_back(std::move(lane_max_rx));
    ends.max.push_back(std::move(max_tx));
  } else {
    h.add_qk([](T s) { return exponential(s); }, std::move(q_rx), std::move(k_rx),
             std::array{std::move(short_tx), std::move(long_tx)});
  }
  auto [lane_sum_tx, lane_sum_rx] = h.template fifo<T>("lane_sum");
  auto [sum_tx, sum_rx] = h.template fifo<T>("sum");
  auto [p_tx, p_rx] = h.template fifo<T>("p");
  auto [acc_tx, acc_rx] = h.template fifo<Acc>("acc");
  add_row_sum(h, std::move(short_rx), std::move(lane_sum_tx));
  add_divide(h, std::move(long_rx), std::move(sum_rx), std::move(p_tx));
  add_weighted_sum(h, std::move(p_rx), std::move(v_rx), std::move(acc_tx));
  ends.lane_sum.push_back(std::move(lane_sum_rx));
  ends.sum.push_back(std::move(sum_tx));
  ends.acc.push_back(std::move(acc_rx));
}

}  // namespace

template <class Shape>
void build_naive_lanes(Head<Shape>& h, bool stable) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  LaneEnds<Shape> ends;
  for (unsigned lane = 0; lane < h.lanes(); ++lane) {
    h.in_lane(lane);
    build_lane(h, stable, ends);
  }
  h.in_lane(std::nullopt);
  h.q_source(std::move(ends.q));
  if (stable)
    reduce_tree(h, std::move(ends.lane_max), [](T a, T b) { return std::max(a, b); }, "merge_max",
                "lane_max", std::move(ends.max));
  reduce_tree(h, std::move(ends.lane_sum), [](T a, T b) { return a + b; }, "merge_sum", "lane_sum",
              std::move(ends.sum));
  auto [out_tx, out_rx] = h.template fifo<Acc>("out");
  reduce_tree(h, std::move(ends.acc),
              [](const Acc& a, const Acc& b) { return Shape::scaled_sum(a, T(1), b, T(1)); },
              "merge_acc", "acc", std::move(out_tx));
  h.sink(std::move(out_rx));
}

#define DFSIM_SDPA_INSTANTIATE_LANES(_, Shape) template void build_naive_lanes(Head<Shape>&, bool);
DFSIM_SDPA_FOR_EACH_SHAPE(DFSIM_SDPA_INSTANTIATE_LANES, _)
#undef DFSIM_SDPA_INSTANTIATE_LANES

}  // namespace dfsim::sdpa::detail
