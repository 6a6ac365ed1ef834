// The 8-stage pipeline (T = 1,000,000, capacity 8) built two ways, side by side in one run:
//   CppPipeline:   workloads::build_pipeline (stages written with units::map);
//   SpecPipeline:  the same graph as a graph::GraphSpec, stages "a + 1" (int64 or float64),
//                  built by graph::BuiltGraph (which the Python binding and dfsim run use);
//   SpecPipelineMuparser: stages "(a + 1)", which muparser evaluates (no fast path).
// Times are the runs' own wall_seconds (building the graph is left out); items_per_second
// counts channel transfers, T x (K + 1). docs/performance.md records the ratios.
//
//   build/release/bench/bench_graph_pipeline
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
#include "dfsim/workloads/pipeline.hpp"
#pragma GCC diagnostic pop
#include "dfsim/graph/build.hpp"

namespace {

using namespace dfsim;

constexpr std::uint64_t kElements = 1'000'000;
constexpr unsigned kStages = 8;

void report(benchmark::State& state, const RunResult& r, std::uint64_t& transfers) {
  if (!r.ok()) state.SkipWithError(r.describe_problem().c_str());
  state.SetIterationTime(r.wall_seconds);
  transfers += r.transfers();
}

void CppPipeline(benchmark::State& state) {
  std::uint64_t transfers = 0;
  for (auto _ : state) {
    Program g;
    workloads::build_pipeline(g, {.elements = kElements, .stages = kStages, .capacity = 8});
    report(state, run(g), transfers);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(transfers));
}
BENCHMARK(CppPipeline)->UseManualTime()->Unit(benchmark::kMillisecond);

// Source 0 .. T-1, K stages computing `stage`, a sink checking i + K.
graph::GraphSpec spec_pipeline(graph::ScalarType type, const std::string& stage) {
  graph::GraphSpec s;
  const graph::ElementType t{type};
  for (unsigned k = 0; k <= kStages; ++k) s.channels.push_back({.name = "c" + std::to_string(k), .type = t, .capacity = 8});
  graph::Data in, expected;
  for (std::uint64_t i = 0; i < kElements; ++i) {
    if (type == graph::ScalarType::int64) {
      in.integers.push_back(static_cast<std::int64_t>(i));
      expected.integers.push_back(static_cast<std::int64_t>(i + kStages));
    } else {
      in.reals.push_back(static_cast<double>(i));
      expected.reals.push_back(static_cast<double>(i + kStages));
    }
  }
  s.nodes.push_back({.name = "source", .kind = graph::NodeKind::source, .outputs = {{"c0"}},
                     .row_length = kElements, .data = std::move(in)});
  for (unsigned k = 0; k < kStages; ++k)
    s.nodes.push_back({.name = "stage" + std::to_string(k), .kind = graph::NodeKind::map,
                       .inputs = {"c" + std::to_string(k)}, .outputs = {{"c" + std::to_string(k + 1)}},
                       .compute = {.outputs = {stage}}});
  s.nodes.push_back({.name = "sink", .kind = graph::NodeKind::sink, .inputs = {"c" + std::to_string(kStages)},
                     .data = std::move(expected), .sink = graph::SinkMode::check});
  return s;
}

void run_spec(benchmark::State& state, graph::ScalarType type, const std::string& stage) {
  const graph::GraphSpec spec = spec_pipeline(type, stage);
  std::uint64_t transfers = 0;
  for (auto _ : state) {
    graph::BuiltGraph g(spec);
    report(state, g.run().result, transfers);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(transfers));
}

void SpecPipelineInt64(benchmark::State& state) { run_spec(state, graph::ScalarType::int64, "a + 1"); }
void SpecPipelineFloat64(benchmark::State& state) { run_spec(state, graph::ScalarType::float64, "a + 1"); }
void SpecPipelineMuparser(benchmark::State& state) { run_spec(state, graph::ScalarType::float64, "(a + 1)"); }
BENCHMARK(SpecPipelineInt64)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(SpecPipelineFloat64)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(SpecPipelineMuparser)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
