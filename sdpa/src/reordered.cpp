// reordered (docs/sdpa.md, graph 3): the division deferred. l_i = sum_j e_ij and
// acc_i = sum_j e_ij v_j are reduced side by side; one divide per row, o_i = acc_i / l_i.
// Every FIFO has constant depth. Without a max, exp overflows for s > 709 (fp64) or
// s > 88.7 (fp32) and the outputs become inf or NaN: shown, not hidden.
//
//   qk -e_sum-> row_sum ------sum-----+
//      \-e_acc-> weighted_sum -acc-> divide -out-> sink
#include <cmath>

#include "graph.hpp"

namespace dfsim::sdpa::detail {

template <class Shape>
RowSums<Shape> reordered_key_loop(Head<Shape>& h, Receiver<typename Shape::Row> q,
                                  Receiver<typename Shape::Row> k, Receiver<typename Shape::Row> v) {
  using T = typename Shape::T;
  using Row = typename Shape::Row;
  using Acc = typename Shape::Acc;
  auto [e_sum_tx, e_sum_rx] = h.template fifo<T>("e_sum");
  auto [e_acc_tx, e_acc_rx] = h.template fifo<T>("e_acc");
  auto [sum_tx, sum_rx] = h.template fifo<T>("sum");
  auto [acc_tx, acc_rx] = h.template fifo<Acc>("acc");
  h.add_qk([](T s) { return exponential(s); }, std::move(q), std::move(k), std::array{std::move(e_sum_tx), std::move(e_acc_tx)});
  h.unit("row_sum", units::reduce(T(0), [](T& l, T e) { l += e; }, h.per_element("row_sum")),
         std::move(e_sum_rx), std::move(sum_tx));
  h.unit("weighted_sum",
         units::reduce(h.zero(), [](Acc& acc, T e, const Row& v) { Shape::axpy(acc, e, v); },
                       h.per_element("weighted_sum")),
         std::move(e_acc_rx), std::move(v), std::move(acc_tx));
  return {std::nullopt, std::move(sum_rx), std::move(acc_rx)};
}

template <class Shape>
void divide_to_sink(Head<Shape>& h, Receiver<typename Shape::T> sum, Receiver<typename Shape::Acc> acc) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  auto [out_tx, out_rx] = h.template fifo<Acc>("out");
  h.unit("divide", units::map([](const Acc& acc, T l) { return Shape::divide(acc, l); }, h.per_row("divide")),
         std::move(acc), std::move(sum), std::move(out_tx));
  h.sink(std::move(out_rx));
}

template <class Shape>
void build_reordered(Head<Shape>& h) {
  build_one_lane(h, [&h](auto q, auto k, auto v) {
    return reordered_key_loop(h, std::move(q), std::move(k), std::move(v));
  });
}

#define DFSIM_SDPA_INSTANTIATE_PARTS(_, Shape)                                                   \
  template RowSums<Shape> reordered_key_loop(Head<Shape>&, Receiver<Shape::Row>,             \
                                             Receiver<Shape::Row>, Receiver<Shape::Row>);     \
  template void divide_to_sink(Head<Shape>&, Receiver<Shape::T>, Receiver<Shape::Acc>);
DFSIM_SDPA_FOR_EACH_SHAPE(DFSIM_SDPA_INSTANTIATE_PARTS, _)
#undef DFSIM_SDPA_INSTANTIATE_PARTS

DFSIM_SDPA_INSTANTIATE(build_reordered)

}  // namespace dfsim::sdpa::detail
