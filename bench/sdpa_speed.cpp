// Simulation speed of the attention graphs (issue 3's target: N = 16,384, reordered-stable,
// spatial-calibrated, d = 1, one core, at most 60 s; the published DAM-RS run took 3,175 s).
//
//   bench_sdpa                                   # N = 1,024, 4,096 and 16,384, every variant
//   bench_sdpa --benchmark_filter='/4096/'       # one size
//   bench_sdpa --benchmark_filter='reordered-stable/16384/'
//
// Each case runs once (a run of N = 16,384 moves 2.7e8 elements through each of about eight
// FIFOs). Time is the whole simulate_attention call on one thread: building the graph, the
// run, the reference and the measures; `run_s` is the engine's run alone. Counters: simulated
// cycles, throughput against II_max N^2, and simulated cycles per wall-clock second.
#include <benchmark/benchmark.h>

#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace {

using namespace dfsim::sdpa;

void simulate(benchmark::State& state, Variant variant) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const AttentionConfig config{.variant = variant, .n = n, .d = 1, .preset = Preset::spatial_calibrated};
  const std::vector<Tensors> inputs{random_tensors(n, 1, 1)};
  AttentionRun r;
  for (auto _ : state) r = simulate_attention(config, inputs, {.threads = 1});
  if (!r.run.ok()) {
    state.SkipWithError(r.run.describe_problem().c_str());
    return;
  }
  state.counters["cycles"] = static_cast<double>(r.run.elapsed_cycles);
  state.counters["throughput"] = r.throughput;
  state.counters["run_s"] = r.run.wall_seconds;
  state.counters["cycles_per_s"] =
      benchmark::Counter(static_cast<double>(r.run.elapsed_cycles), benchmark::Counter::kIsRate);
  state.counters["max_abs_error"] = r.max_abs_error;
}

const bool registered = [] {
  for (Variant v : all_variants())
    benchmark::RegisterBenchmark(("sdpa/" + std::string(to_string(v))).c_str(),
                                 [v](benchmark::State& s) { simulate(s, v); })
        ->Arg(1024)
        ->Arg(4096)
        ->Arg(16384)
        ->Iterations(1)
        ->Unit(benchmark::kSecond)
        ->UseRealTime();
  return true;
}();

// Issue 5's wide workload: 8 independent heads (N = 1,024, reordered-stable, one-cycle preset) on
// the sequential executor and on two threads; and one head, where parallelism must not cost.
// Time is the engine's run alone. Targets: 8 heads >= 1.7x, 1 head >= 0.95x. For a
// side-by-side figure on a noisy machine, interleave the repetitions:
//   bench_sdpa --benchmark_filter=heads --benchmark_repetitions=5
//              --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//   (one command line)
void heads(benchmark::State& state) {
  const auto h = static_cast<unsigned>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const AttentionConfig config{.variant = Variant::reordered_stable, .n = 1024, .heads = h};
  std::vector<Tensors> inputs;
  for (unsigned i = 0; i < h; ++i) inputs.push_back(random_tensors(1024, 1, 1 + i));
  for (auto _ : state) {
    AttentionRun r = simulate_attention(config, inputs, {.threads = threads});
    if (!r.run.ok()) {
      state.SkipWithError(r.run.describe_problem().c_str());
      return;
    }
    state.SetIterationTime(r.run.wall_seconds);
  }
}
BENCHMARK(heads)
    ->ArgNames({"heads", "threads"})
    ->Args({8, 1})
    ->Args({8, 2})
    ->Args({1, 1})
    ->Args({1, 2})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
