// Channels carry any movable type: values survive the bounded ring's reuse of slots and the
// unbounded channel's chunks, and a move-only type goes through without copies.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"

namespace dfsim::test {
namespace {

class ElementTypes : public EveryExecutor {};

TEST_P(ElementTypes, StringsThroughBoundedAndUnboundedChannels) {
  for (std::optional<std::uint64_t> C :
       {std::optional<std::uint64_t>(3), std::optional<std::uint64_t>()}) {
    Program g;
    auto [tx, rx] = g.channel<std::string>("x", {.capacity = C});
    std::vector<std::string> sent;
    for (int i = 0; i < 600; ++i) sent.push_back("element " + std::to_string(i) + std::string(i % 40, '*'));
    std::vector<std::string> got;
    g.add("src", units::memory_source(sent), std::move(tx));
    g.add("dst", units::collect(got), std::move(rx));
    RunResult r = run(g);
    ASSERT_TRUE(r.ok()) << r.describe_problem();
    EXPECT_EQ(got, sent);
  }
}

TEST_P(ElementTypes, MoveOnlyValues) {
  Program g;
  auto [tx, rx] = g.channel<std::unique_ptr<int>>("x", {.capacity = 2});
  g.add("src", [](Context&, Sender<std::unique_ptr<int>> out) -> Process {
    for (int i = 0; i < 300; ++i) co_await out.push(std::make_unique<int>(i));
  }, std::move(tx));
  std::vector<int> got;
  g.add("dst", [&got](Context&, Receiver<std::unique_ptr<int>> in) -> Process {
    while (const std::unique_ptr<int>* p = co_await in.peek()) {
      int seen = **p;
      auto v = co_await in.pop();
      EXPECT_EQ(**v, seen);
      got.push_back(**v);
    }
  }, std::move(rx));
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  ASSERT_EQ(got.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i);
}

DFSIM_ON_EVERY_EXECUTOR(ElementTypes);

}  // namespace
}  // namespace dfsim::test
