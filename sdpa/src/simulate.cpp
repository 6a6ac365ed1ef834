// simulate_attention: builds one graph per head, runs it, and measures it.
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/rounded_float.hpp"
#include "graph.hpp"
#include "reference.hpp"

namespace dfsim::sdpa {
namespace {

using detail::Head;

template <class Shape>
void build(Variant v, Head<Shape>& h) {
  if (h.lanes() > 1 && (v == Variant::naive || v == Variant::naive_stable))
    return detail::build_naive_lanes(h, v == Variant::naive_stable);
  if (h.lanes() > 1) return detail::build_reordered_lanes(h, v == Variant::reordered_stable);
  switch (v) {
    case Variant::naive: return detail::build_naive(h);
    case Variant::naive_stable: return detail::build_naive_stable(h);
    case Variant::reordered: return detail::build_reordered(h);
    case Variant::reordered_stable: return detail::build_reordered_stable(h);
  }
}

// Every head; the heads that share a K/V stream get their k and v FIFOs from one pair of
// memories ("kv<g>.k_source", "kv<g>.v_source"; with lanes a pair per lane) that fans out to them.
template <class Shape>
void build_heads(Program& g, const AttentionConfig& config, const ResolvedConfig& resolved,
                 const std::vector<Tensors>& inputs, std::vector<std::vector<double>>& outputs) {
  const unsigned streams = kv_heads(config);
  const unsigned per_stream = config.heads / streams;
  for (unsigned kv = 0; kv < streams; ++kv) {
    detail::SharedKv<Shape> shared;
    for (unsigned head = kv * per_stream; head < (kv + 1) * per_stream; ++head) {
      const std::string prefix = config.heads > 1 ? "head" + std::to_string(head) : "";
      Head<Shape> h(g.scope(prefix), resolved, config.causal, inputs[head], outputs[head],
                    per_stream > 1 ? &shared : nullptr, config.lanes);
      build(config.variant, h);
    }
    if (per_stream == 1) continue;
    std::vector<double> no_outputs;
    Head<Shape> memories(g.scope("kv" + std::to_string(kv)), resolved, config.causal,
                         inputs[kv * per_stream], no_outputs, nullptr, config.lanes);
    for (unsigned lane = 0; lane < shared.k.size(); ++lane) {
      if (config.lanes > 1) memories.in_lane(lane);  // "kv<g>.lane<l>.k_source"
      memories.kv_sources(std::move(shared.k[lane]), std::move(shared.v[lane]));
    }
  }
}

// Calls build.template operator()<T>() with the number type of the precision.
template <class Build>
void with_arithmetic(Precision p, Build build) {
  switch (p) {
    case Precision::fp64: return build.template operator()<double>();
    case Precision::fp32: return build.template operator()<float>();
    case Precision::fp16: return build.template operator()<Half>();
    case Precision::bf16: return build.template operator()<BFloat16>();
  }
}

// Equal values, NaN or not (inputs may hold NaN when the user allows it).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void check_inputs(const AttentionConfig& config, const std::vector<Tensors>& inputs) {
  if (inputs.size() != config.heads)
    throw std::invalid_argument("simulate_attention: " + std::to_string(config.heads) +
                                " heads need " + std::to_string(config.heads) +
                                " sets of Q, K, V; got " + std::to_string(inputs.size()));
  const std::size_t nd = config.n * config.d;
  const unsigned per_stream = config.heads / kv_heads(config);
  for (std::size_t h = 0; h < inputs.size(); ++h) {
    const Tensors& t = inputs[h];
    const Tensors& stream = inputs[h - h % per_stream];
    if (&t != &stream && (!same_bits(t.k, stream.k) || !same_bits(t.v, stream.v)))
      throw std::invalid_argument(
          "simulate_attention: head " + std::to_string(h) + " shares the K/V stream of head " +
          std::to_string(h - h % per_stream) + " (heads = " + std::to_string(config.heads) +
          ", kv_heads = " + std::to_string(kv_heads(config)) +
          ") but holds other K or V: give it that head's K and V");
    if (t.n != config.n || t.d != config.d || t.q.size() != query_rows(config) * config.d ||
        t.k.size() != nd || t.v.size() != nd)
      throw std::invalid_argument(
          "simulate_attention: the tensors of head " + std::to_string(h) + " are " +
          std::to_string(t.n) + " x " + std::to_string(t.d) + " (Q, K, V holding " +
          std::to_string(t.q.size()) + ", " + std::to_string(t.k.size()) + ", " +
          std::to_string(t.v.size()) + " values) but the config asks for n = " +
          std::to_string(config.n) + ", d = " + std::to_string(config.d) +
          (config.decode_rows ? " and " + std::to_string(config.decode_rows) + " rows of Q"
                              : ""));
  }
}

}  // namespace

AttentionRun simulate_attention(const AttentionConfig& config, const std::vector<Tensors>& inputs,
                                const RunOptions& options) {
  const ResolvedConfig resolved = resolve(config);
  check_inputs(config, inputs);
  // A run on one thread leaves the second core idle: the references are computed there.
  detail::References references(inputs, config.causal != Causal::none,
                                /*background=*/options.threads <= 1 &&
                                    std::thread::hardware_concurrency() > 1);

  AttentionRun result;
  result.outputs.resize(config.heads);
  Program g;
  with_arithmetic(config.precision, [&]<class T>() {
    if constexpr (detail::uses_scalars<T>) {
      if (config.d == 1)
        return build_heads<detail::Scalars<T>>(g, config, resolved, inputs, result.outputs);
    }
    build_heads<detail::Vectors<T>>(g, config, resolved, inputs, result.outputs);
  });

  result.run = run(g, options);

  result.ideal_cycles = ideal_cycles(config, resolved);
  if (result.run.ok() && result.run.elapsed_cycles > 0)
    result.throughput =
        static_cast<double>(result.ideal_cycles) / static_cast<double>(result.run.elapsed_cycles);

  const std::size_t bytes = scalar_bytes(config.precision);
  for (const ChannelStats& ch : result.run.channels) {
    FifoStats f;
    f.name = ch.name;
    f.capacity = ch.capacity;
    f.elements = ch.elements;
    f.peak_occupancy = ch.peak_occupancy;
    f.internal = detail::is_internal(role_name(ch.name));
    f.element_bytes = bytes * (detail::carries_vectors(role_name(ch.name)) ? config.d : 1);
    if (f.internal) {
      result.intermediate_memory_elements += f.peak_occupancy;
      result.intermediate_memory_bytes += f.peak_occupancy * f.element_bytes;
    }
    result.fifos.push_back(std::move(f));
  }

  for (unsigned head = 0; head < config.heads; ++head) {
    const std::vector<double>& out = result.outputs[head];
    bool any_non_finite = false;
    for (double x : out) any_non_finite |= !std::isfinite(x);
    result.non_finite |= any_non_finite;
    if (any_non_finite) {
      result.max_abs_error = std::numeric_limits<double>::infinity();
      continue;
    }
    // Often no row came out of a deadlock, and at large N the reference (N^2 x d work) would
    // take longer than the run did.
    if (out.empty()) continue;
    const std::vector<double>& ref = references.of(head);
    for (std::size_t i = 0; i < out.size(); ++i)
      result.max_abs_error = std::max(result.max_abs_error, std::fabs(out[i] - ref[i]));
  }
  return result;
}

}  // namespace dfsim::sdpa
