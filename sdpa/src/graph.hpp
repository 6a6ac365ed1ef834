#pragma once
// Shared pieces of the four attention graphs: element shapes (scalars for d = 1, vectors
// otherwise), the head builder that names FIFOs and units and applies the resolved timing, and
// the sources and sink every graph has.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/rounded_float.hpp"
#include "dfsim/units.hpp"

namespace dfsim::sdpa::detail {

// FIFOs carrying d-vectors (the rest carry scalars), and FIFOs between two units.
bool carries_vectors(std::string_view fifo);
bool is_internal(std::string_view fifo);

// exp in the arithmetic T: std::exp for float and double, the emulated formats' own (found by
// argument-dependent lookup) for Half and BFloat16.
template <class T>
T exponential(T x) {
  using std::exp;
  return exp(x);
}

// d = 1: every stream carries scalars of type T; no allocation per element.
template <class Real>
struct Scalars {
  using T = Real;
  using Row = T;  // q_i, k_j, v_j
  using Acc = T;  // a weighted sum, an output row
  static Row row(const std::vector<T>& m, std::size_t, std::size_t j) { return m[j]; }
  static T dot(const Row& q, const Row& k) { return q * k; }
  static Acc zero(std::size_t) { return T(0); }
  static void axpy(Acc& acc, T c, const Row& v) { acc += c * v; }
  static void rescale_axpy(Acc& acc, T delta, T c, const Row& v) { acc = acc * delta + c * v; }
  static Acc divide(const Acc& acc, T l) { return acc / l; }
  static Acc scaled_sum(const Acc& a, T sa, const Acc& b, T sb) { return a * sa + b * sb; }
  static void append(std::vector<double>& out, const Acc& o) { out.push_back(double(o)); }
};

// d > 1: K, V and Q rows stream as spans into the sources' memories (no allocation per
// element); weighted sums and outputs are std::vector<T> (one allocation per row).
template <class Real>
struct Vectors {
  using T = Real;
  using Row = std::span<const T>;
  using Acc = std::vector<T>;
  static Row row(const std::vector<T>& m, std::size_t d, std::size_t j) {
    return Row(m.data() + j * d, d);
  }
  static T dot(const Row& q, const Row& k) {
    T s = 0;
    for (std::size_t x = 0; x < q.size(); ++x) s += q[x] * k[x];
    return s;
  }
  static Acc zero(std::size_t d) { return Acc(d, T(0)); }
  static void axpy(Acc& acc, T c, const Row& v) {
    for (std::size_t x = 0; x < acc.size(); ++x) acc[x] += c * v[x];
  }
  static void rescale_axpy(Acc& acc, T delta, T c, const Row& v) {
    for (std::size_t x = 0; x < acc.size(); ++x) acc[x] = acc[x] * delta + c * v[x];
  }
  static Acc divide(const Acc& acc, T l) {
    Acc o(acc.size());
    for (std::size_t x = 0; x < acc.size(); ++x) o[x] = acc[x] / l;
    return o;
  }
  static Acc scaled_sum(const Acc& a, T sa, const Acc& b, T sb) {
    Acc o(a.size());
    for (std::size_t x = 0; x < a.size(); ++x) o[x] = a[x] * sa + b[x] * sb;
    return o;
  }
  static void append(std::vector<double>& out, const Acc& o) {
    for (T x : o) out.push_back(double(x));
  }
};

// The k and v FIFOs of the query heads that share one K/V stream (grouped-query attention):
// each head's key_sources() hands its ends here, by lane (one lane: index 0), and the stream's
// K and V memories of each lane fan out to them.
template <class Shape>
struct SharedKv {
  std::vector<std::vector<Sender<typename Shape::Row>>> k, v;
};

// Builds one head's graph into a scope: FIFOs and units by role name, with the resolved
// timing and depths; Q, K and V converted to the precision T. With `shared`, the head's K and
// V come from memories shared with other heads (kv_sources, built once for them all).
template <class Shape>
class Head {
 public:
  using T = typename Shape::T;
  using Row = typename Shape::Row;
  using Acc = typename Shape::Acc;

  Head(Scope scope, const ResolvedConfig& config, Causal causal, const Tensors& tensors,
       std::vector<double>& out, SharedKv<Shape>* shared = nullptr, unsigned lanes = 1)
      : scope_(std::move(scope)),
        config_(config),
        causal_(causal),
        lanes_(lanes),
        n_(tensors.n),
        d_(tensors.d),
        rows_(tensors.q.size() / tensors.d),
        inv_sqrt_d_(static_cast<T>(1.0 / std::sqrt(static_cast<double>(tensors.d)))),
        q_(convert(tensors.q)),
        k_(convert(tensors.k)),
        v_(convert(tensors.v)),
        out_(&out),
        shared_(shared) {}

  std::size_t n() const { return n_; }
  std::size_t rows() const { return rows_; }  // query rows: n, or the decode rows
  std::size_t d() const { return d_; }
  // Parallel lanes (docs/sdpa.md, "Parallel lanes"): lane l takes the keys j = l, l + L, ...
  // of every row. in_lane(l) names the FIFOs and units built next "lane<l>.<role>", and gives
  // the key sources and per-key units lane l's keys; in_lane(std::nullopt) goes back to the
  // head's own (the Q memory, the merge, the divide).
  unsigned lanes() const { return lanes_; }
  void in_lane(std::optional<unsigned> lane) { lane_ = lane; }
  // s_ij = q_i . k_j / sqrt(d), in precision T (times 1/sqrt(d), as the reference does).
  auto score() const {
    return [inv = inv_sqrt_d_](const Row& q, const Row& k) -> T { return Shape::dot(q, k) * inv; };
  }
  Acc zero() const { return Shape::zero(d_); }
  // The QK unit: post(s_ij) for every key the row streams. With the causal mask the scores of
  // keys j > i are -inf (post(-inf): exp gives 0, a max ignores it), from a row and column
  // counter beside the unit; without it, or when the masked keys are skipped, a plain Map.
  template <class Post, class... Ends>
  void add_qk(Post post, Ends&&... ends) {
    auto score = this->score();
    // Skipping in lanes, a lane with no key j <= i in row i streams one key all the same (key_rows),
    // masked here.
    if (causal_ == Causal::mask || (causal_ == Causal::skip && lane_)) {
      unit("qk",
           units::map_indexed(
               [score, post, stride = std::uint64_t{lanes_}, first = std::uint64_t{lane_.value_or(0)}](
                   std::uint64_t i, std::uint64_t j, const Row& q, const Row& k) -> T {
                 const std::uint64_t key = j * stride + first;  // lane first's j-th key
                 return post(key > i ? -std::numeric_limits<T>::infinity() : score(q, k));
               },
               per_element("qk", {0})),
           std::forward<Ends>(ends)...);
    } else {
      unit("qk", units::map([score, post](const Row& q, const Row& k) -> T { return post(score(q, k)); },
                            per_element("qk", {0})),
           std::forward<Ends>(ends)...);
    }
  }

  template <class E>
  auto fifo(const std::string& name) {
    return scope_.channel<E>(named(name), {.capacity = config_.depths.at(name)});
  }
  // A FIFO of the role `role` named `name` ("merge0.sum": depth of "sum").
  template <class E>
  auto fifo(const std::string& name, const std::string& role) {
    return scope_.channel<E>(name, {.capacity = config_.depths.at(role)});
  }
  template <class Body, class... Ends>
  void unit(const std::string& name, Body body, Ends&&... ends) {
    scope_.add(named(name), std::move(body), std::forward<Ends>(ends)...);
  }

  // A unit that takes one step per key: n rows of n steps (row i of i + 1 steps when the
  // causal mask skips keys j > i). per_row: inputs held for a row.
  units::UnitOptions per_element(const std::string& unit, std::vector<std::size_t> per_row = {}) const {
    units::UnitOptions o = options(unit, lane_keys(), std::move(per_row));
    o.row_lengths = key_rows();
    return o;
  }
  // A unit that takes one step per query row.
  units::UnitOptions per_row(const std::string& unit) const { return options(unit, 1, {}); }

  // What every key loop starts from: the FIFOs "q", "k" and "v" from the Q, K and V memories
  // (q_i once per query row; all n keys and values once per query row, row i's keys 0..i
  // when the causal mask skips).
  struct Inputs {
    Receiver<Row> q, k, v;
  };
  //   auto [q, k, v] = h.inputs();
  Inputs inputs() {
    return open_inputs([this](Sender<Row> q) { q_source(std::move(q)); });
  }
  // The same in the current lane, whose Q FIFO's sending end goes to `q_ports`: one Q memory
  // feeds every lane (q_source of the vector, once all lanes are built).
  Inputs lane_inputs(std::vector<Sender<Row>>& q_ports) {
    return open_inputs([&q_ports](Sender<Row> q) { q_ports.push_back(std::move(q)); });
  }
  // The current lane's K and V: its own memories, or those of the stream it shares.
  void key_sources(Sender<Row> k, Sender<Row> v) {
    if (!shared_) return kv_sources(std::move(k), std::move(v));
    const std::size_t lane = lane_.value_or(0);
    if (shared_->k.size() <= lane) {
      shared_->k.resize(lane + 1);
      shared_->v.resize(lane + 1);
    }
    shared_->k[lane].push_back(std::move(k));
    shared_->v[lane].push_back(std::move(v));
  }
  // The Q memory: a Sender, or the std::vector of every lane's.
  template <class Port>
  void q_source(Port q) {
    add_memory("q_source", q_, {.timing = timing("q_source"), .row_length = 1, .rows = rows_}, true,
               std::move(q));
  }
  // The K and V memories alone, each writing one port: a Sender, or the std::vector of every
  // sharing head's (SharedKv), all written at the same cycle.
  template <class Port>
  void kv_sources(Port k, Port v) {
    add_memory("k_source", k_,
               {.timing = timing("k_source"), .row_length = lane_keys(), .row_lengths = key_rows(), .rows = rows_},
               false, std::move(k));
    add_memory("v_source", v_,
               {.timing = timing("v_source"), .row_length = lane_keys(), .row_lengths = key_rows(), .rows = rows_},
               false, std::move(v));
  }
  // Keeps the output rows, converted to double.
  void sink(Receiver<Acc> o) {
    out_->reserve(rows_ * d_);
    scope_.add("sink", units::sink([out = out_](Acc&& row) { Shape::append(*out, row); }),
               std::move(o));
  }

 private:
  // The FIFOs "q", "k" and "v", K and V fed from their memories; `feed_q` takes the Q FIFO's
  // sending end (in that order: the order in which the units join the program).
  template <class FeedQ>
  Inputs open_inputs(FeedQ feed_q) {
    auto [q_tx, q_rx] = fifo<Row>("q");
    auto [k_tx, k_rx] = fifo<Row>("k");
    auto [v_tx, v_rx] = fifo<Row>("v");
    feed_q(std::move(q_tx));
    key_sources(std::move(k_tx), std::move(v_tx));
    return {std::move(q_rx), std::move(k_rx), std::move(v_rx)};
  }

  units::Timing timing(const std::string& unit) const { return config_.units.at(unit); }
  std::string named(const std::string& role) const {
    return lane_ ? "lane" + std::to_string(*lane_) + "." + role : role;
  }
  // Keys per row in the current lane: j = l, l + L, ... < n (resolve keeps L <= n).
  std::uint64_t lane_keys() const {
    return lane_ ? (n_ - *lane_ + lanes_ - 1) / lanes_ : n_;
  }
  // Causal, keys skipped: row i streams keys 0..i, a triangle; in lane l, its keys l, l + L, ...
  // <= i, and in the rows i < l, where it has none, one masked key (its first, l): a unit's row
  // has at least one step, and a lane idles a cycle where lane 0 streams key 0 anyway, so the
  // busiest lane, and the cycles, are unchanged. Otherwise every row is n (or a lane's share) long.
  std::function<std::uint64_t(std::uint64_t)> key_rows() const {
    if (causal_ != Causal::skip) return {};
    if (!lane_) return [](std::uint64_t i) { return i + 1; };
    return [first = std::uint64_t{*lane_}, stride = std::uint64_t{lanes_}](std::uint64_t i) -> std::uint64_t {
      return i < first ? 1 : (i - first) / stride + 1;
    };
  }
  units::UnitOptions options(const std::string& unit, std::uint64_t row_length,
                             std::vector<std::size_t> per_row) const {
    const UnitDisciplines& d = config_.disciplines.at(unit);
    return {.timing = timing(unit),
            .row_length = row_length,
            .rows = rows_,
            .per_row_inputs = std::move(per_row),
            .input_discipline = d.inputs,
            .output_discipline = d.outputs};
  }
  static std::shared_ptr<const std::vector<T>> convert(const std::vector<double>& m) {
    return std::make_shared<const std::vector<T>>(m.begin(), m.end());
  }
  // by_row: element (row i, step j) is row i of the memory (Q); otherwise row j (K, V).
  template <class Port>
  void add_memory(const std::string& name, std::shared_ptr<const std::vector<T>> memory,
                  units::SourceOptions options, bool by_row, Port out) {
    const std::uint64_t stride = lane_ ? lanes_ : 1, first = lane_.value_or(0);
    scope_.add(named(name),
               units::source(
                   [memory, d = d_, by_row, stride, first](std::uint64_t i, std::uint64_t j) {
                     return Shape::row(*memory, d, by_row ? i : j * stride + first);
                   },
                   options),
               std::move(out));
  }

  Scope scope_;
  const ResolvedConfig& config_;
  Causal causal_;
  unsigned lanes_;
  std::optional<unsigned> lane_;
  std::size_t n_, d_, rows_;
  T inv_sqrt_d_;
  std::shared_ptr<const std::vector<T>> q_, k_, v_;
  std::vector<double>* out_;
  SharedKv<Shape>* shared_;
};

// What the reordered graphs' key loop leaves once per row: l = sum of the weights and acc =
// their weighted sum of V rows, relative to the row's max when the loop keeps it (a lane of
// reordered-stable: lanes.cpp merges the lanes' states).
template <class Shape>
struct RowSums {
  std::optional<Receiver<typename Shape::T>> max;
  Receiver<typename Shape::T> sum;
  Receiver<typename Shape::Acc> acc;
};
template <class Shape>
RowSums<Shape> reordered_key_loop(Head<Shape>& h, Receiver<typename Shape::Row> q,
                                  Receiver<typename Shape::Row> k, Receiver<typename Shape::Row> v);
// keep_max: the row's max too, from a Reduce beside the running max ("lane_max").
template <class Shape>
RowSums<Shape> reordered_stable_key_loop(Head<Shape>& h, Receiver<typename Shape::Row> q,
                                         Receiver<typename Shape::Row> k,
                                         Receiver<typename Shape::Row> v, bool keep_max);
// o = acc / l, once per row, to the sink.
template <class Shape>
void divide_to_sink(Head<Shape>& h, Receiver<typename Shape::T> sum, Receiver<typename Shape::Acc> acc);

// A reordered graph in one lane: the Q, K and V memories, `key_loop(q, k, v)` (a RowSums),
// the divide and the sink.
template <class Shape, class KeyLoop>
void build_one_lane(Head<Shape>& h, KeyLoop key_loop) {
  auto [q, k, v] = h.inputs();
  RowSums<Shape> sums = key_loop(std::move(q), std::move(k), std::move(v));
  divide_to_sink(h, std::move(sums.sum), std::move(sums.acc));
}

// One builder per variant, each in its own file, instantiated for the shapes of every precision.
template <class Shape> void build_naive(Head<Shape>& h);
template <class Shape> void build_naive_stable(Head<Shape>& h);
template <class Shape> void build_reordered(Head<Shape>& h);
template <class Shape> void build_reordered_stable(Head<Shape>& h);
// The reordered graphs in h.lanes() lanes, merged once per row (lanes.cpp).
template <class Shape> void build_reordered_lanes(Head<Shape>& h, bool stable);
// The naive graphs in h.lanes() lanes, the row's max and sum sent back to every lane (naive_lanes.cpp).
template <class Shape> void build_naive_lanes(Head<Shape>& h, bool stable);

// The shapes every graph is built in, X(arg, Shape) once each. At d = 1 the emulated formats
// take Vectors of one element (simulate.cpp, uses_scalars): every operation rounds the same,
// so the values and cycles are those of Scalars, and each graph compiles six shapes instead
// of eight. The attention graphs are about a third of each build's compile time
// (docs/testing.md, "Time in CI"); a run in fp16 or bf16 spends its time in the emulated
// arithmetic, not in the one allocation per row that Scalars saves.
#define DFSIM_SDPA_FOR_EACH_SHAPE(X, arg) \
  X(arg, Scalars<double>)                 \
  X(arg, Scalars<float>)                  \
  X(arg, Vectors<double>)                 \
  X(arg, Vectors<float>)                  \
  X(arg, Vectors<Half>)                   \
  X(arg, Vectors<BFloat16>)
template <class T>
inline constexpr bool uses_scalars = std::is_floating_point_v<T>;

#define DFSIM_SDPA_INSTANTIATE_ONE(builder, Shape) template void builder(Head<Shape>&);
#define DFSIM_SDPA_INSTANTIATE(builder) DFSIM_SDPA_FOR_EACH_SHAPE(DFSIM_SDPA_INSTANTIATE_ONE, builder)

}  // namespace dfsim::sdpa::detail
