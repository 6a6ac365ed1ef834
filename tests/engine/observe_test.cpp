// Seeing inside a run: the waits every run counts per channel, the stall summary's bound
// (stall_summary.hpp), the Chrome trace (trace.hpp) checked against the format's rules
// (trace_validator.hpp), its filters, window and limit, and DOT.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/engine/dot.hpp"
#include "dfsim/engine/run_result_json.hpp"
#include "dfsim/engine/stall_summary.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "executors.hpp"
#include "files.hpp"
#include "probes.hpp"
#include "trace_validator.hpp"

namespace dfsim::test {
namespace {

using ::testing::HasSubstr;

// P writes 6 elements, one per cycle (push, advance 1), into c (C = 1, L = 1, R = 1); Z pops
// one every 3 cycles (pop, advance 3). Write k needs the free of pop k - 1:
//   k  P issues  credit from pop k-1   written  visible | Z pops at      frees  Z after
//   0     0       -                     0        1      | max(0, 1) = 1    2      4
//   1     1       2 (bp 1)              2        3      | max(4, 3) = 4    5      7
//   2     3       5 (bp 2)              5        6      | max(7, 6) = 7    8     10
//   3     6       8 (bp 2)              8        9      | 10              11     13
//   4     9      11 (bp 2)             11       12      | 13              14     16
//   5    12      14 (bp 2)             14       15      | 16              17     19
// P returns at 15: busy 6, back-pressured 1 + 2 x 4 = 9. Z returns at 19: starved 1 (the
// first pop), busy 18. Z was busy 18 of 19 cycles (over 90%): Z bounds the run.
void slow_consumer(Program& g) {
  auto [tx, rx] = g.channel<int>("c", {.capacity = 1});
  static thread_local std::vector<Cycle> writes, pops;
  writes.clear();
  pops.clear();
  g.add("P", record_pushes(6, writes, 1), std::move(tx));
  g.add("Z", record_pop_clocks<int>(pops, 3), std::move(rx));
}

// P and Z both at one element per cycle through C = 1 (docs/semantics.md: one element every
// 2 cycles). P writes at 0, 2, 4, 6 (waiting 1 cycle for each free after the first: bp 3)
// and returns at 7; Z pops at 1, 3, 5, 7 (starved 1 each: 4), returns at 8. Nobody is busy
// 90% of the 8 cycles; the walk from Z (last to finish): starved on c, to P, whose only wait
// is for c's credit, back to Z: a loop closed by c, full.
void credit_loop(Program& g) {
  auto [tx, rx] = g.channel<int>("c", {.capacity = 1});
  static thread_local std::vector<Cycle> writes, pops;
  writes.clear();
  pops.clear();
  g.add("P", record_pushes(4, writes, 1), std::move(tx));
  g.add("Z", record_pop_clocks<int>(pops, 1), std::move(rx));
}

class Stalls : public EveryExecutor {};

TEST_P(Stalls, WaitsPerChannelByHand) {
  Program g;
  slow_consumer(g);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.elapsed_cycles, 19u);
  const ContextStats& p = r.context("P");
  EXPECT_EQ(p.final_clock, 15u);
  EXPECT_EQ(p.backpressured_cycles, 9u);
  EXPECT_EQ(p.busy_cycles(), 6u);
  ASSERT_EQ(p.backpressured_on.size(), 1u);
  EXPECT_EQ(p.backpressured_on[0].channel, "c");
  EXPECT_EQ(p.backpressured_on[0].cycles, 9u);
  EXPECT_TRUE(p.starved_on.empty());
  const ContextStats& z = r.context("Z");
  EXPECT_EQ(z.starved_cycles, 1u);
  EXPECT_EQ(z.busy_cycles(), 18u);
  EXPECT_EQ(r.channel("c").receiver_starved_cycles, 1u);
  EXPECT_EQ(r.channel("c").sender_backpressured_cycles, 9u);
  EXPECT_EQ(find_bound(r).to_string(), "out of 19 cycles, Z was busy 18");
}

TEST_P(Stalls, ALoopOfWaitsIsBoundByTheFullFifo) {
  Program g;
  credit_loop(g);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.elapsed_cycles, 8u);
  EXPECT_EQ(r.context("P").backpressured_cycles, 3u);
  EXPECT_EQ(r.context("Z").starved_cycles, 4u);
  ThroughputBound b = find_bound(r);
  EXPECT_EQ(b.kind, ThroughputBound::Kind::full_channel);
  EXPECT_EQ(b.to_string(), "out of 8 cycles, P waited 3 on `c`, full");
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["bound"]["text"], b.to_string());
  EXPECT_EQ(j["channels"][0]["sender_backpressured_cycles"], 3);
  EXPECT_EQ(j["channels"][0]["receiver_starved_cycles"], 4);
  EXPECT_EQ(j["contexts"][1]["starved_on"]["c"], 4);
  EXPECT_EQ(j["contexts"][1]["busy_cycles"], 4);
  EXPECT_THAT(stall_table(r), HasSubstr("bound: out of 8 cycles, P waited 3 on `c`, full"));
}

DFSIM_ON_EVERY_EXECUTOR(Stalls);



void build_pipeline(Program& g, std::uint64_t elements, std::uint64_t capacity) {
  workloads::build_pipeline(g, {.elements = elements, .stages = 3, .capacity = capacity});
}

// Statistics every run keeps, compared field by field.
void expect_same(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.elapsed_cycles, b.elapsed_cycles);
  ASSERT_EQ(a.contexts.size(), b.contexts.size());
  for (std::size_t i = 0; i < a.contexts.size(); ++i) {
    EXPECT_EQ(a.contexts[i].final_clock, b.contexts[i].final_clock);
    EXPECT_EQ(a.contexts[i].starved_cycles, b.contexts[i].starved_cycles);
    EXPECT_EQ(a.contexts[i].backpressured_cycles, b.contexts[i].backpressured_cycles);
  }
  ASSERT_EQ(a.channels.size(), b.channels.size());
  for (std::size_t i = 0; i < a.channels.size(); ++i) {
    EXPECT_EQ(a.channels[i].elements, b.channels[i].elements);
    EXPECT_EQ(a.channels[i].peak_occupancy, b.channels[i].peak_occupancy);
    EXPECT_EQ(a.channels[i].receiver_starved_cycles, b.channels[i].receiver_starved_cycles);
    EXPECT_EQ(a.channels[i].sender_backpressured_cycles, b.channels[i].sender_backpressured_cycles);
  }
}

class Tracing : public EveryExecutor {};

TEST_P(Tracing, OnAndOffGiveTheSameRun) {
  Program plain, traced;
  build_pipeline(plain, 500, 2);
  build_pipeline(traced, 500, 2);
  Tracer tracer;
  RunOptions options = GetParam().options;
  options.tracer = &tracer;
  expect_same(run(plain), dfsim::run(traced, options));
}

// The slow consumer's trace: P's track is busy 6 and back-pressured 9 on c, Z's busy 18 and
// starved 1; c's occupancy never above 1; each element a begin/end pair.
TEST_P(Tracing, SlowConsumerTraceIsValidAndAddsUp) {
  Program g;
  slow_consumer(g);
  Tracer tracer;
  RunOptions options = GetParam().options;
  options.tracer = &tracer;
  RunResult r = dfsim::run(g, options);
  dfsim::test::TempDir dir;
  const std::string path = (dir / ("slow_" + GetParam().name + ".json")).string();
  TraceWriteSummary w = tracer.write_chrome_trace(path);
  EXPECT_FALSE(w.truncated());
  testing::TraceCheck check = testing::check_chrome_trace(dfsim::test::slurp(path));
  EXPECT_THAT(check.problems, ::testing::IsEmpty());
  EXPECT_EQ(check.phases["b"], 6u);
  EXPECT_EQ(check.phases["e"], 6u);
  std::map<std::string, Cycle> time;  // "tid/cat" -> cycles
  for (const auto& e : check.document["traceEvents"])
    if (e["ph"] == "X")
      time[std::to_string(e["tid"].get<int>()) + "/" + e["cat"].get<std::string>()] +=
          e["dur"].get<Cycle>();
  EXPECT_EQ(time["1/busy"], 6u);
  EXPECT_EQ(time["1/backpressured"], 9u);
  EXPECT_EQ(time["2/busy"], 18u);
  EXPECT_EQ(time["2/starved"], 1u);
  // P: busy and back-pressured in turn, 6 + 5 slices; Z: starved [0, 1), busy [1, 19).
  EXPECT_EQ(check.phases["X"], 13u);
  EXPECT_EQ(check.document["otherData"]["time_unit"], "1 us of trace time = 1 simulated cycle");
  EXPECT_EQ(w.events, check.phases["X"] + 12u + check.phases["C"]);
  (void)r;
}

// Capacity 8: elements in flight overlap, which slices on one track could not show.
TEST_P(Tracing, PipelineTraceIsValid) {
  Program g;
  build_pipeline(g, 300, 8);
  Tracer tracer;
  RunOptions options = GetParam().options;
  options.tracer = &tracer;
  RunResult r = dfsim::run(g, options);
  ASSERT_TRUE(r.ok());
  dfsim::test::TempDir dir;
  const std::string path = (dir / ("pipeline_" + GetParam().name + ".json")).string();
  tracer.write_chrome_trace(path);
  testing::TraceCheck check = testing::check_chrome_trace(dfsim::test::slurp(path));
  EXPECT_THAT(check.problems, ::testing::IsEmpty());
  EXPECT_EQ(check.phases["b"], r.transfers());
}

DFSIM_ON_EVERY_EXECUTOR(Tracing);

TEST(TraceFilters, OnlyTheNamedContextsAndChannels) {
  Program g;
  build_pipeline(g, 100, 2);
  Tracer tracer({.only = {"c1", "stage*"}});
  RunResult r = run(g, {.tracer = &tracer});
  dfsim::test::TempDir dir;
  const std::string path = (dir / "filter.json").string();
  tracer.write_chrome_trace(path);
  testing::TraceCheck check = testing::check_chrome_trace(dfsim::test::slurp(path));
  EXPECT_THAT(check.problems, ::testing::IsEmpty());
  std::set<std::string> element_tracks, threads;
  for (const auto& e : check.document["traceEvents"]) {
    if (e["ph"] == "b") element_tracks.insert(e["name"]);
    if (e["ph"] == "M" && e["name"] == "thread_name") threads.insert(e["args"]["name"]);
  }
  EXPECT_EQ(element_tracks, (std::set<std::string>{"c1"}));
  std::set<std::string> stages;
  for (const auto& c : r.contexts)
    if (c.name.rfind("stage", 0) == 0) stages.insert(c.name);
  EXPECT_FALSE(stages.empty());
  EXPECT_EQ(threads, stages);
}

TEST(TraceFilters, WindowKeepsWhatOverlapsIt) {
  Program g;
  build_pipeline(g, 200, 2);
  Tracer tracer({.from = 50, .until = 80});
  run(g, {.tracer = &tracer});
  dfsim::test::TempDir dir;
  const std::string path = (dir / "window.json").string();
  tracer.write_chrome_trace(path);
  testing::TraceCheck check = testing::check_chrome_trace(dfsim::test::slurp(path));
  EXPECT_THAT(check.problems, ::testing::IsEmpty());
  std::map<std::string, std::uint64_t> begun;
  for (const auto& e : check.document["traceEvents"]) {
    const Cycle ts = e["ts"];
    if (e["ph"] == "X") {
      EXPECT_GE(ts, 50u);
      EXPECT_LE(ts + e["dur"].get<Cycle>(), 80u);
    } else if (e["ph"] == "C") {
      EXPECT_GE(ts, 50u);
      EXPECT_LT(ts, 80u);
    } else if (e["ph"] == "b") {
      EXPECT_LT(ts, 80u);
      EXPECT_GT(e["args"]["freed"].get<Cycle>(), 50u);
    }
  }
}

TEST(TraceFilters, LimitCutsAtACycleAndSaysSo) {
  Program g;
  build_pipeline(g, 1000, 2);
  Tracer tracer({.max_events = 100});
  run(g, {.tracer = &tracer});
  dfsim::test::TempDir dir;
  const std::string path = (dir / "limit.json").string();
  TraceWriteSummary w = tracer.write_chrome_trace(path);
  ASSERT_TRUE(w.truncated());
  EXPECT_LE(w.events, 100u);
  EXPECT_GT(w.left_out, 0u);
  testing::TraceCheck check = testing::check_chrome_trace(dfsim::test::slurp(path));
  EXPECT_THAT(check.problems, ::testing::IsEmpty());
  const auto& other = check.document["otherData"];
  EXPECT_EQ(other["truncated"], true);
  EXPECT_EQ(other["complete_before_cycle"], w.complete_before);
  EXPECT_EQ(other["events_left_out"], w.left_out);
  bool said = false;
  for (const auto& e : check.document["traceEvents"]) {
    if (e["ph"] == "i") {
      said = e["name"].get<std::string>().rfind("trace cut at cycle", 0) == 0;
    } else if (e["ph"] != "M" && e["ph"] != "e") {
      EXPECT_LT(e["ts"].get<Cycle>(), w.complete_before);
    }
  }
  EXPECT_TRUE(said);
}

// The validator is a test too: it must reject what the format forbids.
TEST(TraceValidator, RejectsOverlapsUnpairedEventsAndCountersOverCapacity) {
  using testing::check_chrome_trace;
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[
    {"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":5},
    {"ph":"X","name":"b","pid":1,"tid":1,"ts":3,"dur":5}]})").problems,
              ::testing::ElementsAre(HasSubstr("overlaps 'a'")));
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[
    {"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":5},
    {"ph":"X","name":"b","pid":1,"tid":1,"ts":1,"dur":2},
    {"ph":"X","name":"c","pid":1,"tid":2,"ts":3,"dur":5}]})").problems,
              ::testing::IsEmpty());
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[
    {"ph":"b","name":"x","cat":"element","id":1,"pid":2,"tid":0,"ts":0}]})").problems,
              ::testing::ElementsAre(HasSubstr("never ended")));
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[
    {"ph":"e","name":"x","cat":"element","id":1,"pid":2,"tid":0,"ts":0}]})").problems,
              ::testing::ElementsAre(HasSubstr("without its begin")));
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[
    {"ph":"C","name":"c occupancy","pid":2,"tid":0,"ts":0,"args":{"elements":3}}],
    "otherData":{"channels":[{"name":"c","counter":"c occupancy","capacity":2}]}})").problems,
              ::testing::ElementsAre(HasSubstr("above the channel's capacity")));
  EXPECT_THAT(check_chrome_trace(R"({"traceEvents":[{"ph":"X","name":"a","pid":1,"ts":0,"dur":1}]})").problems,
              ::testing::ElementsAre(HasSubstr("\"tid\" missing")));
}

TEST(Dot, LabelsCarryCapacityLatencyPeakAndWaitsAndMarkTheBound) {
  Program g;
  credit_loop(g);
  RunResult r = run(g);
  const std::string dot = to_dot(r);
  EXPECT_THAT(dot, HasSubstr("cap 1, L 1, R 1"));
  EXPECT_THAT(dot, HasSubstr("peak 1/1"));
  EXPECT_THAT(dot, HasSubstr("full: sender waited 3"));
  EXPECT_THAT(dot, HasSubstr("empty: receiver waited 4"));
  EXPECT_THAT(dot, HasSubstr("color=red, fontcolor=red, penwidth=4"));
  EXPECT_THAT(dot, HasSubstr("bound: out of 8 cycles, P waited 3 on `c`, full"));
}

}  // namespace
}  // namespace dfsim::test
