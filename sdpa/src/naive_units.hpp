#pragma once
// The units of the naive graphs (docs/sdpa.md, graphs 1 and 2), each added to a head (or to
// the current lane of one) between the FIFO ends it is given: one place for naive.cpp,
// naive_stable.cpp and naive_lanes.cpp, which wire them differently.
#include <algorithm>
#include <limits>
#include <utility>

#include "graph.hpp"

namespace dfsim::sdpa::detail {

// l_i: the sum of the row's e_ij (or of this lane's share of them).
template <class Shape, class Port>
void add_row_sum(Head<Shape>& h, Receiver<typename Shape::T> e, Port sum) {
  using T = typename Shape::T;
  h.unit("row_sum", units::reduce(T(0), [](T& l, T x) { l += x; }, h.per_element("row_sum")),
         std::move(e), std::move(sum));
}

// m_i: the max of the row's scores (or of this lane's share of them).
template <class Shape, class Port>
void add_row_max(Head<Shape>& h, Receiver<typename Shape::T> s, Port max) {
  using T = typename Shape::T;
  h.unit("row_max",
         units::reduce(-std::numeric_limits<T>::infinity(), [](T& m, T x) { m = std::max(m, x); },
                       h.per_element("row_max")),
         std::move(s), std::move(max));
}

// exp(s_ij - m_i), m_i held for the row.
template <class Shape, class Port>
void add_exp(Head<Shape>& h, Receiver<typename Shape::T> s, Receiver<typename Shape::T> max, Port e) {
  using T = typename Shape::T;
  h.unit("exp", units::map([](T x, T m) -> T { return exponential(x - m); }, h.per_element("exp", {1})),
         std::move(s), std::move(max), std::move(e));
}

// p_ij = e_ij / l_i, l_i held for the row.
template <class Shape>
void add_divide(Head<Shape>& h, Receiver<typename Shape::T> e, Receiver<typename Shape::T> sum,
                Sender<typename Shape::T> p) {
  using T = typename Shape::T;
  h.unit("divide", units::map([](T x, T l) -> T { return x / l; }, h.per_element("divide", {1})),
         std::move(e), std::move(sum), std::move(p));
}

// o_i = sum_j p_ij v_j (or this lane's share of it).
template <class Shape>
void add_weighted_sum(Head<Shape>& h, Receiver<typename Shape::T> p, Receiver<typename Shape::Row> v,
                      Sender<typename Shape::Acc> out) {
  using T = typename Shape::T;
  using Row = typename Shape::Row;
  using Acc = typename Shape::Acc;
  h.unit("weighted_sum",
         units::reduce(h.zero(), [](Acc& acc, T x, const Row& vj) { Shape::axpy(acc, x, vj); },
                       h.per_element("weighted_sum")),
         std::move(p), std::move(v), std::move(out));
}

}  // namespace dfsim::sdpa::detail
