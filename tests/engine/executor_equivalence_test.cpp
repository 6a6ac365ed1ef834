// docs/semantics.md, "Determinism": values, cycle counts and statistics depend only on the graph,
// never on the executor, the number of threads or wall-clock scheduling. Each graph here
// runs sequentially and then under the parallel executor in several placements (and
// repeatedly, to give races a chance); every field of the result, and every value the
// sinks saw with its cycle, must be equal.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "race_repeats.hpp"

namespace dfsim::test {
namespace {

// What the sinks of a graph saw: per sink, (value, clock) pairs.
using Trace = std::vector<std::vector<std::pair<long, Cycle>>>;

struct GraphCase {
  std::string name;
  // Builds the graph into `g`; sinks append to `trace` (sized by the builder).
  std::function<void(Program& g, Trace& trace)> build;
};

void PrintTo(const GraphCase& c, std::ostream* os) { *os << c.name; }

void expect_same(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.elapsed_cycles, b.elapsed_cycles);
  ASSERT_EQ(a.contexts.size(), b.contexts.size());
  for (std::size_t i = 0; i < a.contexts.size(); ++i) {
    const ContextStats &x = a.contexts[i], &y = b.contexts[i];
    SCOPED_TRACE("context " + x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.final_clock, y.final_clock);
    EXPECT_EQ(x.starved_cycles, y.starved_cycles);
    EXPECT_EQ(x.backpressured_cycles, y.backpressured_cycles);
    EXPECT_EQ(x.finished, y.finished);
  }
  ASSERT_EQ(a.channels.size(), b.channels.size());
  for (std::size_t i = 0; i < a.channels.size(); ++i) {
    const ChannelStats &x = a.channels[i], &y = b.channels[i];
    SCOPED_TRACE("channel " + x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.capacity, y.capacity);
    EXPECT_EQ(x.latency, y.latency);
    EXPECT_EQ(x.response_latency, y.response_latency);
    EXPECT_EQ(x.elements, y.elements);
    EXPECT_EQ(x.peak_occupancy, y.peak_occupancy);
    EXPECT_EQ(x.sender, y.sender);
    EXPECT_EQ(x.receiver, y.receiver);
  }
  ASSERT_EQ(a.deadlock.has_value(), b.deadlock.has_value());
  if (a.deadlock) {
    ASSERT_EQ(a.deadlock->blocked.size(), b.deadlock->blocked.size());
    for (std::size_t i = 0; i < a.deadlock->blocked.size(); ++i) {
      const BlockedContext &x = a.deadlock->blocked[i], &y = b.deadlock->blocked[i];
      EXPECT_EQ(x.context, y.context);
      EXPECT_EQ(x.clock, y.clock);
      EXPECT_EQ(x.operation, y.operation);
      EXPECT_EQ(x.channel, y.channel);
      EXPECT_EQ(x.channel_state, y.channel_state);
      EXPECT_EQ(x.other_end, y.other_end);
      EXPECT_EQ(x.other_end_finished, y.other_end_finished);
    }
  }
  ASSERT_EQ(a.failure.has_value(), b.failure.has_value());
  if (a.failure) {
    EXPECT_EQ(a.failure->context, b.failure->context);
    EXPECT_EQ(a.failure->clock, b.failure->clock);
    EXPECT_EQ(a.failure->message, b.failure->message);
  }
}

// ---- graphs ----

auto record_into(std::vector<std::pair<long, Cycle>>& out) {
  return [&out](Context& ctx, Receiver<long> in) -> Process {
    while (auto v = co_await in.pop()) out.emplace_back(*v, ctx.now());
  };
}

// A pipeline like workloads::build_pipeline, under a scope, with a recording sink.
void scoped_pipeline(Program& g, const std::string& prefix, std::uint64_t elements,
                     unsigned stages, ChannelOptions ch, Cycle depth,
                     std::vector<std::pair<long, Cycle>>& sink) {
  Scope s = g.scope(prefix);
  auto [src_out, next_in] = s.channel<long>("c0", ch);
  s.add("source", units::index_source(elements, [](std::uint64_t i) { return static_cast<long>(i); }),
        std::move(src_out));
  for (unsigned k = 0; k < stages; ++k) {
    auto [out, in] = s.channel<long>("c" + std::to_string(k + 1), ch);
    s.add("stage" + std::to_string(k),
          [depth](Context& ctx, Receiver<long> i, Sender<long> o) -> Process {
            while (auto v = co_await i.pop()) {
              co_await o.push(*v + 1, PipelineDepth{depth});
              ctx.advance(1);
            }
          },
          std::move(next_in), std::move(out));
    next_in = std::move(in);
  }
  s.add("sink", record_into(sink), std::move(next_in));
}

ChannelOptions random_channel(std::mt19937& rng) {
  std::uint64_t c = rng() % 5;  // 0: unbounded, else 1..4
  return {.capacity = c == 0 ? unbounded : std::optional<std::uint64_t>(c),
          .latency = 1 + rng() % 3,
          .response_latency = 1 + rng() % 3};
}

// Sources with random gaps and stamps; a select-merge; a broadcast into a diamond (one path
// with a deep relay, one direct) joined again; a peeking relay; a final select-merge.
void random_network(Program& g, Trace& trace, unsigned seed) {
  std::mt19937 rng(seed);
  trace.resize(1);
  constexpr int N = 120;
  auto source = [&rng](int id) {
    std::vector<std::pair<Cycle, int>> plan;  // (gap, kind)
    for (int k = 0; k < N; ++k) plan.emplace_back(rng() % 4, static_cast<int>(rng() % 3));
    return [plan, id](Context& ctx, Sender<long> out) -> Process {
      long v = id * 1000;
      for (auto [gap, kind] : plan) {
        ctx.advance(gap);
        if (kind == 0) co_await out.push(v++);
        else if (kind == 1) co_await out.push(v++, PipelineDepth{4});
        else co_await out.push_at(v++, ctx.now() + 2);
      }
    };
  };
  auto merge = [](Context& ctx, Receiver<long> a, Receiver<long> b, Sender<long> out) -> Process {
    while (auto i = co_await select(a, b)) {
      auto v = *i == 0 ? co_await a.pop() : co_await b.pop();
      co_await out.push(*v * 2 + static_cast<long>(*i));
      ctx.advance(1);
    }
  };
  auto [s0_tx, s0_rx] = g.channel<long>("s0", random_channel(rng));
  auto [s1_tx, s1_rx] = g.channel<long>("s1", random_channel(rng));
  auto [s2_tx, s2_rx] = g.channel<long>("s2", random_channel(rng));
  auto [m_tx, m_rx] = g.channel<long>("m01", random_channel(rng));
  auto [p_tx, p_rx] = g.channel<long>("p", random_channel(rng));
  auto [q_tx, q_rx] = g.channel<long>("q", random_channel(rng));
  auto [p2_tx, p2_rx] = g.channel<long>("p2", random_channel(rng));
  auto [p3_tx, p3_rx] = g.channel<long>("p3", random_channel(rng));
  auto [j_tx, j_rx] = g.channel<long>("j", random_channel(rng));
  auto [f_tx, f_rx] = g.channel<long>("final", random_channel(rng));
  g.add("src0", source(0), std::move(s0_tx));
  g.add("src1", source(1), std::move(s1_tx));
  g.add("src2", source(2), std::move(s2_tx));
  g.add("merge01", merge, std::move(s0_rx), std::move(s1_rx), std::move(m_tx));
  std::vector<Sender<long>> fan;
  fan.push_back(std::move(p_tx));
  fan.push_back(std::move(q_tx));
  g.add("bcast", units::broadcast<long>(), std::move(s2_rx), std::move(fan));
  Cycle deep = 2 + rng() % 5;
  g.add("deep", [deep](Context& ctx, Receiver<long> in, Sender<long> out) -> Process {
    while (auto v = co_await in.pop()) {
      co_await out.push(*v + 7, PipelineDepth{deep});
      ctx.advance(1);
    }
  }, std::move(p_rx), std::move(p2_tx));
  Cycle look = rng() % 3;
  g.add("peeker", [look](Context& ctx, Receiver<long> in, Sender<long> out) -> Process {
    while (const long* v = co_await in.peek()) {
      long x = *v;
      ctx.advance(look);
      co_await in.pop();
      co_await out.push(x);
    }
  }, std::move(p2_rx), std::move(p3_tx));
  g.add("join", [](Context& ctx, Receiver<long> a, Receiver<long> b, Sender<long> out) -> Process {
    while (true) {
      auto x = co_await a.pop();
      auto y = co_await b.pop();
      if (!x || !y) break;
      co_await out.push(*x + *y);
      ctx.advance(1);
    }
  }, std::move(p3_rx), std::move(q_rx), std::move(j_tx));
  g.add("merge_final", merge, std::move(m_rx), std::move(j_rx), std::move(f_tx));
  g.add("sink", record_into(trace[0]), std::move(f_rx));
}

std::vector<GraphCase> graph_cases() {
  std::vector<GraphCase> cases;
  cases.push_back({"pipeline", [](Program& g, Trace& t) {
    t.resize(1);
    scoped_pipeline(g, "p", 500, 8, {.capacity = 2}, 1, t[0]);
  }});
  // Four components: automatic placement puts them on different threads.
  cases.push_back({"four_pipelines", [](Program& g, Trace& t) {
    t.resize(4);
    scoped_pipeline(g, "p0", 300, 3, {.capacity = 2}, 1, t[0]);
    scoped_pipeline(g, "p1", 200, 5, {.capacity = 3, .latency = 2}, 3, t[1]);
    scoped_pipeline(g, "p2", 250, 2, {.capacity = unbounded}, 1, t[2]);
    scoped_pipeline(g, "p3", 100, 4, {.capacity = 1, .response_latency = 2}, 2, t[3]);
  }});
  // 82 contexts in one component: automatic placement cuts it.
  cases.push_back({"long_pipeline", [](Program& g, Trace& t) {
    t.resize(1);
    scoped_pipeline(g, "long", 150, 80, {.capacity = 2}, 1, t[0]);
  }});
  for (unsigned seed : {1u, 2u, 3u, 4u})
    cases.push_back({"random_network_" + std::to_string(seed),
                     [seed](Program& g, Trace& t) { random_network(g, t, seed); }});
  // A deadlock, next to a component that completes.
  cases.push_back({"deadlock", [](Program& g, Trace& t) {
    t.resize(1);
    scoped_pipeline(g, "ok", 100, 3, {.capacity = 2}, 1, t[0]);
    auto [a_tx, a_rx] = g.channel<long>("a", {.capacity = 8});
    auto [b_tx, b_rx] = g.channel<long>("b", {.capacity = 2});
    g.add("producer", [](Context& ctx, Sender<long> a, Sender<long> b) -> Process {
      for (long i = 0; i < 6; ++i) {
        co_await a.push(i);
        co_await b.push(i);
        ctx.advance(1);
      }
    }, std::move(a_tx), std::move(b_tx));
    g.add("consumer", [](Context&, Receiver<long> a, Receiver<long> b) -> Process {
      for (int i = 0; i < 6; ++i) co_await a.pop();
      for (int i = 0; i < 6; ++i) co_await b.pop();
    }, std::move(a_rx), std::move(b_rx));
  }});
  // A failure in one component.
  cases.push_back({"failure", [](Program& g, Trace& t) {
    t.resize(1);
    auto [tx, rx] = g.channel<long>("x", {.capacity = 2});
    g.add("src", units::index_source(300, [](std::uint64_t i) { return static_cast<long>(i); }),
          std::move(tx));
    g.add("check", units::check_equal(std::vector<long>{0, 1, 2, 3, 4, 5, 6, 7, 8, 99}), std::move(rx));
  }});
  return cases;
}

class Equivalence : public ::testing::TestWithParam<GraphCase> {};

TEST_P(Equivalence, EveryExecutorGivesTheSequentialResult) {
  Program reference_graph;
  Trace reference_trace;
  GetParam().build(reference_graph, reference_trace);
  RunResult reference = run(reference_graph, {.threads = 1});

  std::vector<Executor> executors = every_executor();
  executors.push_back({"threads4_round_robin", {.threads = 4, .placement = Placement::round_robin}});
  executors.push_back({"threads0_automatic", {.threads = 0}});
  for (const Executor& e : executors) {
    for (int repeat = 0; repeat < race_repeats(3); ++repeat) {
      SCOPED_TRACE(e.name + ", repeat " + std::to_string(repeat));
      Program g;
      Trace trace;
      GetParam().build(g, trace);
      RunResult r = run(g, e.options);
      if (reference.status == RunStatus::failed) {
        // A failure ends the run where the failing context stands; how far the others got
        // by then is not part of the contract (docs/semantics.md does not say), so only the
        // failure itself is compared.
        EXPECT_EQ(r.status, RunStatus::failed);
        ASSERT_TRUE(r.failure.has_value());
        EXPECT_EQ(r.failure->context, reference.failure->context);
        EXPECT_EQ(r.failure->clock, reference.failure->clock);
        EXPECT_EQ(r.failure->message, reference.failure->message);
      } else {
        expect_same(reference, r);
        EXPECT_EQ(reference_trace, trace);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, Equivalence, ::testing::ValuesIn(graph_cases()),
                         [](const ::testing::TestParamInfo<GraphCase>& info) {
                           return info.param.name;
                         });

// ---- contention: the same small graphs many times with every channel across threads ----

// Two senders with different rhythms into a select-merge, C = 1:
//   a writes 2k at 3k (visible 3k + 1), b writes 2m + 1 at 2m (visible 2m + 1).
// The merge takes elements in time order, so it pops each at its visible time and frees it
// one cycle later, before its sender's next write (a: 3k - 1 <= 3k, b: 2m <= 2m): nobody is
// back-pressured, and the merge order is the merge by visible time, ties to a (input 0).
TEST(Contention, SelectMergeAcrossThreads) {
  constexpr int n = 600;
  std::vector<std::pair<int, Cycle>> expected;  // (value, clock after select)
  for (int k = 0, m = 0; k < n || m < n;) {
    Cycle ta = 3 * static_cast<Cycle>(k) + 1, tb = 2 * static_cast<Cycle>(m) + 1;
    if (m == n || (k < n && ta <= tb)) expected.emplace_back(2 * k++, ta);
    else expected.emplace_back(2 * m++ + 1, tb);
  }
  auto once = [&](const RunOptions& options) {
    Program g;
    auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 1});
    auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 1});
    std::vector<std::pair<int, Cycle>> got;
    g.add("merge", [&got](Context& ctx, Receiver<int> a, Receiver<int> b) -> Process {
      while (auto i = co_await select(a, b)) {
        auto v = *i == 0 ? co_await a.pop() : co_await b.pop();
        got.emplace_back(*v, ctx.now());
      }
    }, std::move(a_rx), std::move(b_rx));
    g.add("a_src", [](Context& ctx, Sender<int> out) -> Process {
      for (int k = 0; k < n; ++k) {
        co_await out.push(2 * k);
        ctx.advance(3);
      }
    }, std::move(a_tx));
    g.add("b_src", [](Context& ctx, Sender<int> out) -> Process {
      for (int m = 0; m < n; ++m) {
        co_await out.push(2 * m + 1);
        ctx.advance(2);
      }
    }, std::move(b_tx));
    RunResult r = run(g, options);
    EXPECT_TRUE(r.ok()) << r.describe_problem();
    EXPECT_EQ(r.context("a_src").backpressured_cycles, 0u);
    EXPECT_EQ(r.context("b_src").backpressured_cycles, 0u);
    return got;
  };
  ASSERT_EQ(once({.threads = 1}), expected);
  for (unsigned threads : {2u, 3u})
    for (int repeat = 0; repeat < race_repeats(8); ++repeat) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", repeat " + std::to_string(repeat));
      auto got = once({.threads = threads, .placement = Placement::round_robin});
      ASSERT_EQ(got.size(), expected.size());
      for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(got[i], expected[i]) << "merge position " << i;
    }
}

// source -> broadcast -> two sinks, every channel C = 1 and across threads.
//   src writes e_k at w_k; bcast pops it at r_k = max(c_{k-1} + 1, w_k + 1), gets credit at
//   c_k = max(r_k, c_{k-1} + 2) (the sinks pop at c + 1, free at c + 2), writes, advances 1.
//   k = 0: w 0, r 1, c 1.  k = 1: w = max(1, f_in = 2) = 2, r = max(2, 3) = 3, c = max(3, 3) = 3.
//   So c_k = 2k + 1 and w_k = 2k: the sinks pop e_k at 2k + 2, the last at 2n.
TEST(Contention, BroadcastAcrossThreads) {
  constexpr int n = 2000;
  for (unsigned threads : {1u, 2u, 3u})
    for (int repeat = 0; repeat < (threads == 1 ? 1 : race_repeats(5)); ++repeat) {
      SCOPED_TRACE("threads " + std::to_string(threads) + ", repeat " + std::to_string(repeat));
      Program g;
      auto [in_tx, in_rx] = g.channel<long>("in", {.capacity = 1});
      std::vector<Sender<long>> outs;
      std::vector<Receiver<long>> ins;
      for (int i = 0; i < 2; ++i) {
        auto [tx, rx] = g.channel<long>("out" + std::to_string(i), {.capacity = 1});
        outs.push_back(std::move(tx));
        ins.push_back(std::move(rx));
      }
      g.add("src", units::index_source(n, [](std::uint64_t i) { return static_cast<long>(i); }),
            std::move(in_tx));
      g.add("bcast", units::broadcast<long>(), std::move(in_rx), std::move(outs));
      std::uint64_t count0 = 0, count1 = 0;
      g.add("sink0", units::discard<long>(&count0), std::move(ins[0]));
      g.add("sink1", units::discard<long>(&count1), std::move(ins[1]));
      RunResult r = run(g, {.threads = threads, .placement = Placement::round_robin});
      ASSERT_TRUE(r.ok()) << r.describe_problem();
      EXPECT_EQ(count0, static_cast<std::uint64_t>(n));
      EXPECT_EQ(count1, static_cast<std::uint64_t>(n));
      EXPECT_EQ(r.elapsed_cycles, 2u * n);
      EXPECT_EQ(r.context("src").final_clock, 2u * n - 1);  // w_{n-1} + 1
    }
}

// Hand-derived facts about the reference runs, so that "equal" is not "equally wrong".
TEST(EquivalenceReference, ThePipelinesTakeTPlusKCycles) {
  Program g;
  Trace t;
  graph_cases()[1].build(g, t);  // four_pipelines
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.context("p0.sink").final_clock, 300u + 3u);  // T + K (throughput_test.cpp)
  // p2: unbounded, depth 1: T + K as well.
  EXPECT_EQ(r.context("p2.sink").final_clock, 250u + 2u);
  ASSERT_EQ(t[0].size(), 300u);
  EXPECT_EQ(t[0][0], (std::pair<long, Cycle>{3, 4}));  // value 0 + K, at 0 + K + 1
}

}  // namespace
}  // namespace dfsim::test
