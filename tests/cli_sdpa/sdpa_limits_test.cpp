// Issue 18's sizes, run as a user runs them: every size beyond the machine is a usage error
// (exit 2, one line naming the limit and the way out) before anything is allocated, a run of
// hours is announced before it starts, and the attention commands on several threads give the
// numbers of one thread (these run under ThreadSanitizer: scripts/sanitize.sh).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/npy.hpp"
#include "run_dfsim.hpp"

namespace dfsim::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<std::string> err_lines(const Output& o) {
  std::vector<std::string> out;
  std::stringstream s(o.err);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

// Exit 2, nothing on stdout, one line "dfsim: error: ..." holding every one of `words`.
void expect_refused(const std::string& args, const std::vector<std::string>& words,
                    const TempDir& dir) {
  Output o = run_dfsim(args, dir);
  EXPECT_EQ(o.status, 2) << args << "\n" << o.err;
  EXPECT_EQ(o.out, "") << args;
  auto err = err_lines(o);
  ASSERT_EQ(err.size(), 1u) << args << "\n" << o.err;
  EXPECT_EQ(err[0].rfind("dfsim: error: ", 0), 0u) << err[0];
  for (const auto& w : words) EXPECT_NE(err[0].find(w), std::string::npos) << w << "\n" << err[0];
}

void expect_refused(const std::string& args, const std::vector<std::string>& words) {
  TempDir dir;
  expect_refused(args, words, dir);
}

TEST(SdpaLimits, ThreadsBeyondTheLimitWithManyHeads) {
  expect_refused("sdpa --variant naive --n 2 --heads 33000 --threads 100000",
                 {"threads = 100000 is more than 1024", "give at most 1024"});
}

TEST(SdpaLimits, EveryHeadAnUnsignedCanHold) {
  expect_refused("sdpa --variant naive --n 2 --heads 4294967295",
                 {"4294967295 heads need at least", "memory", "give at most", "heads"});
}

TEST(SdpaLimits, HeadDimensionOfATrillion) {
  expect_refused("sdpa --variant naive --n 4 --d 1000000000000",
                 {"d = 1000000000000 need at least 160 TB", "give d at most"});
}

// 2^20 x 2^44 = 2^64 wraps to 0 in 64 bits; it ended in std::bad_alloc, exit 1.
TEST(SdpaLimits, NTimesDThatWraps) {
  expect_refused("sdpa --variant naive --n 1048576 --d 17592186044416", {"give d at most"});
}

TEST(SdpaLimits, MinDepthAndSweepCheckBeforeTheyStart) {
  expect_refused("sdpa-min-depth --variant naive --n 4 --d 1000000000000", {"give d at most"});
  expect_refused("sdpa-min-depth --variant naive --n 4 --threads 100000", {"at most 1024"});
  TempDir dir;
  expect_refused("sdpa-sweep --n 8 --threads 2000 --out " + (dir / "s").string(),
                 {"threads = 2000"}, dir);
  expect_refused("sdpa-sweep --n 8 --d 1000000000000 --out " + (dir / "s").string(),
                 {"give d at most"}, dir);
  EXPECT_FALSE(fs::exists(dir / "s"));
}

// One set of files for every head is copied per head: the size is checked before the copies.
TEST(SdpaLimits, InputsForEveryHeadAreCheckedBeforeTheCopies) {
  TempDir dir;
  auto t = sdpa::random_tensors(4, 2, 1);
  fs::create_directories(dir / "in");
  sdpa::write_npy(dir / "in" / "q.npy", {.rows = 4, .cols = 2, .values = t.q});
  sdpa::write_npy(dir / "in" / "k.npy", {.rows = 4, .cols = 2, .values = t.k});
  sdpa::write_npy(dir / "in" / "v.npy", {.rows = 4, .cols = 2, .values = t.v});
  expect_refused("sdpa --variant naive --heads 4294967295 --inputs " + (dir / "in").string(),
                 {"N = 4, d = 2 and 4294967295 heads", "give at most"}, dir);
}

// N = 1,048,576 started a run of about 29 hours without a word. With the long FIFO at depth 1
// the same run deadlocks within cycles: the note appears, and the test takes a second.
TEST(SdpaLongRun, TheNoteComesBeforeTheRun) {
  TempDir dir;
  Output o = run_dfsim("sdpa --variant naive --n 1048576 --depth long=1", dir);
  EXPECT_EQ(o.status, 3) << o.err;  // the deadlock
  auto err = err_lines(o);
  ASSERT_GE(err.size(), 2u) << o.err;
  EXPECT_EQ(err[0].rfind("dfsim: note: about 5 FIFOs x N^2 = 5.5e+12 elements: this run takes "
                         "about ", 0),
            0u)
      << err[0];
  EXPECT_NE(err[0].find(" h (at ~"), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("M elements/s"), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("takes about a minute"), std::string::npos) << err[0];
  EXPECT_EQ(err[1].rfind("dfsim: error: simulated deadlock", 0), 0u) << err[1];
}

// The sweep's note comes once its values are checked, before its folder is made: here the
// folder cannot be made, so the sweep stops right after the note.
TEST(SdpaLongRun, TheSweepsNoteComesBeforeAnythingIsWritten) {
  TempDir dir;
  std::ofstream(dir / "file") << "not a folder\n";
  Output o = run_dfsim(
      "sdpa-sweep --n 1048576 --variants naive --out " + (dir / "file" / "sweep").string(), dir);
  EXPECT_NE(o.status, 0);
  auto err = err_lines(o);
  ASSERT_GE(err.size(), 2u) << o.err;
  EXPECT_EQ(err[0].rfind("dfsim: note: about 2 runs of up to 5 FIFOs x N^2", 0), 0u) << err[0];
  EXPECT_NE(err[0].find("this sweep takes about"), std::string::npos) << err[0];
  EXPECT_EQ(err[1].rfind("dfsim: error: ", 0), 0u) << err[1];
}

TEST(SdpaLongRun, ShortRunsStartWithoutANote) {
  TempDir dir;
  Output o = run_dfsim("sdpa --variant naive --n 64 --json", dir);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");
}

json without_wall_times(json j) {
  j.erase("wall_seconds");
  j.erase("simulation_wall_seconds");
  j["config"].erase("threads");
  return j;
}

// Placement keeps each head on one worker: the heads run side by side, synchronizing only
// when every worker is idle.
TEST(SdpaParallel, HeadsOnSeveralThreadsGiveTheNumbersOfOne) {
  TempDir dir;
  const std::string run = "sdpa --variant reordered-stable --n 24 --heads 3 --json --threads ";
  Output one = run_dfsim(run + "1", dir);
  Output two = run_dfsim(run + "2", dir);
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(two.status, 0) << two.err;
  EXPECT_EQ(without_wall_times(json::parse(one.out)), without_wall_times(json::parse(two.out)));
  EXPECT_EQ(json::parse(two.out)["config"]["threads"], 2);
}

TEST(SdpaParallel, DeadlockOnSeveralThreadsIsTheDeadlockOfOne) {
  TempDir dir;
  const std::string run = "sdpa --variant naive --n 16 --heads 2 --depth long=4 --json --threads ";
  Output one = run_dfsim(run + "1", dir);
  Output two = run_dfsim(run + "2", dir);
  ASSERT_EQ(one.status, 3) << one.err;
  ASSERT_EQ(two.status, 3) << two.err;
  EXPECT_EQ(without_wall_times(json::parse(one.out)), without_wall_times(json::parse(two.out)));
}

TEST(SdpaParallel, SweepOnTwoThreadsGivesTheRowsOfOne) {
  TempDir dir;
  auto rows = [&](const std::string& threads) {
    auto out = dir / ("sweep" + threads);
    Output o = run_dfsim("sdpa-sweep --n 8,16 --variants naive,reordered-stable --no-plots "
                         "--python /nonexistent --json --threads " + threads + " --out " +
                             out.string(),
                         dir);
    EXPECT_EQ(o.status, 0) << o.err;
    json results = json::parse(slurp(out / "results.json"))["results"];
    for (auto& r : results)
      for (auto it = r.begin(); it != r.end();)
        it = it.key().find("wall") == std::string::npos ? std::next(it) : r.erase(it);
    return results;
  };
  json one = rows("1");
  json two = rows("2");
  ASSERT_EQ(one.size(), 4u);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace dfsim::testing
