// naive (docs/sdpa.md, graph 1): e_ij = exp(s_ij) fans out to a short FIFO feeding the row sum
// l_i and to a long FIFO feeding the divide e_ij / l_i; then o_i = sum_j p_ij v_j.
// The divide cannot start a row before its sum exists, so `long` must hold a whole row.
//
//   q_source -q-> qk -short-> row_sum -sum-> divide -p-> weighted_sum -out-> sink
//   k_source -k-/    \-------long--------/               v_source -v-/
#include <cmath>

#include "naive_units.hpp"

namespace dfsim::sdpa::detail {

template <class Shape>
void build_naive(Head<Shape>& h) {
  using T = typename Shape::T;
  using Acc = typename Shape::Acc;
  auto [q_rx, k_rx, v_rx] = h.inputs();
  auto [short_tx, short_rx] = h.template fifo<T>("short");
  auto [long_tx, long_rx] = h.template fifo<T>("long");
  auto [sum_tx, sum_rx] = h.template fifo<T>("sum");
  auto [p_tx, p_rx] = h.template fifo<T>("p");
  auto [out_tx, out_rx] = h.template fifo<Acc>("out");

  h.add_qk([](T s) { return exponential(s); }, std::move(q_rx), std::move(k_rx), std::array{std::move(short_tx), std::move(long_tx)});
  add_row_sum(h, std::move(short_rx), std::move(sum_tx));
  add_divide(h, std::move(long_rx), std::move(sum_rx), std::move(p_tx));
  add_weighted_sum(h, std::move(p_rx), std::move(v_rx), std::move(out_tx));
  h.sink(std::move(out_rx));
}

DFSIM_SDPA_INSTANTIATE(build_naive)

}  // namespace dfsim::sdpa::detail
