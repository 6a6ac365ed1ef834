// The dfsim command line, run as a child process: results as JSON, and bad input rejected
// with exit status kExitUsage and one line "dfsim: error: ..." naming the flag.
#include <fcntl.h>
#include <grp.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "files.hpp"

extern char** environ;

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Invocation {
  int status = -1;  // exit status; -1 if it did not exit normally
  std::string out, err;
};

using dfsim::test::slurp;

// Runs DFSIM_BINARY with `args`, stdout and stderr captured separately.
Invocation dfsim(const std::vector<std::string>& args) {
  const std::string dir = ::testing::TempDir();
  const std::string tag = std::to_string(::getpid()) + "_" +
                          ::testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string out_path = dir + "dfsim_out_" + tag, err_path = dir + "dfsim_err_" + tag;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_storage{DFSIM_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  Invocation result;
  int rc = posix_spawn(&pid, DFSIM_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << DFSIM_BINARY;
    return result;
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (WIFEXITED(wstatus)) result.status = WEXITSTATUS(wstatus);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return result;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

// Source -> K add-one stages -> sink, every channel C = 2, L = 1, R = 1. Element k is
// written to c0 at k and popped by stage j at k + j + 1 (tests/engine/throughput_test.cpp):
// the sink pops the last one (k = T - 1) at T + K. Every channel holds elements k - 1 and k
// at any cycle: peak 2.
TEST(CliPipeline, JsonReportsTPlusKCycles) {
  Invocation r = dfsim({"pipeline", "-T", "1000", "-K", "8", "-C", "2", "--json"});
  ASSERT_EQ(r.status, dfsim::cli::kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("status"), "completed");
  EXPECT_EQ(j.at("cycles"), 1008);  // T + K = 1000 + 8
  EXPECT_EQ(j.at("elements"), 1000);
  ASSERT_TRUE(j.at("wall_seconds").is_number());
  EXPECT_GE(j.at("wall_seconds").get<double>(), 0.0);
  ASSERT_EQ(j.at("channels").size(), 9u);  // c0 .. c8
  for (const auto& ch : j.at("channels")) {
    EXPECT_EQ(ch.at("capacity"), 2);
    EXPECT_EQ(ch.at("elements"), 1000);
    EXPECT_EQ(ch.at("peak_occupancy"), 2);
  }
  EXPECT_EQ(j.at("transfers"), 9000);
}

TEST(CliPipeline, ParallelRunGivesTheSameNumbers) {
  Invocation seq = dfsim({"pipeline", "-T", "1000", "-K", "8", "-C", "2", "--json"});
  Invocation par = dfsim({"pipeline", "-T", "1000", "-K", "8", "-C", "2", "--json",
                          "--threads", "3", "--spread"});
  ASSERT_EQ(seq.status, 0) << seq.err;
  ASSERT_EQ(par.status, 0) << par.err;
  nlohmann::json a = nlohmann::json::parse(seq.out), b = nlohmann::json::parse(par.out);
  EXPECT_EQ(b.at("cycles"), 1008);
  EXPECT_EQ(a.at("channels"), b.at("channels"));
  EXPECT_EQ(a.at("contexts"), b.at("contexts"));
}

// Unbounded channels: the source runs ahead in wall-clock time, but in simulated time every
// channel still holds at most elements k - 1 and k: peak 2, and still T + K cycles.
TEST(CliPipeline, UnboundedChannels) {
  Invocation r = dfsim({"pipeline", "-T", "500", "-K", "4", "-C", "unbounded", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("cycles"), 504);
  for (const auto& ch : j.at("channels")) {
    EXPECT_EQ(ch.at("capacity"), "unbounded");
    EXPECT_EQ(ch.at("peak_occupancy"), 2);
  }
}

// Stages of depth 3 with C = 4 (= depth + R): stage j pops element k at k + 1 + 3j, so the
// sink pops the last at T + 3K.
TEST(CliPipeline, DeepStages) {
  Invocation r = dfsim({"pipeline", "-T", "200", "-K", "5", "-C", "4", "-L", "3", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("cycles"), 215);
}

TEST(CliPipeline, SummaryForPeople) {
  Invocation r = dfsim({"pipeline", "-T", "100", "-K", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("completed"));
  EXPECT_THAT(r.out, HasSubstr("103"));  // T + K with the default capacity (>= 2)
}

// Bad input: nothing is simulated, exit kExitUsage, one line on stderr naming the problem.
void expect_usage_error(const std::vector<std::string>& args, const std::string& named) {
  Invocation r = dfsim(args);
  EXPECT_EQ(r.status, dfsim::cli::kExitUsage);
  EXPECT_EQ(r.out, "");
  std::vector<std::string> err = lines(r.err);
  ASSERT_FALSE(err.empty()) << "no message";
  EXPECT_THAT(err[0], StartsWith("dfsim: error: "));
  EXPECT_THAT(err[0], HasSubstr(named));
  EXPECT_EQ(err.size(), 1u) << "expected one line, got:\n" << r.err;
}

TEST(CliErrors, UnknownFlag) { expect_usage_error({"pipeline", "--bogus"}, "--bogus"); }
TEST(CliErrors, CapacityZero) { expect_usage_error({"pipeline", "--capacity", "0"}, "--capacity"); }
TEST(CliErrors, CapacityNotANumber) {
  expect_usage_error({"pipeline", "--capacity", "abc"}, "--capacity");
}
TEST(CliErrors, LatencyZero) { expect_usage_error({"pipeline", "--latency", "0"}, "--latency"); }
TEST(CliErrors, StagesZero) { expect_usage_error({"pipeline", "--stages", "0"}, "--stages"); }
TEST(CliErrors, ElementsZero) { expect_usage_error({"pipeline", "-T", "0"}, "--elements"); }
TEST(CliErrors, MissingSubcommand) { expect_usage_error({}, "subcommand"); }
TEST(CliErrors, UnknownSubcommand) { expect_usage_error({"frobnicate"}, "subcommand"); }

// Issue 18: 100,000 threads ended in std::terminate (exit 134) once the system refused one.
TEST(CliErrors, ThreadsBeyondTheLimit) {
  expect_usage_error({"pipeline", "-T", "1", "-K", "1048576", "-C", "2", "--threads", "100000"},
                     "threads = 100000 is more than 1024");
  expect_usage_error({"tree", "--threads", "1025"}, "give at most 1024");
}

// The exit status of a child that could not set up the limits (not dfsim's).
constexpr int kNoLimits = 125;

// Runs dfsim allowed `nproc` processes and threads for its user (RLIMIT_NPROC), as user
// nobody when root, whom the limit does not bind. nullopt when that cannot be arranged.
std::optional<Invocation> dfsim_with_nproc(const std::vector<std::string>& args, rlim_t nproc) {
  const std::string tag = ::testing::TempDir() + "dfsim_nproc_" + std::to_string(::getpid());
  const std::string out_path = tag + "_out", err_path = tag + "_err";
  std::vector<std::string> argv_storage{DFSIM_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  // LeakSanitizer's check at exit needs a thread of its own.
  std::string asan = std::string(std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "");
  asan += ":detect_leaks=0";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(kNoLimits);
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 ||
                             ::setuid(65534) != 0))
      ::_exit(kNoLimits);
    rlimit limit{nproc, nproc};
    if (::setrlimit(RLIMIT_NPROC, &limit) != 0) ::_exit(kNoLimits);
    ::setenv("ASAN_OPTIONS", asan.c_str(), 1);
    ::execv(DFSIM_BINARY, argv.data());
    ::_exit(kNoLimits);
  }
  int wstatus = 0;
  if (pid < 0 || ::waitpid(pid, &wstatus, 0) < 0) return std::nullopt;
  Invocation result;
  if (WIFEXITED(wstatus)) result.status = WEXITSTATUS(wstatus);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  if (result.status == kNoLimits) return std::nullopt;
  return result;
}

// The system refuses a thread for real: the workers that started are stopped, and the error
// says what to do; no abort. (An injected refusal: tests/engine/thread_limits_test.cpp.)
TEST(CliPipeline, ParallelRunWhoseThreadsTheSystemRefusesEndsWithAnError) {
#ifdef __SANITIZE_THREAD__
  // ThreadSanitizer starts a thread of its own first: without root to run as nobody, whose
  // count of threads starts at 0, it would be the one refused.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as nobody under ThreadSanitizer";
#endif
  auto r = dfsim_with_nproc({"pipeline", "-T", "1000", "-K", "64", "--threads", "64", "--spread"},
                            4);
  if (!r) GTEST_SKIP() << "cannot limit the threads of a child process here";
  EXPECT_EQ(r->status, dfsim::cli::kExitFailure) << r->err;
  EXPECT_EQ(r->out, "");
  std::vector<std::string> err = lines(r->err);
  ASSERT_EQ(err.size(), 1u) << r->err;
  EXPECT_THAT(err[0], StartsWith("dfsim: error: cannot start worker thread "));
  EXPECT_THAT(err[0], HasSubstr(" of 64 (nothing was simulated; use at most "));
  EXPECT_THAT(err[0], HasSubstr("ulimit -u"));
}

// The version CMakeLists.txt's project() line declares, read from the file itself.
std::string declared_version() {
  const std::string cmake = slurp(std::string(DFSIM_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch m;
  if (!std::regex_search(cmake, m, std::regex(R"(project\(dfsim VERSION ([0-9.]+))"))) return "";
  return m[1];
}

TEST(CliHelp, VersionPrintsTheProjectsVersionAndExitsZero) {
  const std::string version = declared_version();
  ASSERT_FALSE(version.empty()) << "no project(dfsim VERSION ...) in CMakeLists.txt";
  Invocation r = dfsim({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "dfsim " + version + "\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliHelp, HelpExitsZero) {
  Invocation r = dfsim({"pipeline", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("--capacity"));
}

}  // namespace
