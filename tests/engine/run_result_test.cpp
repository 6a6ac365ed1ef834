// run_result.hpp: lookups by name, per-channel parameters and ends, transfers; scoped names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "executors.hpp"

namespace dfsim::test {
namespace {

using ::testing::HasSubstr;

class Result : public EveryExecutor {};

TEST_P(Result, StatisticsByName) {
  Program g;
  Scope head = g.scope("head0");
  auto [tx, rx] = head.channel<int>("qk", {.capacity = 3, .latency = 2, .response_latency = 4});
  auto [u_tx, u_rx] = g.channel<int>("out", {.capacity = unbounded});
  head.add("src", units::memory_source(std::vector{1, 2, 3, 4}), std::move(tx));
  head.scope("inner").add("relay", [](Context&, Receiver<int> in, Sender<int> out) -> Process {
    while (auto v = co_await in.pop()) co_await out.push(*v);
  }, std::move(rx), std::move(u_tx));
  g.add("sink", units::discard<int>(), std::move(u_rx));
  EXPECT_EQ(g.context_count(), 3u);
  EXPECT_EQ(g.channel_count(), 2u);
  RunResult r = run(g);
  ASSERT_TRUE(r.ok()) << r.describe_problem();
  const ChannelStats& qk = r.channel("head0.qk");
  EXPECT_EQ(qk.capacity, std::optional<std::uint64_t>(3));
  EXPECT_EQ(qk.latency, 2u);
  EXPECT_EQ(qk.response_latency, 4u);
  EXPECT_EQ(qk.elements, 4u);
  EXPECT_EQ(qk.sender, "head0.src");
  EXPECT_EQ(qk.receiver, "head0.inner.relay");
  EXPECT_FALSE(r.channel("out").capacity.has_value());
  EXPECT_EQ(r.channel("out").sender, "head0.inner.relay");
  EXPECT_EQ(r.transfers(), 8u);  // 4 elements over 2 channels
  EXPECT_TRUE(r.context("head0.inner.relay").finished);
  EXPECT_EQ(r.contexts.size(), 3u);
  EXPECT_EQ(r.channels.size(), 2u);
  EXPECT_EQ(r.status, RunStatus::completed);
  EXPECT_STREQ(to_string(r.status), "completed");
  EXPECT_EQ(r.describe_problem(), "");
}

TEST_P(Result, MissingNamesThrowNamingThem) {
  Program g;
  auto [tx, rx] = g.channel<int>("x");
  g.add("src", units::memory_source(std::vector{1}), std::move(tx));
  g.add("dst", units::discard<int>(), std::move(rx));
  RunResult r = run(g);
  try {
    r.channel("nope");
    ADD_FAILURE() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_THAT(e.what(), HasSubstr("'nope'"));
  }
  try {
    r.context("nobody");
    ADD_FAILURE() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_THAT(e.what(), HasSubstr("'nobody'"));
  }
}

DFSIM_ON_EVERY_EXECUTOR(Result);

}  // namespace
}  // namespace dfsim::test
