#pragma once
// Every timing case runs under every executor: the sequential one, and the parallel one
// with automatic and round-robin placement (round-robin makes every channel cross threads).
// docs/semantics.md, "Determinism": the results must not depend on which one runs the graph.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "dfsim/engine.hpp"

namespace dfsim::test {

struct Executor {
  std::string name;
  RunOptions options;
};

inline void PrintTo(const Executor& e, std::ostream* os) { *os << e.name; }

inline std::vector<Executor> every_executor() {
  return {
      {"sequential", {.threads = 1}},
      {"threads2_automatic", {.threads = 2, .placement = Placement::automatic}},
      {"threads2_round_robin", {.threads = 2, .placement = Placement::round_robin}},
      {"threads3_round_robin", {.threads = 3, .placement = Placement::round_robin}},
  };
}

// A fixture whose cases run once per executor: use run(g) instead of dfsim::run.
class EveryExecutor : public ::testing::TestWithParam<Executor> {
 protected:
  RunResult run(Program& g) const { return dfsim::run(g, GetParam().options); }
};

}  // namespace dfsim::test

// Instantiates the TEST_Ps of `Suite` (derived from EveryExecutor) once per executor.
#define DFSIM_ON_EVERY_EXECUTOR(Suite)                                              \
  INSTANTIATE_TEST_SUITE_P(Executors, Suite,                                        \
                           ::testing::ValuesIn(::dfsim::test::every_executor()),    \
                           [](const ::testing::TestParamInfo<::dfsim::test::Executor>& \
                                  info) { return info.param.name; })
