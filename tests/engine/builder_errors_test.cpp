// Describe, then run: a graph that cannot run is rejected as a whole, before any context
// runs, with a GraphError listing every problem by the name of its channel or context
// (style.md, "Errors go through one place"; docs/semantics.md, "Channels": C >= 1, L >= 1, R >= 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"

namespace dfsim::test {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// Runs `g` and returns the problems of the GraphError it must throw.
std::vector<std::string> rejected(Program& g, const RunOptions& options = {}) {
  try {
    run(g, options);
  } catch (const GraphError& e) {
    // what() lists them all too.
    for (const auto& p : e.problems()) EXPECT_THAT(std::string(e.what()), HasSubstr(p));
    return e.problems();
  }
  ADD_FAILURE() << "run() accepted a graph with problems";
  return {};
}

auto pass_through() {
  return [](Context&, Receiver<int> in, Sender<int> out) -> Process {
    while (auto v = co_await in.pop()) co_await out.push(*v);
  };
}

TEST(BuilderErrors, CapacityZero) {
  Program g;
  bool ran = false;
  auto [tx, rx] = g.channel<int>("narrow", {.capacity = 0});
  g.add("src", [&ran](Context&, Sender<int> out) -> Process {
    ran = true;
    co_await out.push(1);
  }, std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("'narrow'"), HasSubstr("capacity 0")));
  EXPECT_FALSE(ran);  // nothing ran
}

// A bounded channel reserves its ring when it is described; a capacity no ring can hold is a
// problem of the graph (pointing at unbounded), not an out-of-memory crash.
TEST(BuilderErrors, CapacityTooLargeForARing) {
  Program g;
  auto [tx, rx] = g.channel<int>("huge", {.capacity = std::uint64_t{1} << 40});
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("'huge'"), HasSubstr("capacity 1099511627776"),
                                 HasSubstr("unbounded")));
}

TEST(BuilderErrors, LatencyZero) {
  Program g;
  auto [tx, rx] = g.channel<int>("instant", {.latency = 0});
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("'instant'"), HasSubstr("latency 0")));
}

TEST(BuilderErrors, ResponseLatencyZero) {
  Program g;
  auto [tx, rx] = g.channel<int>("eager", {.response_latency = 0});
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("'eager'"), HasSubstr("response latency 0")));
}

TEST(BuilderErrors, DuplicateChannelName) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("dup");
  auto [b_tx, b_rx] = g.channel<int>("dup");
  g.add("src", [](Context&, Sender<int> a, Sender<int> b) -> Process {
    co_await a.push(1);
    co_await b.push(1);
  }, std::move(a_tx), std::move(b_tx));
  g.add("dst_a", units::discard<int>(), std::move(a_rx));
  g.add("dst_b", units::discard<int>(), std::move(b_rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("two channels"), HasSubstr("'dup'")));
}

TEST(BuilderErrors, DuplicateContextName) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("twin", units::memory_source(std::vector{1}), std::move(tx));
  g.add("twin", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], AllOf(HasSubstr("two contexts"), HasSubstr("'twin'")));
}

TEST(BuilderErrors, ChannelWithoutSender) {
  Program g;
  auto [tx, rx] = g.channel<int>("orphan_in");
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  // Names the channel, and the context at the end that is there.
  EXPECT_THAT(problems[0],
              AllOf(HasSubstr("'orphan_in'"), HasSubstr("no sender"), HasSubstr("'dst'")));
}

TEST(BuilderErrors, ChannelWithoutReceiver) {
  Program g;
  auto [tx, rx] = g.channel<int>("orphan_out");
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0],
              AllOf(HasSubstr("'orphan_out'"), HasSubstr("no receiver"), HasSubstr("'src'")));
}

TEST(BuilderErrors, MovedFromEndHandedToAContext) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  auto [y_tx, y_rx] = g.channel<int>("y");
  g.add("first", pass_through(), std::move(rx), std::move(y_tx));
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  // rx was moved into "first" already: handing it to a second context is a problem.
  g.add("second", pass_through(), std::move(rx), std::move(y_tx));
  g.add("dst", units::discard<int>(), std::move(y_rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(2));  // the empty receiver and the empty sender of "second"
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("'second'"), HasSubstr("empty receiver"))));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("'second'"), HasSubstr("empty sender"))));
}

TEST(BuilderErrors, EmptyNames) {
  Program g;
  auto [tx, rx] = g.channel<int>("");
  g.add("", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(2));
  EXPECT_THAT(problems, Contains(HasSubstr("a channel has an empty name")));
  EXPECT_THAT(problems, Contains(HasSubstr("a context has an empty name")));
}

// Every problem at once, not the first one only.
TEST(BuilderErrors, ListsEveryProblemAtOnce) {
  Program g;
  auto [a_tx, a_rx] = g.channel<int>("zero_cap", {.capacity = 0});
  auto [b_tx, b_rx] = g.channel<int>("zero_lat", {.latency = 0, .response_latency = 0});
  auto [c_tx, c_rx] = g.channel<int>("zero_cap");
  auto [d_tx, d_rx] = g.channel<int>("dangling");
  g.add("src", [](Context&, Sender<int> a, Sender<int> b, Sender<int> c) -> Process {
    co_await a.push(1);
    co_await b.push(1);
    co_await c.push(1);
  }, std::move(a_tx), std::move(b_tx), std::move(c_tx));
  g.add("dst", [](Context&, Receiver<int> a, Receiver<int> b, Receiver<int> c) -> Process {
    co_await a.pop();
    co_await b.pop();
    co_await c.pop();
  }, std::move(a_rx), std::move(b_rx), std::move(c_rx));
  g.add("dst", units::discard<int>(), std::move(d_rx));
  EXPECT_THAT(g.problems(), SizeIs(6));  // also available without running
  auto problems = rejected(g);
  ASSERT_THAT(problems, SizeIs(6));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("'zero_cap'"), HasSubstr("capacity 0"))));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("'zero_lat'"), HasSubstr("has latency 0"))));
  EXPECT_THAT(problems,
              Contains(AllOf(HasSubstr("'zero_lat'"), HasSubstr("response latency 0"))));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("two channels"), HasSubstr("'zero_cap'"))));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("two contexts"), HasSubstr("'dst'"))));
  EXPECT_THAT(problems, Contains(AllOf(HasSubstr("'dangling'"), HasSubstr("no sender"))));
}

TEST(BuilderErrors, ValidateThrowsWithoutRunning) {
  Program g;
  auto [tx, rx] = g.channel<int>("x", {.capacity = 0});
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  EXPECT_THROW(g.validate(), GraphError);
  Program ok;
  auto [ok_tx, ok_rx] = ok.channel<int>("x");
  ok.add("src", units::memory_source(std::vector{1}), std::move(ok_tx));
  ok.add("dst", units::discard<int>(), std::move(ok_rx));
  EXPECT_TRUE(ok.problems().empty());
  EXPECT_NO_THROW(ok.validate());
}

class RunTwice : public EveryExecutor {};

TEST_P(RunTwice, AProgramRunsOnce) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", units::memory_source(std::vector{1, 2}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  auto problems = rejected(g, GetParam().options);
  ASSERT_THAT(problems, SizeIs(1));
  EXPECT_THAT(problems[0], HasSubstr("already run"));
}

DFSIM_ON_EVERY_EXECUTOR(RunTwice);

}  // namespace
}  // namespace dfsim::test
