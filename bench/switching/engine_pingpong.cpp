// Reference: the same producer/consumer through the real engine (dfsim::Program, one
// channel of capacity C, the sequential executor), and the cost of adding 10,000 contexts.
// The engine does more per switch than the minimal schedulers: it stamps every element
// with a visible time, keeps credit times and occupancy statistics, and checks a context's
// wait before resuming it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/process.hpp"
#include "dfsim/engine/program.hpp"
#include "dfsim/engine/run.hpp"

namespace switching::engine {
namespace {

using dfsim::Context;
using dfsim::Cycle;
using dfsim::PipelineDepth;
using dfsim::Process;
using dfsim::Receiver;
using dfsim::Sender;
using T = std::uint64_t;

// "prefix" + i, built by appending: g++ 12 warns falsely (-Wrestrict, GCC PR 105651) on
// "literal" + std::to_string(i).
std::string indexed(const char* prefix, std::size_t i) {
  std::string name = prefix;
  name += std::to_string(i);
  return name;
}

// ---- the user code: a source and a sink, as engine users write them ----
Process source(Context&, Sender<T> out, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) co_await out.push(i);
}

Process sink(Context&, Receiver<T> in, std::uint64_t& sum) {
  while (auto v = co_await in.pop()) sum += *v;
}

// The Map unit of docs/design-notes.md ("Coroutines or fibers"): pop two inputs, push
// their sum visible P cycles later, accept the next pair II cycles later.
Process add_map(Context& ctx, Receiver<T> a, Receiver<T> b, Sender<T> out, Cycle P, Cycle II) {
  while (true) {
    auto x = co_await a.pop();
    auto y = co_await b.pop();
    if (!x || !y) co_return;
    co_await out.push(*x + *y, PipelineDepth{P});
    ctx.advance(II);
  }
}

Process stage(Context&, Receiver<T> in, Sender<T> out) {
  while (auto v = co_await in.pop()) co_await out.push(*v);
}

// The same bodies counting their suspensions: run once, untimed, to count the switches
// (a context is resumed once at the start and once after each suspension).
Process counting_source(Context&, Sender<T> out, std::uint64_t n, std::uint64_t& suspensions) {
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!out.has_credit()) ++suspensions;
    co_await out.push(i);
  }
}
Process counting_sink(Context&, Receiver<T> in, std::uint64_t& sum, std::uint64_t& suspensions) {
  while (true) {
    if (!in.state()->receiver_can_act()) ++suspensions;
    auto v = co_await in.pop();
    if (!v) break;
    sum += *v;
  }
}

std::uint64_t count_switches(std::uint64_t capacity) {
  dfsim::Program g;
  auto [tx, rx] = g.channel<T>("x", {.capacity = capacity});
  std::uint64_t suspensions = 0, sum = 0;
  g.add("src", counting_source, std::move(tx), kElements, std::ref(suspensions));
  g.add("sink", counting_sink, std::move(rx), std::ref(sum), std::ref(suspensions));
  dfsim::run(g);
  return suspensions + 2;
}

void BM_Engine_PingPong(benchmark::State& state) {
  const auto capacity = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = std::make_unique<dfsim::Program>();
    auto [tx, rx] = g->channel<T>("x", {.capacity = capacity});
    g->add("src", source, std::move(tx), kElements);
    g->add("sink", sink, std::move(rx), std::ref(sum));
    state.ResumeTiming();
    dfsim::RunResult r = dfsim::run(*g);
    state.PauseTiming();
    if (r.status != dfsim::RunStatus::completed) state.SkipWithError("did not complete");
    g.reset();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  report_pingpong(state, kElements, count_switches(capacity));
}

// A pipeline of N contexts over channels of capacity 1 (no switch count: "switches" is
// left out rather than estimated).
void BM_Engine_Chain(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = std::make_unique<dfsim::Program>();
    std::vector<Sender<T>> outs;
    std::vector<Receiver<T>> ins;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      auto [tx, rx] = g->channel<T>(indexed("x", i), {.capacity = 1});
      outs.push_back(std::move(tx));
      ins.push_back(std::move(rx));
    }
    g->add("src", source, std::move(outs.front()), kChainElements);
    for (std::size_t i = 1; i + 1 < n; ++i)
      g->add(indexed("stage", i), stage, std::move(ins[i - 1]), std::move(outs[i]));
    g->add("sink", sink, std::move(ins.back()), std::ref(sum));
    state.ResumeTiming();
    dfsim::RunResult r = dfsim::run(*g);
    state.PauseTiming();
    if (r.status != dfsim::RunStatus::completed) state.SkipWithError("did not complete");
    g.reset();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  const double hops = static_cast<double>(kChainElements * (n - 1));
  state.counters["elements"] = hops;
  state.counters["s_per_elem"] = benchmark::Counter(
      hops * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Two sources, the Map unit, a sink: four contexts, three elements moved per result.
void BM_Engine_Map(benchmark::State& state) {
  const auto capacity = static_cast<std::uint64_t>(state.range(0));
  std::uint64_t sum = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = std::make_unique<dfsim::Program>();
    auto [a_out, a_in] = g->channel<T>("a", {.capacity = capacity});
    auto [b_out, b_in] = g->channel<T>("b", {.capacity = capacity});
    auto [s_out, s_in] = g->channel<T>("sum", {.capacity = capacity});
    g->add("a", source, std::move(a_out), kElements);
    g->add("b", source, std::move(b_out), kElements);
    g->add("map", add_map, std::move(a_in), std::move(b_in), std::move(s_out), Cycle{4}, Cycle{1});
    g->add("sink", sink, std::move(s_in), std::ref(sum));
    state.ResumeTiming();
    dfsim::RunResult r = dfsim::run(*g);
    state.PauseTiming();
    if (r.status != dfsim::RunStatus::completed) state.SkipWithError("did not complete");
    g.reset();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  state.counters["results"] = static_cast<double>(kElements);
  state.counters["s_per_result"] = benchmark::Counter(
      static_cast<double>(kElements) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Program::add of 10,000 sinks, each on a channel made beforehand (channels are not
// counted). Engine contexts are not started before a run, and their frames are allocated
// whole when added, so the memory here is what a running context holds: frame, node,
// name and bookkeeping.
void BM_Engine_Create(benchmark::State& state) {
  std::uint64_t sum = 0;
  CreationTimes times;
  bool measured = false;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = std::make_unique<dfsim::Program>();
    std::vector<Receiver<T>> ins;
    std::vector<Sender<T>> outs;
    ins.reserve(kContexts);
    outs.reserve(kContexts);
    for (std::size_t i = 0; i < kContexts; ++i) {
      auto [tx, rx] = g->channel<T>(indexed("x", i), {.capacity = 1});
      outs.push_back(std::move(tx));
      ins.push_back(std::move(rx));
    }
    const bool cold = !measured;
    std::optional<MemoryProbe> probe;  // timing is paused here
    if (cold) probe.emplace();
    state.ResumeTiming();
    const double t0 = thread_cpu_ns();
    for (std::size_t i = 0; i < kContexts; ++i)
      g->add(indexed("sink", i), sink, std::move(ins[i]), std::ref(sum));
    times.add(cold, thread_cpu_ns() - t0, 0);
    state.PauseTiming();
    if (probe) {
      probe->report(state, kContexts);
      measured = true;
    }
    g.reset();
    state.ResumeTiming();
  }
  times.report(state, kContexts, /*lifecycle=*/false);
  state.counters["node_B"] = sizeof(dfsim::detail::ContextNode);
}

BENCHMARK(BM_Engine_PingPong)->Name("engine/sequential")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Engine_Chain)->Name("engine/sequential/chain")->ArgName("N")
    ->Arg(kChainContexts)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Engine_Map)->Name("engine/map_unit")->ArgName("C")->Arg(1)->Arg(8)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Engine_Create)->Name("engine/create_10k")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace switching::engine
