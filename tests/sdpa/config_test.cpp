// Names, presets and the checks of resolve(): what users type must work, and a mistake must
// come back naming the problem and the fix.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::sdpa {
namespace {

std::string resolve_error(const AttentionConfig& c) {
  try {
    resolve(c);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Names, RoundTrip) {
  for (Variant v : all_variants()) EXPECT_EQ(parse_variant(to_string(v)), v);
  EXPECT_EQ(to_string(Variant::naive_stable), "naive-stable");
  EXPECT_EQ(to_string(Variant::reordered_stable), "reordered-stable");
  EXPECT_EQ(parse_variant("flash"), std::nullopt);
  EXPECT_EQ(parse_preset("spatial-calibrated"), Preset::spatial_calibrated);
  EXPECT_EQ(parse_preset("one-cycle"), Preset::one_cycle);
  EXPECT_EQ(to_string(Preset::one_cycle), "one-cycle");
  EXPECT_EQ(parse_preset("unit"), Preset::one_cycle);  // the old name, still accepted
  EXPECT_EQ(parse_preset("fast"), std::nullopt);
  EXPECT_EQ(parse_precision("fp32"), Precision::fp32);
  EXPECT_EQ(to_string(Precision::fp64), "fp64");
  for (Precision p : all_precisions()) EXPECT_EQ(parse_precision(to_string(p)), p);
  EXPECT_EQ(to_string(Precision::bf16), "bf16");
  EXPECT_EQ(parse_precision("fp8"), std::nullopt);
}

TEST(Names, NaiveFifosAreShortAndLong) {
  auto names = fifo_names(Variant::naive);
  EXPECT_EQ(names, (std::vector<std::string>{"q", "k", "v", "short", "long", "sum", "p", "out"}));
  EXPECT_EQ(unit_names(Variant::naive),
            (std::vector<std::string>{"q_source", "k_source", "v_source", "qk", "row_sum", "divide",
                                      "weighted_sum"}));
}

TEST(Names, EveryFifoOfARunIsListed) {
  for (Variant v : all_variants()) {
    AttentionRun r = simulate_attention({.variant = v, .n = 4}, {random_tensors(4, 1, 1)});
    std::vector<std::string> seen;
    for (const auto& f : r.fifos) seen.push_back(f.name);
    EXPECT_EQ(seen, fifo_names(v)) << to_string(v);
    std::vector<std::string> units;
    for (const auto& c : r.run.contexts)
      if (c.name != "sink") units.push_back(c.name);
    EXPECT_EQ(units, unit_names(v)) << to_string(v);
  }
}

TEST(Presets, SpatialCalibratedNaive) {
  ResolvedConfig r = resolve({.variant = Variant::naive, .n = 100, .preset = Preset::spatial_calibrated});
  EXPECT_EQ(r.units["qk"].latency, 11u);
  EXPECT_EQ(r.units["qk"].initiation_interval, 1u);
  EXPECT_EQ(r.units["row_sum"].latency, 23u);
  EXPECT_EQ(r.units["row_sum"].initiation_interval, 2u);
  EXPECT_EQ(r.units["divide"].latency, 8u);
  EXPECT_EQ(r.units["weighted_sum"].latency, 13u);
  EXPECT_EQ(r.units["weighted_sum"].initiation_interval, 2u);
  EXPECT_EQ(r.depths["short"], 13u);
  EXPECT_EQ(r.depths["long"], 134u);  // N + 34
  EXPECT_EQ(r.depths["sum"], 24u);
  EXPECT_EQ(r.depths["p"], 9u);
  EXPECT_EQ(r.depths["k"], 2u);
  EXPECT_EQ(r.max_initiation_interval, 2u);
}

TEST(Presets, SpatialCalibratedReorderedStable) {
  ResolvedConfig r =
      resolve({.variant = Variant::reordered_stable, .n = 100, .preset = Preset::spatial_calibrated});
  EXPECT_EQ(r.units["qk"].latency, 11u);
  EXPECT_EQ(r.units["running_max"].latency, 3u);
  EXPECT_EQ(r.units["running_max"].initiation_interval, 1u);
  EXPECT_EQ(r.units["row_sum"].latency, 8u);
  EXPECT_EQ(r.units["row_sum"].initiation_interval, 2u);
  EXPECT_EQ(r.units["weighted_sum"].latency, 12u);
  EXPECT_EQ(r.units["weighted_sum"].initiation_interval, 2u);
  EXPECT_EQ(r.units["divide"].latency, 21u);
  EXPECT_EQ(r.depths["scores"], 12u);
  for (const char* f : {"delta_sum", "c_sum", "delta_acc", "c_acc"}) EXPECT_EQ(r.depths[f], 2u) << f;
  EXPECT_EQ(r.depths["sum"], 10u);
  EXPECT_EQ(r.depths["acc"], 14u);
  EXPECT_EQ(r.depths["out"], 22u);
}

TEST(Presets, UnpublishedVariantsTakeTheirKinsTiming) {
  ResolvedConfig ns = resolve({.variant = Variant::naive_stable, .n = 10, .preset = Preset::spatial_calibrated});
  EXPECT_EQ(ns.units["row_max"].latency, 23u);  // like the row sum
  EXPECT_EQ(ns.units["row_max"].initiation_interval, 2u);
  EXPECT_EQ(ns.units["exp"].latency, 8u);  // like the divide
  EXPECT_EQ(ns.depths["max_long"], 44u);
  EXPECT_EQ(ns.depths["long"], 44u);
  ResolvedConfig r = resolve({.variant = Variant::reordered, .n = 10, .preset = Preset::spatial_calibrated});
  EXPECT_EQ(r.units["qk"].latency, 11u);
  EXPECT_EQ(r.units["row_sum"].latency, 8u);
  EXPECT_EQ(r.units["weighted_sum"].latency, 12u);
  EXPECT_EQ(r.units["divide"].latency, 21u);
  EXPECT_EQ(r.depths["e_sum"], 12u);
}

TEST(Presets, UnitPresetIsAllOnesAndDepthTwoButTheLongFifos) {
  for (Variant v : all_variants()) {
    ResolvedConfig r = resolve({.variant = v, .n = 50});
    for (const auto& [name, t] : r.units) {
      EXPECT_EQ(t.latency, 1u) << name;
      EXPECT_EQ(t.initiation_interval, 1u) << name;
    }
    for (const auto& [name, depth] : r.depths)
      EXPECT_EQ(depth, name == "long" || name == "max_long" ? 52u : 2u) << name;
    EXPECT_EQ(r.max_initiation_interval, 1u);
  }
}

TEST(Config, OverridesUnboundedAndExplicitDepths) {
  ResolvedConfig r = resolve({.variant = Variant::naive,
                              .n = 10,
                              .unit_timing = {{"row_sum", {.latency = 5, .initiation_interval = 3}}},
                              .depths = {{"long", 7}, {"short", std::nullopt}},
                              .unbounded = false});
  EXPECT_EQ(r.units["row_sum"].latency, 5u);
  EXPECT_EQ(r.max_initiation_interval, 3u);
  EXPECT_EQ(r.depths["long"], 7u);
  EXPECT_EQ(r.depths["short"], std::nullopt);
  EXPECT_EQ(r.depths["p"], 2u);
  ResolvedConfig u = resolve({.variant = Variant::naive, .n = 10, .depths = {{"long", 7}}, .unbounded = true});
  EXPECT_EQ(u.depths["long"], 7u);
  EXPECT_EQ(u.depths["short"], std::nullopt);
  // The II of a unit that sees one element per row does not bound the throughput.
  ResolvedConfig d = resolve({.variant = Variant::reordered, .n = 10,
                              .unit_timing = {{"divide", {.initiation_interval = 5}}}});
  EXPECT_EQ(d.max_initiation_interval, 1u);
}

TEST(Config, UnknownFifoListsTheValidNames) {
  std::string e = resolve_error({.variant = Variant::naive, .depths = {{"longg", 3}}});
  EXPECT_NE(e.find("unknown FIFO 'longg'"), std::string::npos) << e;
  EXPECT_NE(e.find("q, k, v, short, long, sum, p, out"), std::string::npos) << e;
}

TEST(Config, UnknownUnitListsTheValidNames) {
  std::string e = resolve_error({.variant = Variant::reordered_stable, .unit_timing = {{"scan", {}}}});
  EXPECT_NE(e.find("unknown unit 'scan'"), std::string::npos) << e;
  EXPECT_NE(e.find("running_max"), std::string::npos) << e;
}

TEST(Config, ZeroesAreRejected) {
  EXPECT_NE(resolve_error({.unit_timing = {{"qk", {.latency = 0}}}}).find("unit 'qk': latency 0"),
            std::string::npos);
  EXPECT_NE(resolve_error({.unit_timing = {{"qk", {.initiation_interval = 0}}}}).find("initiation interval 0"),
            std::string::npos);
  EXPECT_NE(resolve_error({.depths = {{"scores", 0}}}).find("FIFO 'scores' has depth 0"), std::string::npos);
  EXPECT_NE(resolve_error({.n = 0}).find("n (the sequence length) is 0"), std::string::npos);
  EXPECT_NE(resolve_error({.d = 0}).find("d (the head dimension) is 0"), std::string::npos);
  EXPECT_NE(resolve_error({.heads = 0}).find("heads is 0"), std::string::npos);
}

TEST(Config, SequenceLengthBeyondWhatCanBeSimulated) {
  const std::string e = resolve_error({.n = kMaxSequenceLength + 1});
  EXPECT_NE(e.find("n = 1048577 is more than can be simulated"), std::string::npos) << e;
  EXPECT_NE(e.find("at most 1048576"), std::string::npos) << e;
  EXPECT_EQ(resolve_error({.n = 4}), "");  // a small one resolves
}

TEST(Config, SimulateChecksTheTensorsAgainstTheConfig) {
  EXPECT_THROW(simulate_attention({.n = 8, .d = 2}, {random_tensors(8, 1, 1)}), std::invalid_argument);
  EXPECT_THROW(simulate_attention({.n = 8, .heads = 2}, {random_tensors(8, 1, 1)}), std::invalid_argument);
  EXPECT_THROW(simulate_attention({.n = 0}, {}), std::invalid_argument);
}

TEST(Fifos, StatsNameRoleAndSize) {
  AttentionRun r = simulate_attention({.variant = Variant::reordered, .n = 8, .d = 4,
                                       .precision = Precision::fp32, .heads = 2},
                                      {random_tensors(8, 4, 1), random_tensors(8, 4, 2)});
  ASSERT_TRUE(r.run.ok());
  auto find = [&](const std::string& name) {
    for (const auto& f : r.fifos)
      if (f.name == name) return f;
    ADD_FAILURE() << "no FIFO " << name;
    return FifoStats{};
  };
  FifoStats k = find("head0.k"), e = find("head1.e_sum"), acc = find("head0.acc"), out = find("head1.out");
  EXPECT_FALSE(k.internal);
  EXPECT_EQ(k.element_bytes, 16u);  // a 4-vector of float
  EXPECT_EQ(k.elements, 64u);       // K once per query row: N x N
  EXPECT_TRUE(e.internal);
  EXPECT_EQ(e.element_bytes, 4u);
  EXPECT_TRUE(acc.internal);
  EXPECT_EQ(acc.element_bytes, 16u);
  EXPECT_EQ(acc.elements, 8u);
  EXPECT_FALSE(out.internal);
  EXPECT_EQ(out.capacity, 2u);
  std::uint64_t elements = 0, bytes = 0;
  for (const auto& f : r.fifos)
    if (f.internal) {
      elements += f.peak_occupancy;
      bytes += f.peak_occupancy * f.element_bytes;
    }
  EXPECT_EQ(r.intermediate_memory_elements, elements);
  EXPECT_EQ(r.intermediate_memory_bytes, bytes);
}

}  // namespace
}  // namespace dfsim::sdpa
