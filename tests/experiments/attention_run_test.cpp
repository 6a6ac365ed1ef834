// One attention run explained: the deadlock hint and the overflow message name the FIFO or the
// variant and the fix; the JSON has the keys of `dfsim sdpa --json`; .npy input folders.
#include "dfsim/experiments/attention_run.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "dfsim/sdpa/npy.hpp"
#include "files.hpp"

namespace dfsim::experiments {
namespace {

namespace fs = std::filesystem;

RunSetup naive(std::size_t n, std::map<std::string, std::optional<std::uint64_t>> depths = {}) {
  return make_setup({.variant = sdpa::Variant::naive, .n = n,
                     .preset = sdpa::Preset::spatial_calibrated, .depths = std::move(depths)},
                    random_inputs(n, 1, 1, 1, 1.0));
}

TEST(AttentionRun, ADeadlockSaysHowDeepTheLongFifoMustBe) {
  RunSetup s = naive(64, {{"long", 8}});
  AttentionOutcome o = run_attention(s);
  ASSERT_EQ(o.result.run.status, RunStatus::deadlock);
  EXPECT_EQ(o.problem, o.result.run.describe_problem());
  EXPECT_EQ(o.hint,
            "hint: in the naive graph the unit behind FIFO 'long' cannot start a row until the "
            "row's sum is known, so 'long' must hold a whole row: about N + latency = 64 + c "
            "elements; it has 8. The spatial-calibrated preset gives it 98 (N + 34): try --depth "
            "long=98, or --unbounded. `dfsim sdpa-min-depth --variant naive --n 64 --preset "
            "spatial-calibrated` finds the smallest depth of every FIFO that keeps full "
            "throughput.");
  EXPECT_TRUE(o.overflow.empty());
}

TEST(AttentionRun, AutoDepthsRunAtTheMinimaAndKeepTheUnboundedCycles) {
  RunSetup s = naive(64);
  AttentionOutcome o = run_attention(s, {.auto_depths = true});
  ASSERT_TRUE(o.result.run.ok());
  EXPECT_EQ(*s.resolved.depths.at("long"), 80u);
  EXPECT_EQ(o.result.run.channel("long").capacity, 80u);
  auto j = to_json(s, o);
  EXPECT_EQ(j["depths"], "automatic");
  EXPECT_EQ(j["config"]["depths"]["long"], 80);
  EXPECT_FALSE(j.contains("hint"));
  for (const char* key : {"status", "cycles", "ideal_cycles", "throughput",
                          "intermediate_memory_elements", "intermediate_memory_bytes",
                          "max_abs_error", "non_finite", "fifos", "wall_seconds",
                          "simulation_wall_seconds"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(AttentionRun, ExpOfLargeScoresOverflowsInTheNaiveVariant) {
  RunSetup s = make_setup({.variant = sdpa::Variant::naive, .n = 4},
                       random_inputs(4, 1, 1, 1, 1000.0));
  AttentionOutcome o = run_attention(s);
  ASSERT_TRUE(o.result.non_finite);
  EXPECT_NE(o.overflow.find("use --variant reordered-stable"), std::string::npos) << o.overflow;
}

TEST(Inputs, AFolderWithoutQIsRefusedWithTheConventions) {
  dfsim::test::TempDir temp;
  const fs::path& dir = temp.path();
  try {
    load_inputs(dir, 1, false);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--inputs '" + dir.string() +
                  "' holds neither q.npy (one set of Q, K, V for every head) nor q0.npy (one set "
                  "per head: q0.npy, k0.npy, v0.npy, q1.npy, ...)");
  }
  sdpa::Tensors t = sdpa::random_tensors(3, 2, 5);
  sdpa::write_npy(dir / "q.npy", {.rows = 3, .cols = 2, .values = t.q});
  sdpa::write_npy(dir / "k.npy", {.rows = 3, .cols = 2, .values = t.k});
  sdpa::write_npy(dir / "v.npy", {.rows = 2, .cols = 2, .values = {1, 2, 3, 4}});
  EXPECT_THROW(load_inputs(dir, 1, false), InputError);  // v is 2 x 2, q 3 x 2
  sdpa::write_npy(dir / "v.npy", {.rows = 3, .cols = 2, .values = t.v});
  Inputs in = load_inputs(dir, 2, false);
  ASSERT_EQ(in.tensors.size(), 2u);
  EXPECT_EQ(in.tensors[1].k, t.k);
  EXPECT_EQ(in.text, dir.string() + "/q.npy, k.npy, v.npy (the same for every head)");
}

}  // namespace
}  // namespace dfsim::experiments
