// naive-stable (docs/sdpa.md, graph 2): the safe softmax. A row max m_i first (its own short and
// long FIFOs: the long one holds the scores while the max is found), then e_ij = exp(s_ij - m_i),
// then as naive. Two FIFOs of depth O(N).
//
//   qk -max_short-> row_max -max-> exp -short-> row_sum -sum-> divide -p-> weighted_sum -out-> sink
//      \-----------max_long--------/   \-----------long---------/
#include "naive_units.hpp"

namespace dfsim::sdpa::detail {

template <class Shape>
void build_naive_stable(Head<Shape>& h) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  auto [q_rx, k_rx, v_rx] = h.inputs();
  auto [max_short_tx, max_short_rx] = h.template fifo<T>("max_short");
  auto [max_long_tx, max_long_rx] = h.template fifo<T>("max_long");
  auto [max_tx, max_rx] = h.template fifo<T>("max");
  auto [short_tx, short_rx] = h.template fifo<T>("short");
  auto [long_tx, long_rx] = h.template fifo<T>("long");
  auto [sum_tx, sum_rx] = h.template fifo<T>("sum");
  auto [p_tx, p_rx] = h.template fifo<T>("p");
  auto [out_tx, out_rx] = h.template fifo<Acc>("out");

  h.add_qk([](T s) { return s; }, std::move(q_rx), std::move(k_rx),
           std::array{std::move(max_short_tx), std::move(max_long_tx)});
  add_row_max(h, std::move(max_short_rx), std::move(max_tx));
  add_exp(h, std::move(max_long_rx), std::move(max_rx), std::array{std::move(short_tx), std::move(long_tx)});
  add_row_sum(h, std::move(short_rx), std::move(sum_tx));
  add_divide(h, std::move(long_rx), std::move(sum_rx), std::move(p_tx));
  add_weighted_sum(h, std::move(p_rx), std::move(v_rx), std::move(out_tx));
  h.sink(std::move(out_rx));
}

DFSIM_SDPA_INSTANTIATE(build_naive_stable)

}  // namespace dfsim::sdpa::detail
