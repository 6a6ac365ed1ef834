// Random inputs, drawn independently of the graphs (the reference is in reference.cpp).
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

}  // namespace dfsim::sdpa
