// Random graphs run by the reference model and by every executor; the outcomes must agree
// exactly (docs/testing.md). DFSIM_DIFF_GRAPHS sets how many graphs (default 1000): seeds
// 1 .. N, split into shards that CTest can run in parallel. Round-robin placement, where
// every channel crosses threads and each wake goes through another worker, is much slower
// per graph, so it runs on every DFSIM_DIFF_ROUND_ROBIN_EVERY-th graph of each shard
// (default 4). A crash names its seed on stderr before the process dies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "differential.hpp"
#include "random_graph.hpp"

namespace dfsim::verification {
namespace {

constexpr int kShards = 10;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

// The seed being checked, for the crash handler: "crashed on seed N".
char crash_note[64] = "";

extern "C" void on_crash(int signal) {
  ssize_t ignored = write(STDERR_FILENO, crash_note, std::strlen(crash_note));
  (void)ignored;
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

class Differential : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    std::signal(SIGSEGV, on_crash);
    std::signal(SIGABRT, on_crash);
  }
  void TearDown() override {
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGABRT, SIG_DFL);
  }
};

TEST_P(Differential, EveryExecutorAgreesWithTheReference) {
  const std::uint64_t graphs = env_or("DFSIM_DIFF_GRAPHS", 1000);
  const std::uint64_t rr_every = std::max<std::uint64_t>(env_or("DFSIM_DIFF_ROUND_ROBIN_EVERY", 4), 1);
  const auto all = all_configs();
  const auto without_round_robin = all.first(3);
  int failures = 0;
  std::string failing_seeds;
  for (std::uint64_t seed = 1 + static_cast<std::uint64_t>(GetParam()); seed <= graphs;
       seed += kShards) {
    std::snprintf(crash_note, sizeof crash_note, "\ncrashed on seed %llu\n",
                  static_cast<unsigned long long>(seed));
    GraphSpec g = random_graph(seed);
    bool round_robin = (seed / kShards) % rr_every == 0;
    auto m = check_graph(g, round_robin ? all : without_round_robin);
    if (!m) continue;
    ++failures;
    failing_seeds += " " + std::to_string(seed);
    // The first few in full; the rest by seed, to keep the log readable.
    if (failures <= 3) ADD_FAILURE() << report(seed, g, *m);
  }
  EXPECT_EQ(failures, 0) << "failing seeds:" << failing_seeds
                         << "\nreplay one with: verification_soak --replay SEED";
}

INSTANTIATE_TEST_SUITE_P(Shards, Differential, ::testing::Range(0, kShards));

}  // namespace
}  // namespace dfsim::verification
