// Threads a run cannot have: more than kMaxThreads is refused before anything is prepared, and
// a worker thread the system refuses ends the run with std::system_error (never
// std::terminate) after the workers already started are stopped, with nothing simulated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <system_error>

#include "dfsim/engine.hpp"
#include "dfsim/units.hpp"
#include "dfsim/engine/detail/thread_start.hpp"
#include "dfsim/workloads/pipeline.hpp"

namespace dfsim::test {
namespace {

using ::testing::HasSubstr;

// Installs a thread start hook for one test.
class ThreadStartHook {
 public:
  explicit ThreadStartHook(std::function<void(unsigned)> hook) {
    detail::set_thread_start_hook(std::move(hook));
  }
  ~ThreadStartHook() { detail::set_thread_start_hook({}); }
};

void refuse_from(unsigned first, unsigned index) {
  if (index >= first)
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again));
}

// A pipeline, and beside it a source that counts the elements it makes: any simulation at all
// makes some.
struct CountingGraph {
  Program g;
  std::atomic<int> made{0};
  CountingGraph() {
    workloads::build_pipeline(g, {.elements = 100, .stages = 8});
    auto [tx, rx] = g.channel<int>("counted", {.capacity = 2});
    g.add("counting_source", units::index_source(100, [this](std::uint64_t i) {
            made.fetch_add(1, std::memory_order_relaxed);
            return static_cast<int>(i);
          }),
          std::move(tx));
    g.add("counted_sink", [](Context&, Receiver<int> in) -> Process {
      while (auto x = co_await in.pop()) {}
    }, std::move(rx));
  }
};

TEST(ThreadLimit, UpToTheLimitIsAccepted) {
  EXPECT_NO_THROW(check_threads(0));
  EXPECT_NO_THROW(check_threads(kMaxThreads));
}

TEST(ThreadLimit, AboveTheLimitNamesItAndTheWayOut) {
  try {
    check_threads(100000);
    FAIL() << "100000 threads were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("threads = 100000 is more than 1024"));
    EXPECT_THAT(e.what(), HasSubstr("give at most 1024, or 0 for one per hardware thread"));
  }
}

TEST(ThreadLimit, RunRefusesBeforeTheProgramIsUsed) {
  CountingGraph c;
  EXPECT_THROW(run(c.g, {.threads = kMaxThreads + 1}), std::invalid_argument);
  RunResult r = run(c.g, {.threads = 1});  // not marked as run: it can still run
  EXPECT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(c.made.load(), 100);
}

TEST(ParallelThreadStart, RefusedThreadStopsTheStartedOnesAndNothingIsSimulated) {
  ThreadStartHook hook([](unsigned index) { refuse_from(3, index); });
  CountingGraph c;
  try {
    run(c.g, {.threads = 4, .placement = Placement::round_robin});
    FAIL() << "the run went on without thread 3";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::resource_unavailable_try_again);
    EXPECT_THAT(e.what(), HasSubstr("cannot start worker thread 4 of 4"));
    EXPECT_THAT(e.what(), HasSubstr("nothing was simulated; use at most 3 threads"));
    EXPECT_THAT(e.what(), HasSubstr("ulimit -u"));
  }
  EXPECT_EQ(c.made.load(), 0);
}

TEST(ParallelThreadStart, NoThreadAtAllSaysOneThread) {
  ThreadStartHook hook([](unsigned index) { refuse_from(1, index); });
  CountingGraph c;
  try {
    run(c.g, {.threads = 3, .placement = Placement::round_robin});
    FAIL() << "the run went on without any worker thread";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot start worker thread 2 of 3"));
    EXPECT_THAT(e.what(), HasSubstr("use at most 1 thread,"));
  }
  EXPECT_EQ(c.made.load(), 0);
}

TEST(ParallelThreadStart, OtherFailuresPassThroughAfterTheStartedOnesStop) {
  ThreadStartHook hook([](unsigned index) {
    if (index == 2) throw std::bad_alloc();
  });
  CountingGraph c;
  EXPECT_THROW(run(c.g, {.threads = 4, .placement = Placement::round_robin}), std::bad_alloc);
  EXPECT_EQ(c.made.load(), 0);
}

TEST(ParallelThreadStart, RunsAsBeforeOnceThreadsStartAgain) {
  {
    ThreadStartHook hook([](unsigned index) { refuse_from(1, index); });
    CountingGraph refused;
    EXPECT_THROW(run(refused.g, {.threads = 2}), std::system_error);
  }
  CountingGraph c;
  RunResult r = run(c.g, {.threads = 4, .placement = Placement::round_robin});
  EXPECT_TRUE(r.ok()) << r.describe_problem();
  EXPECT_EQ(r.threads, 4u);
  EXPECT_EQ(c.made.load(), 100);
}

}  // namespace
}  // namespace dfsim::test
