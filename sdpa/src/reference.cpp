// The double-precision reference, written independently of the graphs, and the thread that
// computes it beside a run.
#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dfsim::sdpa {

std::vector<double> reference_attention(const Tensors& t, bool causal) {
  return detail::reference_attention(t, causal, std::stop_token{});
}

std::vector<double> detail::reference_attention(const Tensors& t, bool causal,
                                               std::stop_token stop) {
  const std::size_t n = t.n, d = t.d;
  if (d == 0 || t.q.size() % d != 0 || t.k.size() != n * d || t.v.size() != n * d)
    throw std::invalid_argument("reference_attention: K and V must each hold n x d = " +
                                std::to_string(n * d) + " values, and Q whole rows of d");
  const std::size_t rows = t.q.size() / d;
  if (causal && rows != n)
    throw std::invalid_argument("reference_attention: causal needs a query row per key");
  std::vector<double> out(rows * d, 0.0);
  std::vector<double> s(n);
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  for (std::size_t i = 0; i < rows; ++i) {
    if (stop.stop_requested()) return {};
    const double* q = &t.q[i * d];
    const std::size_t keys = causal ? i + 1 : n;  // the masked keys weigh exactly 0
    double m = -INFINITY;
    for (std::size_t j = 0; j < keys; ++j) {
      const double* k = &t.k[j * d];
      double dot = 0;
      for (std::size_t x = 0; x < d; ++x) dot += q[x] * k[x];
      s[j] = dot * inv_sqrt_d;
      m = std::max(m, s[j]);
    }
    double sum = 0;
    for (std::size_t j = 0; j < keys; ++j) {
      s[j] = std::exp(s[j] - m);
      sum += s[j];
    }
    double* o = &out[i * d];
    for (std::size_t j = 0; j < keys; ++j) {
      const double w = s[j] / sum;
      const double* v = &t.v[j * d];
      for (std::size_t x = 0; x < d; ++x) o[x] += w * v[x];
    }
  }
  return out;
}

namespace detail {

References::References(const std::vector<Tensors>& inputs, bool causal, bool background)
    : inputs_(inputs), causal_(causal), refs_(inputs.size()), done_(inputs.size(), false) {
  if (background) thread_ = std::jthread([this](std::stop_token stop) { compute(stop); });
}

void References::compute(std::stop_token stop) noexcept {
  try {
    for (std::size_t h = 0; h < inputs_.size() && !stop.stop_requested(); ++h)
      refs_[h] = reference_attention(inputs_[h], causal_, stop);
  } catch (...) {
    failure_ = std::current_exception();
  }
}

void References::wait() {
  thread_.join();
  // The thread ran to the end (nobody asked it to stop before this join): every head is done.
  std::fill(done_.begin(), done_.end(), true);
  if (failure_) std::rethrow_exception(failure_);
}

const std::vector<double>& References::of(unsigned head) {
  if (thread_.joinable()) wait();
  if (!done_[head]) {
    refs_[head] = sdpa::reference_attention(inputs_[head], causal_);
    done_[head] = true;
  }
  return refs_[head];
}

}  // namespace detail
}  // namespace dfsim::sdpa
