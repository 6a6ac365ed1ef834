// The published attention graphs under back-pressure (issue 12, docs/sdpa.md "Disciplines"):
// for naive and reordered-stable, both presets, N = 16 and 64, the minimal depth of each FIFO
// (one at a time, the others at their published depths) and the cycles at depths below it.
// The expected values come from the reference model of tests/verification, a second
// implementation of docs/semantics.md written apart from the engine, running the same graph
// (the same units, timings, disciplines and depths, as a GraphSpec); the engine must agree
// with it at every depth, deadlocks included. Where DAM's own figure is known (the authors'
// graph on DAM-RS), it is asserted too.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "dfsim/sdpa/attention.hpp"
#include "graph_spec.hpp"
#include "reference_model.hpp"

// A namespace of its own: the unity build puts this file beside others of tests/sdpa.
namespace dfsim::sdpa::fidelity {
namespace {

using verification::ChannelSpec;
using verification::GraphSpec;
using verification::NodeKind;
using verification::NodeSpec;

// A graph as the reference model runs it, and the names of its nodes and channels.
struct ReferenceGraph {
  GraphSpec spec;
  std::vector<std::string> unit;  // unit[i]: the name of node i
  std::vector<std::string> fifo;  // fifo[c]: the name of channel c
};

// Builds GraphSpecs from a variant's resolved config, by unit and FIFO name.
class SpecBuilder {
 public:
  SpecBuilder(const ResolvedConfig& config, std::size_t n) : config_(config), n_(n) {}

  int source(const std::string& unit, std::uint64_t count) {
    NodeSpec node = timed(NodeKind::source, unit);
    node.count = count;
    return add(unit, node);
  }
  // A unit that takes one step per key (row_length n) or per row (1); per_row: the index of
  // an input read only at a row's first step; reduce: writes only at a row's last step.
  int unit(const std::string& name, std::uint64_t row_length, bool reduce,
           std::optional<int> per_row = std::nullopt) {
    NodeSpec node = timed(NodeKind::map, name);
    node.row_length = row_length;
    node.writes_per_row = reduce;
    if (per_row) node.per_row_inputs = 1u << *per_row;
    const UnitDisciplines& d = config_.disciplines.at(name);
    node.inputs_together = d.inputs == units::Discipline::together;
    node.outputs_in_order = d.outputs == units::Discipline::in_order;
    return add(name, node);
  }
  // The sink only dequeues, each element when it is visible (units::sink: no II).
  int sink() { return add("sink", NodeSpec{.kind = NodeKind::sink, .ii = 0}); }
  // Channels in the order they are given: a node's inputs (outputs) are taken (written) in
  // channel order.
  void fifo(const std::string& name, int from, int to) {
    graph_.spec.channels.push_back(
        ChannelSpec{.from = from, .to = to, .capacity = config_.depths.at(name)});
    graph_.fifo.push_back(name);
  }
  ReferenceGraph take() { return std::move(graph_); }
  std::uint64_t n() const { return n_; }

 private:
  NodeSpec timed(NodeKind kind, const std::string& unit) const {
    const UnitTiming& t = config_.units.at(unit);
    EXPECT_EQ(t.startup_delay + t.per_row_delay, 0u) << "no controller overheads in the presets";
    return NodeSpec{.kind = kind, .ii = t.initiation_interval, .stamp = t.latency};
  }
  int add(const std::string& name, NodeSpec node) {
    graph_.unit.push_back(name);
    graph_.spec.nodes.push_back(node);
    return static_cast<int>(graph_.spec.nodes.size()) - 1;
  }

  const ResolvedConfig& config_;
  std::uint64_t n_;
  ReferenceGraph graph_;
};

// naive (docs/sdpa.md): q, k -> qk -> short -> row_sum -> sum; long -> divide -> p; p, v ->
// weighted_sum -> out -> sink. p comes before v among weighted_sum's inputs (MatVecProd
// dequeues p, then v), long before sum among divide's.
ReferenceGraph naive_graph(const ResolvedConfig& c, std::uint64_t n) {
  SpecBuilder b(c, n);
  const int q = b.source("q_source", n), k = b.source("k_source", n * n),
            v = b.source("v_source", n * n);
  const int qk = b.unit("qk", n, false, 0), row_sum = b.unit("row_sum", n, true),
            divide = b.unit("divide", n, false, 1), weighted = b.unit("weighted_sum", n, true);
  const int sink = b.sink();
  b.fifo("q", q, qk);
  b.fifo("k", k, qk);
  b.fifo("short", qk, row_sum);
  b.fifo("long", qk, divide);
  b.fifo("sum", row_sum, divide);
  b.fifo("p", divide, weighted);
  b.fifo("v", v, weighted);
  b.fifo("out", weighted, sink);
  return b.take();
}

// reordered-stable: qk -> scores -> running_max, which writes delta_sum, delta_acc, c_sum,
// c_acc in that order (IncrMax); row_sum takes delta_sum and c_sum, weighted_sum delta_acc,
// c_acc and v; divide takes acc, then sum.
ReferenceGraph reordered_stable_graph(const ResolvedConfig& c, std::uint64_t n) {
  SpecBuilder b(c, n);
  const int q = b.source("q_source", n), k = b.source("k_source", n * n),
            v = b.source("v_source", n * n);
  const int qk = b.unit("qk", n, false, 0), running_max = b.unit("running_max", n, false),
            row_sum = b.unit("row_sum", n, true), weighted = b.unit("weighted_sum", n, true),
            divide = b.unit("divide", 1, false);
  const int sink = b.sink();
  b.fifo("q", q, qk);
  b.fifo("k", k, qk);
  b.fifo("scores", qk, running_max);
  b.fifo("delta_sum", running_max, row_sum);
  b.fifo("delta_acc", running_max, weighted);
  b.fifo("c_sum", running_max, row_sum);
  b.fifo("c_acc", running_max, weighted);
  b.fifo("v", v, weighted);
  b.fifo("acc", weighted, divide);
  b.fifo("sum", row_sum, divide);
  b.fifo("out", divide, sink);
  return b.take();
}

struct Case {
  Variant variant;
  Preset preset;
  std::size_t n;
};

std::string label(const Case& c) {
  return std::string(to_string(c.variant)) + ", " + std::string(to_string(c.preset)) +
         ", N = " + std::to_string(c.n);
}

// One run at the published depths except one FIFO: the status and cycles, and every unit's
// final clock, starved and back-pressured cycles and every FIFO's peak occupancy, by name.
struct Probe {
  std::string status;
  Cycle cycles = 0;
  std::map<std::string, std::array<Cycle, 3>> units;
  std::map<std::string, std::uint64_t> peaks;
  bool same_speed(const Probe& o) const { return status == o.status && cycles == o.cycles; }
  bool operator==(const Probe&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Probe& p) {
  os << p.status << " at " << p.cycles << ";";
  for (const auto& [name, u] : p.units)
    os << " " << name << " " << u[0] << "/" << u[1] << "/" << u[2];
  os << "; peaks";
  for (const auto& [name, peak] : p.peaks) os << " " << name << " " << peak;
  return os;
}

class Fidelity {
 public:
  explicit Fidelity(Case c) : case_(c), tensors_{random_tensors(c.n, 1, /*seed=*/7)} {}

  AttentionConfig config(const std::map<std::string, std::optional<std::uint64_t>>& depths) const {
    return {.variant = case_.variant, .n = case_.n, .preset = case_.preset, .depths = depths};
  }
  std::optional<std::uint64_t> published(const std::string& fifo) const {
    return resolve(config({})).depths.at(fifo);
  }
  Probe reference(const std::string& fifo, std::uint64_t depth) const {
    const ResolvedConfig r = resolve(config({{fifo, depth}}));
    ReferenceGraph g = case_.variant == Variant::naive ? naive_graph(r, case_.n)
                                                       : reordered_stable_graph(r, case_.n);
    verification::Outcome o = verification::run_reference(g.spec);
    Probe p{o.status, o.elapsed, {}, {}};
    for (std::size_t i = 0; i < o.nodes.size(); ++i)
      p.units[g.unit[i]] = {o.nodes[i].final_clock, o.nodes[i].starved, o.nodes[i].backpressured};
    for (std::size_t c = 0; c < o.channels.size(); ++c) p.peaks[g.fifo[c]] = o.channels[c].peak_occupancy;
    return p;
  }
  Probe engine(const std::string& fifo, std::uint64_t depth) const {
    AttentionRun r = simulate_attention(config({{fifo, depth}}), tensors_);
    Probe p{std::string(to_string(r.run.status)), r.run.elapsed_cycles, {}, {}};
    for (const ContextStats& c : r.run.contexts)
      p.units[c.name] = {c.final_clock, c.starved_cycles, c.backpressured_cycles};
    for (const FifoStats& f : r.fifos) p.peaks[f.name] = f.peak_occupancy;
    return p;
  }
  // The smallest depth of `fifo` whose reference run takes as many cycles as at the published
  // depths, by bisection (fewer slots never make a run faster).
  std::uint64_t min_depth(const std::string& fifo, const Probe& full) const {
    std::uint64_t lo = 1, hi = *published(fifo);
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (reference(fifo, mid).same_speed(full)) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

 private:
  Case case_;
  std::vector<Tensors> tensors_;
};

class DamFidelity : public ::testing::TestWithParam<Case> {};

TEST_P(DamFidelity, MinimalDepthsAndCyclesBelowThemAgreeWithTheReference) {
  const Case c = GetParam();
  Fidelity f(c);
  const std::vector<std::string> fifos = fifo_names(c.variant);
  const std::string any = fifos.front();
  const Probe full = f.reference(any, *f.published(any));
  ASSERT_EQ(full.status, "completed") << label(c);
  ASSERT_EQ(f.engine(any, *f.published(any)), full) << label(c);
  for (const std::string& fifo : fifos) {
    const std::uint64_t min = f.min_depth(fifo, full);
    SCOPED_TRACE(label(c) + ", FIFO " + fifo + ", minimal depth " + std::to_string(min));
    EXPECT_TRUE(f.engine(fifo, min).same_speed(full));
    if (min > 1) {
      EXPECT_FALSE(f.reference(fifo, min - 1).same_speed(full)) << "the search's answer is not minimal";
    }
    // At the minimum and below it (slower or deadlocked): the same in both, unit by unit.
    for (std::uint64_t depth : {min, min - 1, min - 2, min / 2, std::uint64_t{1}}) {
      if (depth < 1 || depth > min) continue;
      EXPECT_EQ(f.engine(fifo, depth), f.reference(fifo, depth)) << "depth " << depth;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Published, DamFidelity,
    ::testing::Values(Case{Variant::naive, Preset::spatial_calibrated, 16},
                      Case{Variant::naive, Preset::spatial_calibrated, 64},
                      Case{Variant::naive, Preset::one_cycle, 16}, Case{Variant::naive, Preset::one_cycle, 64},
                      Case{Variant::reordered_stable, Preset::spatial_calibrated, 16},
                      Case{Variant::reordered_stable, Preset::spatial_calibrated, 64},
                      Case{Variant::reordered_stable, Preset::one_cycle, 16},
                      Case{Variant::reordered_stable, Preset::one_cycle, 64}),
    [](const ::testing::TestParamInfo<Case>& info) {
      std::string name = std::string(to_string(info.param.variant)) + "_" +
                         std::string(to_string(info.param.preset)) + "_" +
                         std::to_string(info.param.n);
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

// DAM's own figures for the authors' naive graph (spatial-calibrated, N = 64, every other FIFO
// at its published depth): full speed from long = N + 16 = 80 (8,372 cycles), and p = 4.
TEST(DamFidelity, NaiveCalibratedMatchesDamAtN64) {
  Fidelity f({Variant::naive, Preset::spatial_calibrated, 64});
  const Probe full{"completed", 8372, {}, {}};
  EXPECT_TRUE(f.reference("long", 80).same_speed(full));
  EXPECT_EQ(f.min_depth("long", full), 64u + 16u);
  EXPECT_EQ(f.min_depth("p", full), 4u);
  EXPECT_TRUE(f.engine("long", 80).same_speed(full));
  EXPECT_FALSE(f.engine("long", 79).same_speed(full));
}

}  // namespace
}  // namespace dfsim::sdpa::fidelity
