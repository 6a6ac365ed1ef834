// Random inputs and the double-precision reference, written independently of the graphs.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): fully specified, so a seed gives the same tensors on
// every platform and standard library (std::uniform_real_distribution does not promise that).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1), 53 bits.
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

}  // namespace

Tensors random_tensors(std::size_t n, std::size_t d, std::uint64_t seed, double scale,
                       std::size_t query_rows) {
  Tensors t{.n = n, .d = d};
  SplitMix64 rng{seed};
  for (std::vector<double>* m : {&t.q, &t.k, &t.v}) {
    m->resize((m == &t.q && query_rows ? query_rows : n) * d);
    for (double& x : *m) x = scale * (2 * rng.unit() - 1);
  }
  return t;
}

std::vector<double> reference_attention(const Tensors& t, bool causal) {
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

}  // namespace dfsim::sdpa
