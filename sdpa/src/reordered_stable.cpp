// reordered-stable (docs/sdpa.md, graph 4): online softmax. A Scan over the raw scores keeps the
// running max m and writes, per element, delta = exp(m_old - m_new) and c = exp(s_ij - m_new),
// each fanned out to both Reduces (four FIFOs). The Reduces keep l = l * delta + c and
// acc = acc * delta + c * v_j; one divide per row. Constant-depth FIFOs, no overflow.
//
//   qk -scores-> running_max -delta_sum, c_sum-> row_sum ------sum-----+
//                           \-delta_acc, c_acc-> weighted_sum -acc-> divide -out-> sink
#include <cmath>
#include <limits>
#include <utility>

#include "dfsim/sdpa/online_softmax.hpp"
#include "graph.hpp"

namespace dfsim::sdpa::detail {

template <class Shape>
RowSums<Shape> reordered_stable_key_loop(Head<Shape>& h, Receiver<typename Shape::Row> q,
                                         Receiver<typename Shape::Row> k,
                                         Receiver<typename Shape::Row> v, bool keep_max) {
  using T = typename Shape::T;
  using Row = typename Shape::Row;
  using Acc = typename Shape::Acc;
  auto [scores_tx, scores_rx] = h.template fifo<T>("scores");
  auto [delta_sum_tx, delta_sum_rx] = h.template fifo<T>("delta_sum");
  auto [c_sum_tx, c_sum_rx] = h.template fifo<T>("c_sum");
  auto [delta_acc_tx, delta_acc_rx] = h.template fifo<T>("delta_acc");
  auto [c_acc_tx, c_acc_rx] = h.template fifo<T>("c_acc");
  auto [sum_tx, sum_rx] = h.template fifo<T>("sum");
  auto [acc_tx, acc_rx] = h.template fifo<Acc>("acc");
  RowSums<Shape> sums{std::nullopt, std::move(sum_rx), std::move(acc_rx)};

  const T lowest = -std::numeric_limits<T>::infinity();
  if (keep_max) {
    // The scores also go to a Reduce that keeps the row's max for the merge of the lanes.
    auto [lane_scores_tx, lane_scores_rx] = h.template fifo<T>("lane_scores");
    auto [max_tx, max_rx] = h.template fifo<T>("max");
    h.add_qk([](T s) { return s; }, std::move(q), std::move(k),
             std::array{std::move(scores_tx), std::move(lane_scores_tx)});
    h.unit("lane_max",
           units::reduce(lowest, [](T& m, T s) { m = m < s ? s : m; }, h.per_element("lane_max")),
           std::move(lane_scores_rx), std::move(max_tx));
    sums.max = std::move(max_rx);
  } else {
    h.add_qk([](T s) { return s; }, std::move(q), std::move(k), std::move(scores_tx));
  }
  // The running max starts at -inf every row, so the first delta is exp(-inf) = 0.
  auto online = [](T& m, T s) { return online_max_step(m, s); };
  h.unit("running_max", units::scan(lowest, online, h.per_element("running_max")),
         std::move(scores_rx), std::array{std::move(delta_sum_tx), std::move(delta_acc_tx)},
         std::array{std::move(c_sum_tx), std::move(c_acc_tx)});
  h.unit("row_sum",
         units::reduce(T(0), [](T& l, T delta, T c) { l = l * delta + c; }, h.per_element("row_sum")),
         std::move(delta_sum_rx), std::move(c_sum_rx), std::move(sum_tx));
  h.unit("weighted_sum",
         units::reduce(h.zero(),
                       [](Acc& acc, T delta, T c, const Row& v) { Shape::rescale_axpy(acc, delta, c, v); },
                       h.per_element("weighted_sum")),
         std::move(delta_acc_rx), std::move(c_acc_rx), std::move(v), std::move(acc_tx));
  return sums;
}

template <class Shape>
void build_reordered_stable(Head<Shape>& h) {
  build_one_lane(h, [&h](auto q, auto k, auto v) {
    return reordered_stable_key_loop(h, std::move(q), std::move(k), std::move(v), false);
  });
}

#define DFSIM_SDPA_INSTANTIATE_LOOP(_, Shape)                                                    \
  template RowSums<Shape> reordered_stable_key_loop(Head<Shape>&, Receiver<Shape::Row>,      \
                                                    Receiver<Shape::Row>, Receiver<Shape::Row>, \
                                                    bool);
DFSIM_SDPA_FOR_EACH_SHAPE(DFSIM_SDPA_INSTANTIATE_LOOP, _)
#undef DFSIM_SDPA_INSTANTIATE_LOOP

DFSIM_SDPA_INSTANTIATE(build_reordered_stable)

}  // namespace dfsim::sdpa::detail
