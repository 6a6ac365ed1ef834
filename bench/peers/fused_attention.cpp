// The bare-loop peer of dfsim's reordered-stable attention graph (docs/sdpa.md, graph 4):
// the same arithmetic with no simulation at all, one fused loop over the keys of each query
// row, compiled -O2 -march=native. How much the simulation of every FIFO and unit costs
// is the ratio of dfsim's run to this loop (bench/scripts/sdpa_vs_bare_loop.sh).
//
// Per score s = (q_i . k_j) / sqrt(d), as the graph's units compute it, in double:
//   running max (online softmax): delta = exp(m_old - m_new), c = exp(s - m_new), one exp
//   row sum:      l = l * delta + c
//   weighted sum: acc = acc * delta + c * v_j
//   divide:       o_i = acc / l, once per row (the deferred division)
// The inputs are those of `dfsim sdpa --seed S --scale X` (SplitMix64, uniform in [-X, X)).
//
//   peer_fused_attention --n 4096 --d 1 [--seed 1] [--scale 1]
// prints one JSON line: {"n", "d", "wall_seconds" (the loop alone), "checksum" (sum of the
// outputs)}; exits 1 when the first rows differ from a two-pass softmax by more than 1e-12.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

// The generator of sdpa/src/tensors.cpp, so that both see the same numbers (the branches of
// the online max depend on them).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

struct Inputs {
  std::size_t n, d;
  std::vector<double> q, k, v;
};

Inputs random_inputs(std::size_t n, std::size_t d, std::uint64_t seed, double scale) {
  Inputs in{n, d, std::vector<double>(n * d), std::vector<double>(n * d),
            std::vector<double>(n * d)};
  SplitMix64 rng{seed};
  for (std::vector<double>* m : {&in.q, &in.k, &in.v})
    for (double& x : *m) x = scale * (2 * rng.unit() - 1);
  return in;
}

// online_max_step of sdpa/include/dfsim/sdpa/online_softmax.hpp (no masked scores here).
inline void online_step(double& m, double s, double& delta, double& c) {
  if (s <= m) {
    delta = 1;
    c = std::exp(s - m);
  } else {
    delta = std::exp(m - s);
    m = s;
    c = 1;
  }
}

void fused_attention(const Inputs& in, std::vector<double>& out) {
  const std::size_t n = in.n, d = in.d;
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  std::vector<double> acc(d);
  for (std::size_t i = 0; i < n; ++i) {
    const double* q = &in.q[i * d];
    double m = -std::numeric_limits<double>::infinity(), l = 0;
    std::fill(acc.begin(), acc.end(), 0.0);
    for (std::size_t j = 0; j < n; ++j) {
      const double* k = &in.k[j * d];
      const double* v = &in.v[j * d];
      double s = 0;
      for (std::size_t x = 0; x < d; ++x) s += q[x] * k[x];
      s *= inv_sqrt_d;
      double delta, c;
      online_step(m, s, delta, c);
      l = l * delta + c;
      for (std::size_t x = 0; x < d; ++x) acc[x] = acc[x] * delta + c * v[x];
    }
    for (std::size_t x = 0; x < d; ++x) out[i * d + x] = acc[x] / l;
  }
}

// The largest difference from a two-pass softmax over the first `rows` rows.
double check(const Inputs& in, const std::vector<double>& out, std::size_t rows) {
  const std::size_t n = in.n, d = in.d;
  const double inv_sqrt_d = 1.0 / std::sqrt(static_cast<double>(d));
  double worst = 0;
  std::vector<double> s(n);
  for (std::size_t i = 0; i < rows && i < n; ++i) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      double dot = 0;
      for (std::size_t x = 0; x < d; ++x) dot += in.q[i * d + x] * in.k[j * d + x];
      s[j] = dot * inv_sqrt_d;
      m = std::max(m, s[j]);
    }
    for (std::size_t j = 0; j < n; ++j) sum += (s[j] = std::exp(s[j] - m));
    for (std::size_t x = 0; x < d; ++x) {
      double o = 0;
      for (std::size_t j = 0; j < n; ++j) o += s[j] / sum * in.v[j * d + x];
      worst = std::max(worst, std::fabs(o - out[i * d + x]));
    }
  }
  return worst;
}

[[noreturn]] void usage(const char* prog, const char* problem) {
  std::fprintf(stderr, "peer_fused_attention: error: %s\nusage: %s --n N [--d D] [--seed S] [--scale X]\n",
               problem, prog);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 0, d = 1;
  std::uint64_t seed = 1;
  double scale = 1;
  for (int a = 1; a < argc; ++a) {
    if (a + 1 >= argc) usage(argv[0], (std::string(argv[a]) + " needs a value").c_str());
    char* end = nullptr;
    const char* value = argv[++a];
    if (!std::strcmp(argv[a - 1], "--n")) n = std::strtoull(value, &end, 10);
    else if (!std::strcmp(argv[a - 1], "--d")) d = std::strtoull(value, &end, 10);
    else if (!std::strcmp(argv[a - 1], "--seed")) seed = std::strtoull(value, &end, 10);
    else if (!std::strcmp(argv[a - 1], "--scale")) scale = std::strtod(value, &end);
    else usage(argv[0], (std::string("unknown option ") + argv[a - 1]).c_str());
    if (end == value || *end != '\0') usage(argv[0], (std::string("not a number: ") + value).c_str());
  }
  if (n == 0 || d == 0) usage(argv[0], "--n and --d must be at least 1");

  const Inputs in = random_inputs(n, d, seed, scale);
  std::vector<double> out(n * d);
  const auto start = std::chrono::steady_clock::now();
  fused_attention(in, out);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  double checksum = 0;
  for (double o : out) checksum += o;
  const double error = check(in, out, 8);
  std::printf("{\"n\": %zu, \"d\": %zu, \"wall_seconds\": %.9f, \"checksum\": %.17g}\n", n, d,
              wall, checksum);
  if (!(error <= 1e-12)) {
    std::fprintf(stderr, "peer_fused_attention: error: differs from a two-pass softmax by %g\n",
                 error);
    return 1;
  }
  return 0;
}
