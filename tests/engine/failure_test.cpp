// An exception in a context is caught, tagged with the context's name and cycle, and
// surfaced from run() as status failed; never rethrown, never swallowed, and the other
// contexts do not hang the run (style.md, "Errors go through one place").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"
#include "probes.hpp"

namespace dfsim::test {
namespace {

using ::testing::HasSubstr;

class Failure : public EveryExecutor {};

TEST_P(Failure, NamesTheContextItsCycleAndTheMessage) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 1});
  // Would block forever on a full channel once the thrower is gone.
  g.add("producer", units::memory_source(iota_ints(1000)), std::move(tx));
  g.add("thrower", [](Context& ctx, Receiver<int> in) -> Process {
    co_await in.pop();  // element 0, visible 1
    ctx.advance(6);     // 7
    throw std::runtime_error("boom");
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->context, "thrower");
  EXPECT_EQ(r.failure->clock, 7u);
  EXPECT_EQ(r.failure->message, "boom");
  EXPECT_FALSE(r.deadlock.has_value());
  EXPECT_THAT(r.describe_problem(), HasSubstr("'thrower' failed at cycle 7: boom"));
  EXPECT_EQ(r.context("thrower").final_clock, 7u);
}

TEST_P(Failure, ThrowBeforeTheFirstChannelOperation) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", [](Context&, Sender<int>) -> Process {
    throw std::logic_error("bad configuration");
    co_return;
  }, std::move(tx));
  std::vector<int> got;
  g.add("dst", units::collect(got), std::move(rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "src");
  EXPECT_EQ(r.failure->clock, 0u);
  EXPECT_EQ(r.failure->message, "bad configuration");
}

TEST_P(Failure, ANonStandardExceptionIsStillReported) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", [](Context& ctx, Sender<int>) -> Process {
    ctx.advance(3);
    throw 42;
    co_return;
  }, std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "src");
  EXPECT_EQ(r.failure->clock, 3u);
  EXPECT_FALSE(r.failure->message.empty());
}

// Other contexts blocked on the failed one, in both directions and further away, must not
// keep the run from ending.
TEST_P(Failure, OtherContextsDoNotHang) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("a", {.capacity = 1});
  auto [b_tx, b_rx] = g.channel<int>("b", {.capacity = 1});
  auto [c_tx, c_rx] = g.channel<int>("c", {.capacity = 1});
  auto [d_tx, d_rx] = g.channel<int>("d", {.capacity = 1});
  g.add("upstream", units::memory_source(iota_ints(500)), std::move(a_tx));
  g.add("pass", [](Context& ctx, Receiver<int> in, Sender<int> out) -> Process {
    while (auto v = co_await in.pop()) {
      co_await out.push(*v);
      ctx.advance(1);
    }
  }, std::move(a_rx), std::move(b_tx));
  g.add("thrower", [](Context&, Receiver<int> in, Sender<int> out) -> Process {
    for (int i = 0; i < 100; ++i) {
      auto v = co_await in.pop();
      co_await out.push(*v);
    }
    throw std::runtime_error("element 100 is one too many");
  }, std::move(b_rx), std::move(c_tx));
  g.add("downstream", [](Context&, Receiver<int> in, Sender<int> out) -> Process {
    while (auto v = co_await in.pop()) co_await out.push(*v);
  }, std::move(c_rx), std::move(d_tx));
  g.add("sink", units::discard<int>(), std::move(d_rx));
  RunResult r = run(g);
  ASSERT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.failure->context, "thrower");
  EXPECT_EQ(r.failure->message, "element 100 is one too many");
  EXPECT_TRUE(r.context("thrower").finished);
  EXPECT_FALSE(r.context("upstream").finished);  // 500 elements could never all get through
}

DFSIM_ON_EVERY_EXECUTOR(Failure);

}  // namespace
}  // namespace dfsim::test
