// run_result_json.hpp: the machine-readable statistics of a run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/engine/run_result_json.hpp"
#include "dfsim/workloads/pipeline.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"

namespace dfsim::test {
namespace {

using nlohmann::json;

class Json : public EveryExecutor {};

const json& by_name(const json& array, const std::string& name) {
  for (const auto& e : array)
    if (e.at("name") == name) return e;
  throw std::out_of_range("no entry named " + name);
}

TEST_P(Json, CompletedRun) {
  Program g;
  // T = 50 through K = 3 stages, C = 2: T + K = 53 cycles, peak 2 everywhere.
  workloads::build_pipeline(g, {.elements = 50, .stages = 3, .capacity = 2});
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  json j = to_json(r);
  EXPECT_EQ(j.at("status"), "completed");
  EXPECT_EQ(j.at("cycles"), 53);
  ASSERT_TRUE(j.at("wall_seconds").is_number());
  EXPECT_GE(j.at("wall_seconds").get<double>(), 0.0);
  EXPECT_EQ(j.at("transfers"), 4 * 50);  // 4 channels x 50 elements
  ASSERT_TRUE(j.at("channels").is_array());
  ASSERT_EQ(j.at("channels").size(), 4u);
  for (const auto& ch : j.at("channels")) {
    EXPECT_EQ(ch.at("capacity"), 2);
    EXPECT_EQ(ch.at("elements"), 50);
    EXPECT_EQ(ch.at("peak_occupancy"), 2);
    EXPECT_EQ(ch.at("latency"), 1);
    EXPECT_EQ(ch.at("response_latency"), 1);
  }
  EXPECT_EQ(by_name(j.at("channels"), "c0").at("sender"), "source");
  EXPECT_EQ(by_name(j.at("channels"), "c0").at("receiver"), "stage0");
  const json& sink = by_name(j.at("contexts"), "sink");
  EXPECT_EQ(sink.at("final_clock"), 53);
  EXPECT_EQ(sink.at("finished"), true);
  EXPECT_TRUE(sink.at("starved_cycles").is_number());
  EXPECT_TRUE(sink.at("backpressured_cycles").is_number());
  EXPECT_FALSE(j.contains("deadlock"));
  EXPECT_FALSE(j.contains("failure"));
}

TEST_P(Json, UnboundedCapacity) {
  Program g;
  workloads::build_pipeline(g, {.elements = 10, .stages = 1, .capacity = unbounded});
  json j = to_json(run(g));
  for (const auto& ch : j.at("channels")) EXPECT_EQ(ch.at("capacity"), "unbounded");
}

TEST_P(Json, DeadlockEntries) {
  Program g;
  auto [x_tx, x_rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y", {.capacity = 1});
  g.add("A", [](Context& ctx, Receiver<int> x, Sender<int> y) -> Process {
    ctx.advance(5);
    co_await y.push(1);
    co_await y.push(2);  // y is full and B never reads it
    co_await x.pop();
  }, std::move(x_rx), std::move(y_tx));
  g.add("B", [](Context& ctx, Receiver<int>, Sender<int> x) -> Process {
    ctx.advance(9);
    co_await x.credit();
    co_await x.credit();  // idempotent: still fine
    co_await x.push(1);
    co_await x.push(2);
    co_await x.push(3);  // x (C = 2) is full and A never reads it
  }, std::move(y_rx), std::move(x_tx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::deadlock);
  json j = to_json(r);
  EXPECT_EQ(j.at("status"), "deadlock");
  EXPECT_EQ(j.at("cycles"), 9);
  ASSERT_TRUE(j.at("deadlock").is_array());
  ASSERT_EQ(j.at("deadlock").size(), 2u);
  const json& a = j.at("deadlock").at(0);
  EXPECT_EQ(a.at("context"), "A");
  EXPECT_EQ(a.at("clock"), 5);
  EXPECT_EQ(a.at("operation"), "enqueue");
  EXPECT_EQ(a.at("channel"), "y");
  EXPECT_THAT(a.at("channel_state").get<std::string>(), ::testing::StartsWith("full"));
  EXPECT_EQ(a.at("other_end"), "B");
  EXPECT_EQ(a.at("other_end_finished"), false);
  const json& b = j.at("deadlock").at(1);
  EXPECT_EQ(b.at("context"), "B");
  EXPECT_EQ(b.at("clock"), 9);
  EXPECT_EQ(b.at("operation"), "enqueue");
  EXPECT_EQ(b.at("channel"), "x");
  EXPECT_EQ(b.at("other_end"), "A");
}

TEST_P(Json, FailureEntry) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", units::memory_source(std::vector{1, 2}), std::move(tx));
  g.add("check", units::check_equal(std::vector{1, 3}), std::move(rx));
  json j = to_json(run(g));
  EXPECT_EQ(j.at("status"), "failed");
  EXPECT_EQ(j.at("failure").at("context"), "check");
  EXPECT_EQ(j.at("failure").at("clock"), 2);  // element 1 written at 1, popped at 2
  EXPECT_EQ(j.at("failure").at("message"), "element 1: expected 3, got 2");
}

DFSIM_ON_EVERY_EXECUTOR(Json);

}  // namespace
}  // namespace dfsim::test
