// The record of free times an unbounded channel's peak occupancy needs (detail/cycle_queue.hpp)
// stores runs of equal steps: it must hand back every value pushed, in order, whatever the steps.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>

#include "dfsim/engine/detail/cycle_queue.hpp"

namespace dfsim::test {
namespace {

using detail::CycleQueue;

TEST(CycleQueue, StartsEmptyAndEmptiesAgain) {
  CycleQueue q;
  EXPECT_TRUE(q.empty());
  q.push_back(5);
  EXPECT_EQ(q.front(), 5u);
  q.pop_front();
  EXPECT_TRUE(q.empty());
  // Emptied, it starts afresh: the next value is the front, with no step to the old ones.
  q.push_back(7);
  q.push_back(7);
  q.push_back(9);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.front(), 7u);
  q.pop_front();
  EXPECT_EQ(q.front(), 7u);
  q.pop_front();
  EXPECT_EQ(q.front(), 9u);
}

// A steady stream of frees, 2 cycles apart, with a gap every row: a run per row, and the
// values come back exactly.
TEST(CycleQueue, SteadyRowsComeBackInOrder) {
  CycleQueue q;
  std::deque<Cycle> expected;
  Cycle t = 10;
  for (int row = 0; row < 50; ++row) {
    for (int k = 0; k < 100; ++k) {
      q.push_back(t);
      expected.push_back(t);
      t += 2;
    }
    t += 37;
  }
  while (!expected.empty()) {
    ASSERT_EQ(q.size(), expected.size());
    ASSERT_EQ(q.front(), expected.front());
    q.pop_front();
    expected.pop_front();
  }
  EXPECT_TRUE(q.empty());
}

// Irregular steps (0 included, huge ones too), pushes and pops interleaved so that the runs'
// ring wraps and grows: the same values in the same order as a plain deque.
TEST(CycleQueue, MatchesADequeOnIrregularSteps) {
  std::mt19937_64 rng(3);
  CycleQueue q;
  std::deque<Cycle> expected;
  Cycle t = 0;
  const Cycle steps[] = {0, 1, 1, 2, 2, 2, 3, 1000, Cycle{1} << 40};
  for (int i = 0; i < 20000; ++i) {
    if (rng() % 3 != 0 || expected.empty()) {
      t += steps[rng() % std::size(steps)];
      q.push_back(t);
      expected.push_back(t);
    } else {
      ASSERT_EQ(q.front(), expected.front()) << "at operation " << i;
      q.pop_front();
      expected.pop_front();
    }
    ASSERT_EQ(q.size(), expected.size());
  }
  for (; !expected.empty(); expected.pop_front(), q.pop_front()) ASSERT_EQ(q.front(), expected.front());
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace dfsim::test
