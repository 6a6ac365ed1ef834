// The names of each variant's units and FIFOs, and the two timing presets of docs/sdpa.md.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/units/options.hpp"
#include "graph.hpp"

namespace dfsim::sdpa {
namespace {

struct UnitSpec {
  const char* name;
  bool streaming;         // handles N^2 elements: its II bounds the throughput
  UnitTiming calibrated;  // spatial-calibrated; the one-cycle preset is latency 1, II 1 everywhere
  // The authors' (gina7484/stream-attn-dam, src/node/*.rs), in every preset: together unless
  // said. A unit with one input (one output) has nothing to choose.
  UnitDisciplines disciplines{};
};

// A depth is c, or N + c when grows_with_n.
struct DepthRule {
  bool grows_with_n = false;
  std::uint64_t c = 2;
  std::uint64_t at(std::size_t n) const { return (grows_with_n ? n : 0) + c; }
};

struct FifoSpec {
  const char* name;
  DepthRule one_cycle;   // one-cycle preset: 2, or N + 2 for the long FIFOs
  DepthRule calibrated;  // spatial-calibrated
};

struct VariantSpec {
  std::vector<UnitSpec> units;
  std::vector<FifoSpec> fifos;
};

constexpr UnitTiming t(Cycle latency, Cycle ii) { return {.latency = latency, .initiation_interval = ii}; }
constexpr DepthRule c(std::uint64_t depth) { return {false, depth}; }
constexpr DepthRule n_plus(std::uint64_t depth) { return {true, depth}; }

using units::Discipline;
// MatVecProd dequeues p then v; BinaryOp acc then sum.
constexpr UnitDisciplines inputs_in_order{.inputs = Discipline::in_order};
// IncrMax writes delta to both Reduces, then c to both, each write waiting for its own credit.
constexpr UnitDisciplines outputs_in_order{.outputs = Discipline::in_order};

// Sources stream one element per cycle, stamped clock + 1, in every preset.
const std::vector<UnitSpec> kSources = {
    {"q_source", false, t(1, 1)}, {"k_source", true, t(1, 1)}, {"v_source", true, t(1, 1)}};
const std::vector<FifoSpec> kSourceFifos = {{"q", c(2), c(2)}, {"k", c(2), c(2)}, {"v", c(2), c(2)}};

template <class T>
std::vector<T> cat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const VariantSpec& spec(Variant v) {
  // naive and reordered-stable are the published calibrations. naive-stable and reordered take
  // the timing of the nearest published kin: the row max is timed like the row sum, the
  // subtract-and-exp like the divide (both element-wise with a per-row operand) and its short
  // and long FIFOs like the naive ones; reordered's Reduces and per-row divide are those of
  // reordered-stable, its QK unit (exp fused) the naive one, and the QK unit's two output
  // FIFOs are as deep as reordered-stable's QK -> Scan FIFO. The disciplines follow the same
  // kin: the subtract-and-exp takes its inputs together and fans out together, as the naive
  // divide and QK do; reordered's Reduces take theirs together, as IncrSum and IncrOutP do.
  static const VariantSpec naive{
      cat(kSources, {{"qk", true, t(11, 1)},
                     {"row_sum", true, t(23, 2)},
                     {"divide", true, t(8, 1)},
                     {"weighted_sum", true, t(13, 2), inputs_in_order}}),
      cat(kSourceFifos, {{"short", c(2), c(13)},
                         {"long", n_plus(2), n_plus(34)},
                         {"sum", c(2), c(24)},
                         {"p", c(2), c(9)},
                         {"out", c(2), c(2)}})};
  static const VariantSpec naive_stable{
      cat(kSources, {{"qk", true, t(11, 1)},
                     {"row_max", true, t(23, 2)},
                     {"exp", true, t(8, 1)},
                     {"row_sum", true, t(23, 2)},
                     {"divide", true, t(8, 1)},
                     {"weighted_sum", true, t(13, 2), inputs_in_order}}),
      cat(kSourceFifos, {{"max_short", c(2), c(13)},
                         {"max_long", n_plus(2), n_plus(34)},
                         {"max", c(2), c(24)},
                         {"short", c(2), c(13)},
                         {"long", n_plus(2), n_plus(34)},
                         {"sum", c(2), c(24)},
                         {"p", c(2), c(9)},
                         {"out", c(2), c(2)}})};
  static const VariantSpec reordered{
      cat(kSources, {{"qk", true, t(11, 1)},
                     {"row_sum", true, t(8, 2)},
                     {"weighted_sum", true, t(12, 2)},
                     {"divide", false, t(21, 1), inputs_in_order}}),
      cat(kSourceFifos, {{"e_sum", c(2), c(12)},
                         {"e_acc", c(2), c(12)},
                         {"sum", c(2), c(10)},
                         {"acc", c(2), c(14)},
                         {"out", c(2), c(22)}})};
  static const VariantSpec reordered_stable{
      cat(kSources, {{"qk", true, t(11, 1)},
                     {"running_max", true, t(3, 1), outputs_in_order},
                     {"row_sum", true, t(8, 2)},
                     {"weighted_sum", true, t(12, 2)},
                     {"divide", false, t(21, 1), inputs_in_order}}),
      cat(kSourceFifos, {{"scores", c(2), c(12)},
                         {"delta_sum", c(2), c(2)},
                         {"c_sum", c(2), c(2)},
                         {"delta_acc", c(2), c(2)},
                         {"c_acc", c(2), c(2)},
                         {"sum", c(2), c(10)},
                         {"acc", c(2), c(14)},
                         {"out", c(2), c(22)}})};
  switch (v) {
    case Variant::naive: return naive;
    case Variant::naive_stable: return naive_stable;
    case Variant::reordered: return reordered;
    case Variant::reordered_stable: return reordered_stable;
  }
  throw std::invalid_argument("unknown variant");
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

void check_lanes(const AttentionConfig& config) {
  if (config.lanes == 0) throw std::invalid_argument("lanes is 0: give at least 1");
  if (config.lanes == 1) return;
  const std::string lanes = "lanes = " + std::to_string(config.lanes);
  if (config.lanes > config.n)
    throw std::invalid_argument(lanes + " is more than n = " + std::to_string(config.n) +
                                ": every lane needs a key; give lanes at most n");
}

bool is_naive(Variant v) { return v == Variant::naive || v == Variant::naive_stable; }

// The lanes' own parts. The merge units (per row) are timed like the divide. reordered-stable:
// a Reduce of the lane's max beside the running max (timed like it), and the FIFOs between
// them (as deep as the QK -> Scan FIFO and the row sum's). The naive graphs: each lane's
// share of the row max and sum, to the trees, as deep as the max and sum FIFOs they replace
// in the lane, and its share of the weighted sum, as deep as the out FIFO it replaces.
void add_lane_parts(const AttentionConfig& config, ResolvedConfig& r) {
  const bool calibrated = config.preset == Preset::spatial_calibrated;
  const auto depth = [&](std::uint64_t cal) {
    return config.unbounded ? std::nullopt : std::optional<std::uint64_t>(calibrated ? cal : 2);
  };
  r.units["merge"] = r.units.at("divide");
  r.disciplines["merge"] = {};
  if (config.variant == Variant::reordered_stable) {
    r.units["lane_max"] = calibrated ? t(3, 1) : t(1, 1);
    r.disciplines["lane_max"] = {};
    r.depths["lane_scores"] = depth(12);
    r.depths["max"] = depth(10);
  }
  if (is_naive(config.variant)) {
    r.depths["lane_sum"] = depth(24);
    r.depths["acc"] = depth(2);
    if (config.variant == Variant::naive_stable) r.depths["lane_max"] = depth(24);
  }
}

// Levels of the lanes' merge trees: ceil(log2 L).
std::uint64_t merge_levels(unsigned lanes) {
  std::uint64_t levels = 0;
  while ((1u << levels) < lanes) ++levels;
  return levels;
}

// A long FIFO holds a lane's share of a row, ceil(N / L) keys, until the row's sum (or max)
// comes back through the tree; the preset adds the tree's latency, one element per cycle of it
// at most, to the one-lane margin.
std::uint64_t long_depth(const AttentionConfig& config, const ResolvedConfig& r, const DepthRule& rule) {
  if (config.lanes <= 1 || !rule.grows_with_n) return rule.at(config.n);
  const std::uint64_t keys = (config.n + config.lanes - 1) / config.lanes;
  return rule.at(keys) + merge_levels(config.lanes) * r.units.at("merge").latency;
}

}  // namespace

std::vector<std::string> unit_names(Variant v) {
  std::vector<std::string> names;
  for (const auto& u : spec(v).units) names.emplace_back(u.name);
  return names;
}

std::vector<std::string> fifo_names(Variant v) {
  std::vector<std::string> names;
  for (const auto& f : spec(v).fifos) names.emplace_back(f.name);
  return names;
}

std::vector<std::string> fifo_names(const AttentionConfig& config) {
  std::vector<std::string> names = fifo_names(config.variant);
  if (config.lanes <= 1) return names;
  const auto before = [&](const char* fifo, const char* lane_fifo) {
    names.insert(std::find(names.begin(), names.end(), fifo), lane_fifo);
  };
  // add_lane_parts' FIFOs, where the lane builds them.
  if (config.variant == Variant::reordered_stable) {
    before("delta_sum", "lane_scores");
    before("sum", "max");
  } else if (is_naive(config.variant)) {
    if (config.variant == Variant::naive_stable) before("max", "lane_max");
    before("sum", "lane_sum");
    before("out", "acc");
  }
  return names;
}

ResolvedConfig resolve(const AttentionConfig& config) {
  if (config.n == 0)
    throw std::invalid_argument("n (the sequence length) is 0: give at least 1");
  if (config.d == 0)
    throw std::invalid_argument("d (the head dimension) is 0: give at least 1");
  if (config.heads == 0) throw std::invalid_argument("heads is 0: give at least 1");
  if (config.kv_heads > config.heads || config.heads % kv_heads(config) != 0)
    throw std::invalid_argument(
        "kv_heads = " + std::to_string(config.kv_heads) + " does not divide heads = " +
        std::to_string(config.heads) + ": each K/V stream serves the same number of query "
        "heads; give a divisor of heads (1: multi-query, heads: independent heads)");
  if (config.n > kMaxSequenceLength)
    throw std::invalid_argument(
        "n = " + std::to_string(config.n) + " is more than can be simulated: each FIFO of the "
        "key loop carries N^2 elements (N = 16,384 takes about half a minute, and time grows "
        "as N^2); give n at most " + std::to_string(kMaxSequenceLength));
  if (config.decode_rows && config.causal != Causal::none)
    throw std::invalid_argument(
        "decode rows attend to every cached key: a causal mask applies to prefill; drop "
        "--causal, or --decode");
  if (config.decode_rows > kMaxSequenceLength)
    throw std::invalid_argument("decode_rows = " + std::to_string(config.decode_rows) +
                                " is more than can be simulated; give at most " +
                                std::to_string(kMaxSequenceLength));
  check_lanes(config);
  check_memory(config.n, config.d, config.heads);
  const VariantSpec& s = spec(config.variant);
  const std::string variant(to_string(config.variant));
  ResolvedConfig r;
  for (const auto& u : s.units) {
    r.units[u.name] = config.preset == Preset::spatial_calibrated ? u.calibrated : t(1, 1);
    r.disciplines[u.name] = u.disciplines;
  }
  if (config.lanes > 1) add_lane_parts(config, r);
  for (const auto& [name, timing] : config.unit_timing) {
    auto it = r.units.find(name);
    if (it == r.units.end())
      throw std::invalid_argument("unknown unit '" + name + "' in variant " + variant +
                                  ": its units are " + join(unit_names(config.variant)));
    units::check_timing(timing, "unit '" + name + "'");
    it->second = timing;
  }
  for (const auto& f : s.fifos) {
    const DepthRule& rule = config.preset == Preset::spatial_calibrated ? f.calibrated : f.one_cycle;
    r.depths[f.name] = config.unbounded ? std::nullopt
                                        : std::optional<std::uint64_t>(long_depth(config, r, rule));
  }
  for (const auto& [name, depth] : config.depths) {
    auto it = r.depths.find(name);
    if (it == r.depths.end())
      throw std::invalid_argument("unknown FIFO '" + name + "' in variant " + variant +
                                  ": its FIFOs are " + join(fifo_names(config)));
    if (depth && *depth == 0)
      throw std::invalid_argument("FIFO '" + name +
                                  "' has depth 0: give at least 1, or make it unbounded");
    it->second = depth;
  }
  for (const auto& u : s.units)
    if (u.streaming)
      r.max_initiation_interval =
          std::max(r.max_initiation_interval, r.units[u.name].initiation_interval);
  if (r.units.contains("lane_max"))
    r.max_initiation_interval =
        std::max(r.max_initiation_interval, r.units["lane_max"].initiation_interval);
  return r;
}

namespace detail {

bool carries_vectors(std::string_view fifo) {
  return fifo == "q" || fifo == "k" || fifo == "v" || fifo == "acc" || fifo == "out";
}

bool is_internal(std::string_view fifo) {
  return !(fifo == "q" || fifo == "k" || fifo == "v" || fifo == "out");
}

}  // namespace detail

}  // namespace dfsim::sdpa
