// The engine's speed on its two benchmark workloads (Google Benchmark):
//   - the pipeline of issue 2 (T = 1,000,000, capacity 8, K = 8 and 64): items_per_second
//     counts channel transfers, T x (K + 1), the figure issue 2 sets a target for;
//   - the reduction tree of issue 5 (1,024 leaves) on the sequential executor and on two
//     threads: items_per_second counts transfers, T x (2L - 1).
// Every benchmark also reports cycles_per_second (simulated cycles per wall second). Times
// are the runs' own wall_seconds (manual time): building and destroying the graph, which
// the simulator does once per program, are left out.
//
//   build/bench/bench/bench_engine --benchmark_filter=Pipeline
#include <benchmark/benchmark.h>

#include <cstdint>
#include <stdexcept>

// g++ 12 reports a false -Wrestrict inside the "c" + std::to_string(k) of build_pipeline
// once it is inlined here (GCC bug 105329); the code is correct.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#include "dfsim/workloads/pipeline.hpp"
#pragma GCC diagnostic pop
#include "dfsim/workloads/reduction_tree.hpp"

namespace {

using dfsim::Program;
using dfsim::RunOptions;
using dfsim::RunResult;

// Runs a graph built fresh by `build` once per iteration, timing only the run.
template <class Build>
void run_each_iteration(benchmark::State& state, Build build, const RunOptions& options) {
  std::uint64_t transfers = 0;
  std::uint64_t cycles = 0;
  for (auto _ : state) {
    Program g;
    build(g);
    RunResult r = dfsim::run(g, options);
    if (!r.ok()) {
      state.SkipWithError(r.describe_problem().c_str());
      return;
    }
    state.SetIterationTime(r.wall_seconds);
    transfers += r.transfers();
    cycles += r.elapsed_cycles;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(transfers));
  state.counters["cycles_per_second"] =
      benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
}

// Args: stages K. T = 1,000,000, capacity 8, latency 1.
void Pipeline(benchmark::State& state) {
  dfsim::workloads::PipelineOptions o{.elements = 1'000'000,
                                      .stages = static_cast<unsigned>(state.range(0)),
                                      .capacity = 8};
  run_each_iteration(state, [&](Program& g) { dfsim::workloads::build_pipeline(g, o); },
                     {.threads = 1});
}
BENCHMARK(Pipeline)->ArgName("K")->Arg(8)->Arg(64)->UseManualTime()->Unit(benchmark::kMillisecond);

// Args: threads (1: the sequential executor). 1,024 leaves of 20,000 values, capacity 8.
void ReductionTree(benchmark::State& state) {
  dfsim::workloads::ReductionTreeOptions o{.leaves = 1024, .elements = 20'000, .capacity = 8};
  run_each_iteration(state, [&](Program& g) { dfsim::workloads::build_reduction_tree(g, o); },
                     {.threads = static_cast<unsigned>(state.range(0))});
}
BENCHMARK(ReductionTree)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
