// dfsim sdpa: the JSON it prints, its exit statuses (deadlock 3, overflow 4, bad input 2), its
// inputs from .npy files and its saved outputs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/npy.hpp"
#include "run_dfsim.hpp"

namespace dfsim::testing {
namespace {

using nlohmann::json;

json parse(const Output& o) {
  try {
    return json::parse(o.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "):\n" << o.out << "\nstderr:\n" << o.err;
    return json::object();
  }
}

// Cycles of each variant, exactly, for N >= 4 and any d (docs/sdpa.md, "What the engine
// measures", derived from the step rule in tests/sdpa/cycles_test.cpp): II_max N^2 + a N + b.
std::uint64_t exact_cycles(const std::string& variant, const std::string& preset, std::uint64_t n) {
  const bool calibrated = preset == "spatial-calibrated";
  const std::uint64_t ii = calibrated ? 2 : 1;
  std::uint64_t a = 0, b = 0;
  if (variant == "naive") a = calibrated ? 2 : 1, b = calibrated ? 52 : 3;
  if (variant == "naive-stable") a = calibrated ? 4 : 2, b = calibrated ? 81 : 4;
  if (variant == "reordered") b = calibrated ? 43 : 3;
  if (variant == "reordered-stable") b = calibrated ? 46 : 4;
  return ii * n * n + a * n + b;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SdpaCommand, JsonHasEveryKeyAndSaneValues) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant reordered-stable --n 24 --d 2 --json", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  for (const char* key : {"cycles", "ideal_cycles", "throughput", "intermediate_memory_elements",
                          "intermediate_memory_bytes", "max_abs_error", "non_finite", "fifos",
                          "status", "wall_seconds", "config"})
    EXPECT_TRUE(j.contains(key)) << "missing key " << key << "\n" << j.dump(2);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_EQ(j["ideal_cycles"].get<std::uint64_t>(), 24u * 24u);  // one-cycle preset: II_max 1
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 24u * 24u + 4u);  // N^2 + 4
  EXPECT_NEAR(j["throughput"].get<double>(),
              j["ideal_cycles"].get<double>() / j["cycles"].get<double>(), 1e-12);
  EXPECT_LT(j["max_abs_error"].get<double>(), 1e-12);
  EXPECT_FALSE(j["non_finite"].get<bool>());
  EXPECT_GT(j["intermediate_memory_elements"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(j["config"]["variant"], "reordered-stable");
  EXPECT_EQ(j["config"]["n"], 24);
  EXPECT_EQ(j["config"]["d"], 2);
  ASSERT_TRUE(j["fifos"].is_array());
  ASSERT_FALSE(j["fifos"].empty());
  std::uint64_t internal_peaks = 0;
  for (const auto& f : j["fifos"]) {
    for (const char* key : {"name", "capacity", "peak_occupancy", "elements", "internal"})
      EXPECT_TRUE(f.contains(key)) << key << " in " << f.dump();
    if (f["internal"].get<bool>()) internal_peaks += f["peak_occupancy"].get<std::uint64_t>();
  }
  EXPECT_EQ(internal_peaks, j["intermediate_memory_elements"].get<std::uint64_t>());
}

// `unit` is the one-cycle preset's old name: still taken, and the results name the preset
// anew. Naive at N = 8: N^2 + N + 3 cycles (docs/sdpa.md, "Cycles").
TEST(SdpaCommand, TheOldPresetNameUnitIsOneCycle) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive --n 8 --preset unit --json", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["preset"], "one-cycle");
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 8u * 8u + 8u + 3u);
}

class EveryVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryVariant, MatchesTheReferenceAtFullThroughputUnderBothPresets) {
  TempDir dir;
  for (const char* preset : {"one-cycle", "spatial-calibrated"}) {
    auto o = run_dfsim(
        "sdpa --variant " + GetParam() + " --n 20 --d 3 --seed 7 --preset " + preset + " --json",
        dir);
    ASSERT_EQ(o.status, 0) << preset << ": " << o.err;
    json j = parse(o);
    std::uint64_t ii = j["config"]["max_initiation_interval"];
    EXPECT_EQ(j["ideal_cycles"].get<std::uint64_t>(), ii * 20 * 20) << preset;
    EXPECT_EQ(j["cycles"].get<std::uint64_t>(), exact_cycles(GetParam(), preset, 20)) << preset;
    EXPECT_LT(j["max_abs_error"].get<double>(), 1e-12) << preset;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, EveryVariant,
                         ::testing::Values("naive", "naive-stable", "reordered",
                                           "reordered-stable"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SdpaCommand, TextSummaryShowsEveryMeasure) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive --n 16", dir);
  ASSERT_EQ(o.status, 0) << o.err;
  for (const char* part :
       {"cycles", "ideal cycles", "throughput", "intermediate memory", "max abs error", "wall time",
        "FIFO", "capacity", "peak", "long", "short"})
    EXPECT_TRUE(contains(o.out, part)) << part << " missing from\n" << o.out;
}

TEST(SdpaCommand, ShallowLongFifoDeadlocksWithReportAndHint) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive --n 32 --depth long=8", dir);
  EXPECT_EQ(o.status, 3) << o.out << o.err;
  EXPECT_TRUE(contains(o.err, "deadlock")) << o.err;
  EXPECT_TRUE(contains(o.err, "'long'")) << o.err;         // the engine's report names it
  EXPECT_TRUE(contains(o.err, "--depth long=")) << o.err;  // and the hint says what to type
  EXPECT_TRUE(contains(o.out, "deadlock")) << o.out;
}

TEST(SdpaCommand, ShallowLongFifoDeadlockInJson) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive-stable --n 32 --depth max_long=4 --json", dir);
  EXPECT_EQ(o.status, 3) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["status"], "deadlock");
  EXPECT_TRUE(contains(j["problem"].get<std::string>(), "max_long")) << j["problem"];
  EXPECT_TRUE(contains(j["hint"].get<std::string>(), "--depth max_long=")) << j["hint"];
}

TEST(SdpaCommand, DepthOfTheLongFifoFromThePresetIsEnough) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive --n 32 --depth long=34 --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
}

// --auto-depths sizes each FIFO to what sdpa-min-depth finds, and the run then takes the
// cycles of the all-unbounded run; a --depth given beside it wins.
TEST(SdpaCommand, AutoDepthsAreTheMinimalDepthsAndKeepTheUnboundedCycles) {
  TempDir dir;
  auto m = run_dfsim("sdpa-min-depth --variant naive --n 32 --preset spatial-calibrated --json", dir);
  ASSERT_EQ(m.status, 0) << m.err;
  json min = json::parse(m.out);
  auto o = run_dfsim("sdpa --variant naive --n 32 --preset spatial-calibrated --auto-depths --json",
                     dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["depths"], "automatic");
  EXPECT_EQ(j["cycles"], min["unbounded_cycles"]);
  for (const auto& f : j["fifos"])
    EXPECT_EQ(f["capacity"], min["min_depths"][f["name"].get<std::string>()]) << f.dump();

  auto given = parse(run_dfsim(
      "sdpa --variant naive --n 32 --preset spatial-calibrated --auto-depths --depth long=100 --json",
      dir));
  bool saw_long = false;
  for (const auto& f : given["fifos"]) {
    if (f["name"] == "long") {
      saw_long = true;
      EXPECT_EQ(f["capacity"], 100);
    } else {
      EXPECT_EQ(f["capacity"], min["min_depths"][f["name"].get<std::string>()]) << f.dump();
    }
  }
  EXPECT_TRUE(saw_long) << given.dump();

  auto both = run_dfsim("sdpa --variant naive --n 32 --auto-depths --unbounded", dir);
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(contains(both.err, "--unbounded")) << both.err;
}

TEST(SdpaCommand, ReorderedOverflowsWhereTheStableVariantDoesNot) {
  TempDir dir;
  // Scores up to 40 * 40 = 1600 > 709: exp overflows in fp64 without a running max.
  auto o = run_dfsim("sdpa --variant reordered --n 16 --scale 40", dir);
  EXPECT_EQ(o.status, 4) << o.out << o.err;
  EXPECT_TRUE(contains(o.err, "overflowed")) << o.err;
  EXPECT_TRUE(contains(o.err, "reordered-stable")) << o.err;
  EXPECT_TRUE(contains(o.err, "709")) << o.err;

  auto stable = run_dfsim("sdpa --variant reordered-stable --n 16 --scale 40 --json", dir);
  EXPECT_EQ(stable.status, 0) << stable.err;
  json j = parse(stable);
  EXPECT_FALSE(j["non_finite"].get<bool>());
  EXPECT_LT(j["max_abs_error"].get<double>(), 1e-9);
}

TEST(SdpaCommand, Fp32OverflowsAtSmallerScores) {
  TempDir dir;
  // Scores up to 12 * 12 = 144: fine in fp64, above ~88.7 in fp32.
  auto fp64 = run_dfsim("sdpa --variant reordered --n 16 --scale 12 --json", dir);
  EXPECT_EQ(fp64.status, 0) << fp64.err;
  auto fp32 = run_dfsim("sdpa --variant reordered --n 16 --scale 12 --precision fp32", dir);
  EXPECT_EQ(fp32.status, 4) << fp32.err;
  EXPECT_TRUE(contains(fp32.err, "88.7")) << fp32.err;
}

TEST(SdpaCommand, Fp16OverflowsAboveLn65504) {
  TempDir dir;
  // Scores up to 4 * 4 = 16: fine in fp32, above ln(65504) = 11.09 in fp16.
  auto fp32 = run_dfsim("sdpa --variant reordered --n 32 --scale 4 --precision fp32", dir);
  EXPECT_EQ(fp32.status, 0) << fp32.err;
  auto fp16 = run_dfsim("sdpa --variant reordered --n 32 --scale 4 --precision fp16", dir);
  EXPECT_EQ(fp16.status, 4) << fp16.err;
  EXPECT_TRUE(contains(fp16.err, "exp of a score above ~11.09 overflows in fp16")) << fp16.err;
  EXPECT_TRUE(contains(fp16.err, "use --variant reordered-stable")) << fp16.err;
  auto stable =
      run_dfsim("sdpa --variant reordered-stable --n 32 --scale 4 --precision fp16 --json", dir);
  EXPECT_EQ(stable.status, 0) << stable.err;
  EXPECT_FALSE(parse(stable)["non_finite"].get<bool>());
}

TEST(SdpaCommand, CausalSkipStreamsATriangle) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant reordered-stable --n 32 --causal skip --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["causal"], "skip");
  EXPECT_EQ(j["ideal_cycles"].get<std::uint64_t>(), 32u * 33 / 2);
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 32u * 33 / 2 + 4);  // causal_test.cpp derives it
  EXPECT_LT(j["max_abs_error"].get<double>(), 1e-12);
  auto text = run_dfsim("sdpa --variant naive --n 8 --causal mask", dir);
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "naive, N = 8, d = 1, fp64, preset one-cycle, 1 head, causal (mask)"))
      << text.out;
}

TEST(SdpaCommand, DecodeOneTokenAgainstTheCache) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant reordered-stable --n 64 --decode 1 --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["decode_rows"], 1);
  EXPECT_EQ(j["ideal_cycles"].get<std::uint64_t>(), 64u);
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 64u + 4);  // decode_test.cpp derives it
  auto both = run_dfsim("sdpa --variant naive --n 8 --decode 1 --causal mask", dir);
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(contains(both.err, "a causal mask applies to prefill")) << both.err;
}

TEST(SdpaCommand, NaiveLanesSendTheRowSumBackToEveryLane) {
  // lanes_test.cpp derives it: one-cycle preset, K = 16 keys per lane, two trees of 2 levels:
  // 64 x 16 + 16 + 3 + 2 x 2. Each lane's long FIFO a lane's share: 16 + 2 + 2 (min_depth_test.cpp).
  TempDir dir;
  auto o = run_dfsim("sdpa --variant naive --n 64 --lanes 4 --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["lanes"], 4);
  EXPECT_EQ(j["ideal_cycles"].get<std::uint64_t>(), 64u * 16);
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 64u * 16 + 16 + 3 + 4);
  EXPECT_EQ(j["config"]["depths"]["long"], 16 + 2 + 2);
  EXPECT_LT(j["max_abs_error"].get<double>(), 1e-12);
  auto m = run_dfsim("sdpa-min-depth --variant naive-stable --n 64 --lanes 4 --json", dir);
  EXPECT_EQ(m.status, 0) << m.err;
  json d = parse(m)["min_depths"];
  EXPECT_EQ(d["long"], 20);
  EXPECT_EQ(d["max_long"], 20);
  EXPECT_TRUE(d.contains("lane_max") && d.contains("lane_sum") && d.contains("acc")) << d.dump();
}

TEST(SdpaCommand, KvHeadsShareTheKAndVMemories) {
  // gqa_test.cpp: the cycles of independent heads (N^2 + 4 for reordered-stable, one-cycle preset).
  TempDir dir;
  auto o = run_dfsim("sdpa --variant reordered-stable --n 16 --heads 4 --kv-heads 2 --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["kv_heads"], 2);
  EXPECT_EQ(j["cycles"].get<std::uint64_t>(), 16u * 16 + 4);
  EXPECT_LT(j["max_abs_error"].get<double>(), 1e-12);
  EXPECT_EQ(j["config"]["units"].count("k_source"), 1u);
  auto text = run_dfsim("sdpa --variant naive --n 8 --heads 2 --kv-heads 1", dir);
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "naive, N = 8, d = 1, fp64, preset one-cycle, 2 heads, 1 K/V head"))
      << text.out;
  auto bad = run_dfsim("sdpa --variant naive --n 8 --heads 4 --kv-heads 3", dir);
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(contains(bad.err, "dfsim: error: kv_heads = 3 does not divide heads = 4")) << bad.err;
}

struct BadInput {
  const char* name;
  const char* args;
  const char* message;
};

class BadInputs : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputs, ExitTwoWithAClearMessage) {
  TempDir dir;
  auto o = run_dfsim(GetParam().args, dir);
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_TRUE(contains(o.err, "dfsim: error: ")) << o.err;
  EXPECT_TRUE(contains(o.err, GetParam().message))
      << "expected '" << GetParam().message << "' in:\n"
      << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadInputs,
    ::testing::Values(
        BadInput{"unknown_variant", "sdpa --variant flash --n 8",
                 "unknown variant 'flash': valid variants are naive, naive-stable, reordered, "
                 "reordered-stable"},
        BadInput{"missing_variant", "sdpa --n 8", "--variant is required"},
        BadInput{"unknown_preset", "sdpa --variant naive --n 8 --preset fast",
                 "unknown preset 'fast': valid presets are one-cycle, spatial-calibrated"},
        BadInput{"unknown_precision", "sdpa --variant naive --n 8 --precision fp8",
                 "unknown precision 'fp8': valid precisions are fp64, fp32, fp16, bf16"},
        BadInput{"unknown_causal", "sdpa --variant naive --n 8 --causal triangle",
                 "unknown causal 'triangle': give mask (stream every key, mask j > i to "
                 "-inf), skip (stream only the keys j <= i) or none"},
        BadInput{"unknown_fifo", "sdpa --variant naive --n 8 --depth longest=9",
                 "unknown FIFO 'longest'"},
        BadInput{"unknown_fifo_lists_valid", "sdpa --variant naive --n 8 --depth longest=9",
                 "long"},
        BadInput{"unknown_unit", "sdpa --variant naive --n 8 --unit mul=1:1", "unknown unit 'mul'"},
        BadInput{"n_zero", "sdpa --variant naive --n 0", "--n '0' must be a positive integer"},
        BadInput{"n_text", "sdpa --variant naive --n many",
                 "--n 'many' must be a positive integer"},
        BadInput{"n_missing", "sdpa --variant naive", "--n is required"},
        BadInput{"d_zero", "sdpa --variant naive --n 8 --d 0",
                 "--d '0' must be a positive integer"},
        BadInput{"depth_zero", "sdpa --variant naive --n 8 --depth long=0",
                 "--depth long '0' is not a capacity"},
        BadInput{"depth_malformed", "sdpa --variant naive --n 8 --depth long",
                 "--depth 'long': expected NAME=K"},
        BadInput{"depth_no_name", "sdpa --variant naive --n 8 --depth =5",
                 "--depth '=5': expected NAME=K"},
        BadInput{"unit_malformed", "sdpa --variant naive --n 8 --unit qk=3",
                 "--unit 'qk=3': expected NAME=latency:ii"},
        BadInput{"unit_not_number", "sdpa --variant naive --n 8 --unit qk=3:x",
                 "'x' is not a number of cycles"},
        BadInput{"unit_zero_ii", "sdpa --variant naive --n 8 --unit qk=3:0", "qk"},
        BadInput{"inputs_missing", "sdpa --variant naive --inputs /nonexistent/dir",
                 "is not a directory"},
        BadInput{"allow_non_finite_without_inputs", "sdpa --variant naive --n 8 --allow-non-finite",
                 "--allow-non-finite requires --inputs"},
        BadInput{"scale_nan", "sdpa --variant naive --n 8 --scale nan",
                 "--scale: 'nan' must be a finite number"},
        BadInput{"scale_inf", "sdpa-min-depth --variant naive --n 8 --scale -inf",
                 "--scale: '-inf' must be a finite number"},
        BadInput{"min_depth_unknown_variant", "sdpa-min-depth --variant flash --n 8",
                 "unknown variant 'flash'"},
        BadInput{"sweep_bad_sizes", "sdpa-sweep --n 8,x --out /tmp/never",
                 "'x' is not a positive integer"},
        BadInput{"sweep_bad_variant", "sdpa-sweep --n 8 --variants naive,fast --out /tmp/never",
                 "unknown variant 'fast'"},
        BadInput{"sweep_bad_causal", "sdpa-sweep --n 8 --causal none,triangle --out /tmp/never",
                 "unknown causal 'triangle': give mask"},
        BadInput{"sweep_bad_precision", "sdpa-sweep --n 8 --precision fp64,fp8 --out /tmp/never",
                 "unknown precision 'fp8': valid precisions are fp64, fp32, fp16, bf16"},
        BadInput{"sweep_lanes_zero", "sdpa-sweep --n 8 --lanes 1,0 --out /tmp/never",
                 "--lanes '1,0': '0' is not a positive integer; give a comma-separated list, "
                 "e.g. 1,2,4"},
        BadInput{"sweep_decode_text", "sdpa-sweep --n 8 --decode x --out /tmp/never",
                 "--decode 'x': 'x' is not an integer of 0 or more"},
        BadInput{"sweep_kv_heads_not_divisor",
                 "sdpa-sweep --n 8 --variants naive --heads 4 --kv-heads 3 --out /tmp/never",
                 "point naive N=8 heads=4 kv_heads=3: kv_heads = 3 does not divide heads = 4"},
        BadInput{"sweep_more_lanes_than_keys", "sdpa-sweep --n 8 --variants naive --lanes 2,9 --out /tmp/never",
                 "point naive N=8 lanes=9: lanes = 9 is more than n = 8: every lane needs a key"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SdpaCommand, SavedOutputsEqualTheReferenceWithinThePrintedError) {
  TempDir dir;
  auto file = dir / "o.npy";
  auto o = run_dfsim(
      "sdpa --variant naive --n 12 --d 3 --seed 5 --json --save-outputs " + file.string(), dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  sdpa::Matrix m = sdpa::read_npy(file);
  ASSERT_EQ(m.rows, 12u);
  ASSERT_EQ(m.cols, 3u);
  auto reference = sdpa::reference_attention(sdpa::random_tensors(12, 3, 5));
  double err = 0;
  for (std::size_t i = 0; i < reference.size(); ++i)
    err = std::max(err, std::abs(m.values[i] - reference[i]));
  EXPECT_EQ(err, j["max_abs_error"].get<double>());  // the same numbers, bit for bit
  EXPECT_LT(err, 1e-12);
}

TEST(SdpaCommand, SeveralHeadsStackTheirOutputs) {
  TempDir dir;
  auto file = dir / "o.npy";
  auto o = run_dfsim(
      "sdpa --variant reordered --n 8 --heads 2 --seed 3 --json --save-outputs " + file.string(),
      dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  bool head1 = false;
  for (const auto& f : j["fifos"]) head1 |= f["name"].get<std::string>().rfind("head1.", 0) == 0;
  EXPECT_TRUE(head1) << j["fifos"].dump();
  sdpa::Matrix m = sdpa::read_npy(file);
  ASSERT_EQ(m.rows, 16u);
  ASSERT_EQ(m.cols, 1u);
  auto second = sdpa::reference_attention(sdpa::random_tensors(8, 1, 4));  // head 1: seed + 1
  for (std::size_t i = 0; i < 8; ++i) EXPECT_NEAR(m.values[8 + i], second[i], 1e-12) << i;
}

TEST(SdpaCommand, InputsFromNpyFiles) {
  TempDir dir;
  auto t = sdpa::random_tensors(10, 2, 11, 2.0);
  std::filesystem::create_directories(dir / "in");
  sdpa::write_npy(dir / "in" / "q.npy", {.rows = 10, .cols = 2, .values = t.q});
  sdpa::write_npy(dir / "in" / "k.npy", {.rows = 10, .cols = 2, .values = t.k});
  sdpa::write_npy(dir / "in" / "v.npy", {.rows = 10, .cols = 2, .values = t.v});
  auto o = run_dfsim("sdpa --variant naive-stable --inputs " + (dir / "in").string() +
                         " --json --save-outputs " + (dir / "o.npy").string(),
                     dir);
  ASSERT_EQ(o.status, 0) << o.err;
  json j = parse(o);
  EXPECT_EQ(j["config"]["n"], 10);
  EXPECT_EQ(j["config"]["d"], 2);
  auto reference = sdpa::reference_attention(t);
  sdpa::Matrix m = sdpa::read_npy(dir / "o.npy");
  ASSERT_EQ(m.values.size(), reference.size());
  for (std::size_t i = 0; i < reference.size(); ++i)
    EXPECT_NEAR(m.values[i], reference[i], 1e-12) << i;

  // --n contradicting the files, and a K of the wrong shape.
  auto wrong_n = run_dfsim("sdpa --variant naive --n 11 --inputs " + (dir / "in").string(), dir);
  EXPECT_EQ(wrong_n.status, 2);
  EXPECT_TRUE(contains(wrong_n.err, "--n 11 does not match the inputs")) << wrong_n.err;
  sdpa::write_npy(dir / "in" / "k.npy", {.rows = 9, .cols = 2, .values = std::vector(18, 0.5)});
  auto wrong_k = run_dfsim("sdpa --variant naive --inputs " + (dir / "in").string(), dir);
  EXPECT_EQ(wrong_k.status, 2);
  EXPECT_TRUE(contains(wrong_k.err, "k.npy: shape (9, 2) does not match q's (10, 2)"))
      << wrong_k.err;
  sdpa::write_npy(dir / "in" / "k.npy", {.rows = 10, .cols = 2, .values = t.k});
  std::ofstream(dir / "in" / "v.npy") << "not numpy";
  auto bad_v = run_dfsim("sdpa --variant naive --inputs " + (dir / "in").string(), dir);
  EXPECT_EQ(bad_v.status, 2);
  EXPECT_TRUE(contains(bad_v.err, "v.npy: not a NumPy .npy file")) << bad_v.err;
}

TEST(SdpaCommand, InputsPerHead) {
  TempDir dir;
  std::filesystem::create_directories(dir / "in");
  std::vector<sdpa::Tensors> heads;
  for (int h = 0; h < 2; ++h) {
    heads.push_back(sdpa::random_tensors(6, 1, 20 + h));
    auto name = [&](const char* x) { return dir / "in" / (x + std::to_string(h) + ".npy"); };
    sdpa::write_npy(name("q"), {.rows = 6, .cols = 1, .values = heads[h].q});
    sdpa::write_npy(name("k"), {.rows = 6, .cols = 1, .values = heads[h].k});
    sdpa::write_npy(name("v"), {.rows = 6, .cols = 1, .values = heads[h].v});
  }
  auto o = run_dfsim("sdpa --variant reordered-stable --heads 2 --inputs " + (dir / "in").string() +
                         " --save-outputs " + (dir / "o.npy").string(),
                     dir);
  ASSERT_EQ(o.status, 0) << o.err;
  sdpa::Matrix m = sdpa::read_npy(dir / "o.npy");
  ASSERT_EQ(m.rows, 12u);
  for (int h = 0; h < 2; ++h) {
    auto reference = sdpa::reference_attention(heads[h]);
    for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(m.values[h * 6 + i], reference[i], 1e-12);
  }
}

TEST(SdpaCommand, NumpyReadsTheSavedOutputsAndAgrees) {
  if (!python_has("numpy")) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  TempDir dir;
  std::string script = (dir / "check.py").string();
  std::ofstream(script) << R"(import sys, json, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(4)
q, k, v = (rng.uniform(-1, 1, (9, 4)) for _ in range(3))
if sys.argv[2] == 'make':
    import os
    os.makedirs(d + '/in', exist_ok=True)
    for name, a in (('q', q), ('k', k), ('v', v)):
        np.save(d + '/in/' + name + '.npy', a)
else:
    s = q @ k.T / np.sqrt(4)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    ref = (p / p.sum(axis=1, keepdims=True)) @ v
    out = np.load(d + '/o.npy')
    reported = json.load(open(d + '/run.json'))['max_abs_error']
    assert out.shape == (9, 4), out.shape
    err = np.abs(out - ref).max()
    assert err < 1e-12, err
    assert abs(err - reported) < 1e-13, (err, reported)
)";
  ASSERT_EQ(
      std::system(("/usr/bin/python3 " + script + " " + dir.path().string() + " make").c_str()), 0);
  auto o = run_dfsim("sdpa --variant reordered-stable --inputs " + (dir / "in").string() +
                         " --json --save-outputs " + (dir / "o.npy").string(),
                     dir);
  ASSERT_EQ(o.status, 0) << o.err;
  std::ofstream(dir / "run.json") << o.out;
  EXPECT_EQ(
      std::system(("/usr/bin/python3 " + script + " " + dir.path().string() + " check").c_str()),
      0);
}

// Issue 18: unusable input files, each refused with exit 2 and one line naming the file.
class BrokenInputs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(in_);
    write(sdpa::random_tensors(10, 2, 11));
  }
  void write(const sdpa::Tensors& t, const std::string& suffix = "") {
    sdpa::write_npy(in_ / ("q" + suffix + ".npy"), {.rows = t.n, .cols = t.d, .values = t.q});
    sdpa::write_npy(in_ / ("k" + suffix + ".npy"), {.rows = t.n, .cols = t.d, .values = t.k});
    sdpa::write_npy(in_ / ("v" + suffix + ".npy"), {.rows = t.n, .cols = t.d, .values = t.v});
  }
  std::string file(const std::string& name) const { return (in_ / name).string(); }
  Output run(const std::string& extra = "", const std::string& command = "sdpa") {
    return run_dfsim(command + " --variant reordered-stable --inputs " + in_.string() + " " + extra,
                     dir_);
  }
  // Exit 2, nothing on stdout, and exactly this one line on stderr.
  static void expect_refused(const Output& o, const std::string& line) {
    EXPECT_EQ(o.status, 2) << o.err;
    EXPECT_EQ(o.err, "dfsim: error: " + line + "\n");
    EXPECT_TRUE(o.out.empty()) << o.out;
  }

  TempDir dir_;
  std::filesystem::path in_ = dir_ / "in";
};

TEST_F(BrokenInputs, HundredThousandNestedBracketsInTheHeader) {
  std::string header =
      "{'descr':'<f8','fortran_order':False,'shape':(1,1),'x':" + std::string(100'000, '[') +
      std::string(100'000, ']') + "}";
  std::string bytes = "\x93NUMPY\x02";
  bytes += '\0';
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  std::ofstream(in_ / "q.npy", std::ios::binary) << bytes << header << std::string(8, '\0');
  auto o = run();
  EXPECT_EQ(o.status, 2) << o.err.substr(0, 500);
  EXPECT_EQ(o.err.rfind("dfsim: error: " + file("q.npy") +
                            ": malformed header (brackets nested more than 64 deep at character "
                            "119): {'descr':'<f8','fortran_order':False,",
                        0),
            0u)
      << o.err.substr(0, 500);
  EXPECT_TRUE(contains(o.err, "... (200056 bytes)\n")) << o.err.substr(0, 500);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1);
}

TEST_F(BrokenInputs, SymlinkToDevZero) {
  std::filesystem::remove(in_ / "q.npy");
  std::filesystem::create_symlink("/dev/zero", in_ / "q.npy");
  expect_refused(run(), file("q.npy") +
                            ": not a regular file: it is a character device (a symbolic link to "
                            "/dev/zero); give a .npy file written by numpy.save");
}

TEST_F(BrokenInputs, NamedPipe) {
  std::filesystem::remove(in_ / "k.npy");
  ASSERT_EQ(::mkfifo((in_ / "k.npy").c_str(), 0600), 0);
  expect_refused(run(), file("k.npy") +
                            ": not a regular file: it is a named pipe (FIFO); give a .npy file "
                            "written by numpy.save");
}

TEST_F(BrokenInputs, Directory) {
  std::filesystem::remove(in_ / "v.npy");
  std::filesystem::create_directories(in_ / "v.npy");
  expect_refused(run(), file("v.npy") +
                            ": not a regular file: it is a directory; give a .npy file written "
                            "by numpy.save");
}

TEST_F(BrokenInputs, TruncatedData) {
  std::filesystem::resize_file(in_ / "v.npy", std::filesystem::file_size(in_ / "v.npy") - 8);
  expect_refused(run(), file("v.npy") +
                            ": truncated: shape (10, 2) of '<f8' needs 10 x 2 x 8 bytes of data, "
                            "the file has 152");
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const std::string kFix =
    "; Q, K and V must be finite: fix the file, or pass --allow-non-finite to simulate it as it is";

TEST_F(BrokenInputs, NanAndInfAreRefusedByFileRowAndColumn) {
  auto t = sdpa::random_tensors(10, 2, 11);
  t.k[3 * 2 + 1] = kNan;
  write(t);
  expect_refused(run(), file("k.npy") + ": row 3, column 1 is NaN (counting from 0)" + kFix);
  expect_refused(run("", "sdpa-min-depth"),
                 file("k.npy") + ": row 3, column 1 is NaN (counting from 0)" + kFix);

  t = sdpa::random_tensors(10, 2, 11);
  t.q[7 * 2 + 0] = kInf;
  t.q[9 * 2 + 1] = -kInf;
  write(t);
  expect_refused(run(), file("q.npy") +
                            ": row 7, column 0 is inf (counting from 0; the first of 2 NaN or "
                            "infinite values)" +
                            kFix);

  t = sdpa::random_tensors(10, 2, 11);
  t.v[0] = -kInf;
  write(t);
  expect_refused(run(), file("v.npy") + ": row 0, column 0 is -inf (counting from 0)" + kFix);
}

TEST_F(BrokenInputs, NanInOneHeadsFilesNamesThem) {
  std::filesystem::remove_all(in_);
  std::filesystem::create_directories(in_);
  write(sdpa::random_tensors(6, 1, 1), "0");
  auto t = sdpa::random_tensors(6, 1, 2);
  t.v[4] = kNan;
  write(t, "1");
  expect_refused(run("--heads 2"),
                 file("v1.npy") + ": row 4, column 0 is NaN (counting from 0)" + kFix);
}

TEST_F(BrokenInputs, AllowNonFiniteSimulatesThem) {
  auto t = sdpa::random_tensors(10, 2, 11);
  t.k[3 * 2 + 1] = kNan;
  write(t);
  auto o = run("--allow-non-finite --json");
  EXPECT_EQ(o.status, 4) << o.err;  // the outputs hold NaN
  json j = parse(o);
  EXPECT_EQ(j["status"], "completed");
  EXPECT_TRUE(j["non_finite"].get<bool>());
  EXPECT_TRUE(contains(o.err,
                       "output values are inf or NaN, carried from the inf or NaN in the "
                       "inputs (--allow-non-finite)"))
      << o.err;
  EXPECT_FALSE(contains(o.err, "please report")) << o.err;
  auto m = run("--allow-non-finite --json", "sdpa-min-depth");
  EXPECT_EQ(m.status, 0) << m.err;
}

// The random inputs are finite for every --scale the flag accepts; a scale large enough for
// q.k itself to overflow is an overflow no variant avoids, and the message says so.
TEST(SdpaCommand, ScoresBeyondTheArithmeticOverflowEveryVariant) {
  TempDir dir;
  auto o = run_dfsim("sdpa --variant reordered-stable --n 4 --scale 1e200", dir);
  EXPECT_EQ(o.status, 4) << o.err;
  EXPECT_TRUE(contains(o.err,
                       "The largest score q.k/sqrt(d) is inf, beyond the range of fp64, "
                       "so every variant overflows: make Q and K smaller."))
      << o.err;
  auto fp32 = run_dfsim("sdpa --variant naive-stable --n 4 --scale 1e20 --precision fp32", dir);
  EXPECT_EQ(fp32.status, 4) << fp32.err;
  EXPECT_TRUE(contains(fp32.err,
                       "beyond the range of fp32, so every variant overflows: make Q "
                       "and K smaller, or use --precision fp64."))
      << fp32.err;
}

}  // namespace
}  // namespace dfsim::testing
