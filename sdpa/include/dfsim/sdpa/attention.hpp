#pragma once
// Scaled dot-product attention on streaming dataflow hardware (design: docs/sdpa.md):
// the four graphs, their timing presets, a double-precision reference and the measures the
// experiments report. This header is the contract between the graphs and the command line.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dfsim/engine/estimate.hpp"
#include "dfsim/engine/run.hpp"
#include "dfsim/units/options.hpp"

namespace dfsim::sdpa {

enum class Variant { naive, naive_stable, reordered, reordered_stable };
// "naive", "naive-stable", "reordered", "reordered-stable".
std::string_view to_string(Variant v) noexcept;
std::optional<Variant> parse_variant(std::string_view text) noexcept;
std::vector<Variant> all_variants();

// The arithmetic of every unit (docs/sdpa.md, "Precision"): IEEE double and single, and half
// (fp16) and bfloat16 (bf16), emulated with every operation's result rounded to the format
// (dfsim/sdpa/rounded_float.hpp). "fp64", "fp32", "fp16", "bf16".
enum class Precision { fp64, fp32, fp16, bf16 };
std::string_view to_string(Precision p) noexcept;
std::optional<Precision> parse_precision(std::string_view text) noexcept;
std::vector<Precision> all_precisions();
// Bytes of one scalar: 8, 4, 2, 2.
std::size_t scalar_bytes(Precision p) noexcept;
// The largest finite value: exp overflows above ln of it (709.78, 88.72, 11.09, 88.72).
//   double limit = std::log(largest_finite(Precision::fp16));  // 11.0898
double largest_finite(Precision p) noexcept;

// Causal masking (docs/sdpa.md, "Causal masking"): query row i attends to keys j <= i, aligned
// top-left as PyTorch's is_causal. Two ways hardware does it: `mask` streams every key and the
// QK unit writes -inf for j > i (a counter beside it), before any exp or max; `skip` streams
// only keys j <= i (the K and V memories emit a triangle, every unit of the key loop takes
// rows of i + 1 steps): about half the cycles. "none", "mask", "skip".
enum class Causal { none, mask, skip };
std::string_view to_string(Causal c) noexcept;
std::optional<Causal> parse_causal(std::string_view text) noexcept;

// The timing presets (docs/sdpa.md, "Presets"): one_cycle, every unit at latency 1 and II 1;
// spatial_calibrated, the timing of the paper's hardware. `unit` is one_cycle's old name
// (it read as "a hardware unit"), kept so that code and command lines written with it work.
enum class Preset { one_cycle, spatial_calibrated, unit = one_cycle };
// "one-cycle", "spatial-calibrated"; parse_preset also takes "unit", the old name of one-cycle.
std::string_view to_string(Preset p) noexcept;
std::optional<Preset> parse_preset(std::string_view text) noexcept;

// Timing of one hardware unit (docs/sdpa.md, "The abstract hardware"): the units' own.
using UnitTiming = units::Timing;

// How a unit takes the inputs and writes the outputs of one step (docs/semantics.md): the
// published graphs use the authors' (docs/sdpa.md, "Disciplines").
struct UnitDisciplines {
  units::Discipline inputs = units::Discipline::together;
  units::Discipline outputs = units::Discipline::together;
};

// Q, K and V of one head, row-major: K and V n x d; Q n x d, or B x d for B decode rows
// (AttentionConfig::decode_rows): its rows are q.size() / d.
struct Tensors {
  std::size_t n = 0;
  std::size_t d = 0;
  std::vector<double> q, k, v;
};
// Uniform in [-scale, scale) from `seed`; the same seed gives the same tensors everywhere.
// query_rows: Q's rows (0: n); Q is drawn first, so a prefill's Q, K, V do not depend on it.
Tensors random_tensors(std::size_t n, std::size_t d, std::uint64_t seed, double scale = 1.0,
                       std::size_t query_rows = 0);
// softmax(Q K^T / sqrt(d)) V in double precision (numerically stable), one row per query row.
// causal: row i over keys j <= i only (top-left aligned, as PyTorch's is_causal).
std::vector<double> reference_attention(const Tensors& t, bool causal = false);

struct AttentionConfig {
  Variant variant = Variant::reordered_stable;
  std::size_t n = 64;
  std::size_t d = 1;
  Precision precision = Precision::fp64;
  Preset preset = Preset::one_cycle;
  std::map<std::string, UnitTiming> unit_timing;  // overrides, by unit name
  std::map<std::string, std::optional<std::uint64_t>> depths;  // by FIFO name; nullopt: unbounded
  bool unbounded = false;  // every FIFO unbounded, except those named in `depths`
  unsigned heads = 1;      // independent heads, named "head0", "head1", ...
  Causal causal = Causal::none;
  // Decode (docs/sdpa.md, "Decode"): B query rows, each against all n keys of a KV cache (one
  // new token: B = 1; a batch of B decode rows). 0: prefill, n query rows. Not with causal.
  std::size_t decode_rows = 0;
  // Grouped-query attention (docs/sdpa.md, "Shared K/V heads"): `heads` query heads read
  // kv_heads K/V streams, query head h the stream h / (heads / kv_heads) (as PyTorch's
  // repeat_interleave of K and V). Each shared K and V memory ("kv<g>.k_source",
  // "kv<g>.v_source") fans out to its heads' k and v FIFOs. 0 or heads: independent heads;
  // 1: multi-query attention. heads must be a multiple of it.
  unsigned kv_heads = 0;
  // Parallel lanes (docs/sdpa.md, "Parallel lanes"): the key loop in L lanes, lane l taking
  // keys l, l + L, ... from its own K and V banks ("lane<l>.k_source", ...), the lanes' partial
  // states merged once per row by a tree of L - 1 log-sum-exp merges ("merge<k>"); in the
  // naive graphs trees of adders (and of maxes) send the row's sum (and max) back to every
  // lane, whose long FIFOs hold its share of a row, and add the lanes' weighted sums. A row
  // takes about N / L cycles. 1 <= L <= n; with the causal skip each lane streams its keys
  // j <= i; with shared K/V heads each stream has a K and a V memory per lane.
  unsigned lanes = 1;
};
// The K/V streams: kv_heads, or heads when it is 0.
unsigned kv_heads(const AttentionConfig& config) noexcept;
// The query rows of one head: decode_rows, or n.
std::size_t query_rows(const AttentionConfig& config) noexcept;
// The keys one head streams through its key loop: N^2, N (N + 1) / 2 when the causal mask
// skips the keys j > i, B x N for B decode rows.
std::uint64_t keys_streamed(const AttentionConfig& config) noexcept;
// The keys the busiest lane streams: keys_streamed with one lane, rows x ceil(N / L) with L
// (with the causal skip, lane 0's keys j <= i of every row i: sum_i floor(i / L) + 1).
// The ideal cycle count is II_max times this.
std::uint64_t keys_per_lane(const AttentionConfig& config) noexcept;

// The names users type (unit timing overrides, --depth NAME=K) for a variant, in graph order.
// FIFOs are named after their role (docs/sdpa.md): naive's are q, k, v, short (to the row
// sum), long (to the divide), sum, p, out. Units: q_source, k_source, v_source, qk, ...
// (the sink has no timing). With several heads the same names apply to every head.
std::vector<std::string> unit_names(Variant v);
std::vector<std::string> fifo_names(Variant v);
// The FIFO roles of a config's graph: fifo_names(variant), and with lanes the lanes' own
// (reordered-stable: "lane_scores", "max"; naive: "lane_sum", "acc"; naive-stable: "lane_max",
// "lane_sum", "acc"), which --depth and the min-depth search take too.
//   fifo_names({.variant = Variant::naive, .lanes = 2})
//     // q, k, v, short, long, lane_sum, sum, p, acc, out
std::vector<std::string> fifo_names(const AttentionConfig& config);
// The naive graphs' long FIFOs (the role names containing "long"), which must hold a whole row:
// a depth below about N deadlocks. Empty for the reordered graphs.
std::vector<std::string> long_fifo_names(Variant v);
// The role of a FIFO or unit named in a run: "head1.long" -> "long", "long" -> "long".
std::string_view role_name(std::string_view name) noexcept;

// What a config resolves to once the preset and overrides are applied.
struct ResolvedConfig {
  std::map<std::string, UnitTiming> units;
  std::map<std::string, UnitDisciplines> disciplines;  // by unit name
  std::map<std::string, std::optional<std::uint64_t>> depths;
  // Over the units that handle N^2 elements (sources of K and V, and every unit that takes a
  // step per key); a unit that takes one step per row does not bound the throughput.
  Cycle max_initiation_interval = 1;
};
// N^2 = 2^40 elements per FIFO: days of simulation, and gigabytes of naive long FIFO.
inline constexpr std::size_t kMaxSequenceLength = std::size_t{1} << 20;

// Throws std::invalid_argument with a message naming the problem and the fix (an unknown
// FIFO or unit name lists the valid ones; zero latency, II or depth; n or d of 0; n, d and
// heads that cannot fit in memory (check_memory); ...).
ResolvedConfig resolve(const AttentionConfig& config);

// The cycles of a run at full throughput: II_max x keys_streamed (II_max x N^2 for prefill).
// Known before the run (a progress bar measures against it); AttentionRun::ideal_cycles is it.
Cycle ideal_cycles(const AttentionConfig& config, const ResolvedConfig& resolved) noexcept;

// The least memory a run of `heads` heads of N x d takes, in bytes: per head Q, K, V, the
// outputs and the reference (5 x N x d values of 8 bytes) and the graph. Never overflows.
double minimum_memory_bytes(std::size_t n, std::size_t d, unsigned heads);
// Throws std::invalid_argument when minimum_memory_bytes exceeds this machine's physical
// memory, saying how much smaller heads or d must be. resolve() calls it; a reader of inputs
// calls it before copying them for every head.
void check_memory(std::size_t n, std::size_t d, unsigned heads);

// The FIFOs of the key loop (k, v and those between the units that take a step per key): each
// carries N^2 elements per head. The other FIFOs (q, per-row sums, maxima, outputs) carry N.
std::size_t key_loop_fifos(Variant v);
// One simulate_attention run: the elements through the FIFOs, every head, at the speed this
// variant was measured at (limits.cpp).
WorkEstimate estimate_work(const AttentionConfig& config);

struct FifoStats {
  std::string name;  // e.g. "long", or "head1.long" with several heads
  std::optional<std::uint64_t> capacity;
  std::uint64_t elements = 0;
  std::uint64_t peak_occupancy = 0;
  bool internal = false;       // between two units (not from a source, not to the sink)
  std::size_t element_bytes = 0;
};

struct AttentionRun {
  RunResult run;
  Cycle ideal_cycles = 0;  // II_max x keys_per_lane: II_max x N^2 (N (N + 1) / 2 skipping)
  double throughput = 0;   // ideal_cycles / cycles: 1.0 is full throughput
  std::uint64_t intermediate_memory_elements = 0;  // sum of peak occupancy of internal FIFOs
  std::uint64_t intermediate_memory_bytes = 0;
  std::vector<FifoStats> fifos;
  // Per head: the output rows that reached the sink, row-major, d values each: n x d when the
  // run completed; fewer rows (often none) after a deadlock.
  std::vector<std::vector<double>> outputs;
  // Against reference_attention, over all heads and the rows that came out; +infinity when an
  // output is not finite (a NaN must not hide behind a comparison).
  double max_abs_error = 0;
  bool non_finite = false;  // an output is inf or NaN
};

// Builds the graph, runs it, and measures it. `inputs` holds one Tensors per (query) head; the
// heads that share a K/V stream must hold the same K and V (the stream's). Throws
// std::invalid_argument for a bad config (see resolve) or tensors of the wrong shape; a
// simulated deadlock is a result (run.status == RunStatus::deadlock), never an exception.
AttentionRun simulate_attention(const AttentionConfig& config, const std::vector<Tensors>& inputs,
                                const RunOptions& options = {});

// The smallest depth of each FIFO at full speed: dfsim/experiments/min_depth.hpp.

}  // namespace dfsim::sdpa
