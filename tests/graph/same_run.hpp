#pragma once
// Two RunResults that must be the same run: cycles, every context's and channel's
// statistics, the deadlock report or failure (wall time and threads aside).
#include <gtest/gtest.h>

#include "dfsim/engine.hpp"

namespace dfsim::graph::test {

inline void expect_same_run(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.elapsed_cycles, b.elapsed_cycles);
  ASSERT_EQ(a.contexts.size(), b.contexts.size());
  for (std::size_t i = 0; i < a.contexts.size(); ++i) {
    const auto &x = a.contexts[i], &y = b.contexts[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.final_clock, y.final_clock) << x.name;
    EXPECT_EQ(x.starved_cycles, y.starved_cycles) << x.name;
    EXPECT_EQ(x.backpressured_cycles, y.backpressured_cycles) << x.name;
    EXPECT_EQ(x.finished, y.finished) << x.name;
  }
  ASSERT_EQ(a.channels.size(), b.channels.size());
  for (std::size_t i = 0; i < a.channels.size(); ++i) {
    const auto &x = a.channels[i], &y = b.channels[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.capacity, y.capacity) << x.name;
    EXPECT_EQ(x.latency, y.latency) << x.name;
    EXPECT_EQ(x.response_latency, y.response_latency) << x.name;
    EXPECT_EQ(x.elements, y.elements) << x.name;
    EXPECT_EQ(x.peak_occupancy, y.peak_occupancy) << x.name;
    EXPECT_EQ(x.sender, y.sender) << x.name;
    EXPECT_EQ(x.receiver, y.receiver) << x.name;
  }
  ASSERT_EQ(a.deadlock.has_value(), b.deadlock.has_value());
  if (a.deadlock) {
    EXPECT_EQ(a.deadlock->to_string(), b.deadlock->to_string());
  }
  ASSERT_EQ(a.failure.has_value(), b.failure.has_value());
  if (a.failure) {
    EXPECT_EQ(a.failure->context, b.failure->context);
    EXPECT_EQ(a.failure->clock, b.failure->clock);
  }
}

}  // namespace dfsim::graph::test
