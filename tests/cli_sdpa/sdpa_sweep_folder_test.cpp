// dfsim sdpa-sweep's result folder under stress, as users hit it: two sweeps into one --out, and
// a sweep stopped by SIGINT or SIGTERM. Every wait is bounded: a sweep that hangs fails the test
// and is killed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "run_dfsim.hpp"

extern char** environ;

namespace dfsim::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A guard against a hang, far above what these sweeps take: well under a second each in a
// release build, 10-70 s in the sanitizer build (compiled at -O0) on a loaded machine.
constexpr auto kBound = std::chrono::seconds(240);

bool poll_until(const std::function<bool()>& done, Clock::duration bound = kBound) {
  for (auto deadline = Clock::now() + bound; Clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

// dfsim started without waiting for it; stdout and stderr go to LOG.out and LOG.err.
class Started {
 public:
  Started(const std::vector<std::string>& args, const fs::path& log) : log_(log) {
    std::vector<std::string> words{DFSIM_BINARY};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    std::string out = log.string() + ".out", err = log.string() + ".err";
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // The test runner may ignore or block these (a background job does): dfsim must see them.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t signals;
    sigemptyset(&signals);
    posix_spawnattr_setsigmask(&attr, &signals);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
    posix_spawnattr_setsigdefault(&attr, &signals);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int err_code = posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&files);
    if (err_code != 0) pid_ = -1;
  }
  ~Started() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Started(const Started&) = delete;
  Started& operator=(const Started&) = delete;

  pid_t pid() const { return pid_; }
  // Has it exited? Collects its status if so.
  bool exited() {
    int raw = 0;
    if (!status_ && pid_ > 0 && ::waitpid(pid_, &raw, WNOHANG) == pid_) status_ = raw;
    return status_.has_value();
  }
  // Its exit status, or -1 (killed by a signal, or still running after `bound`: then killed).
  int wait(Clock::duration bound = kBound) {
    if (!poll_until([this] { return exited(); }, bound)) {
      ADD_FAILURE() << "dfsim (pid " << pid_ << ") still running after the bound: killed";
      return -1;
    }
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }
  std::string err() const { return slurp(log_.string() + ".err"); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

std::size_t csv_rows(const fs::path& csv) {
  auto rows = text_lines(slurp(csv));
  return rows.empty() ? 0 : rows.size() - 1;
}

std::vector<std::string> tmp_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".tmp") found.push_back(entry.path().filename().string());
  return found;
}

// A small sweep whose last points take a fraction of a second per run: long enough for a second
// sweep or a signal to arrive while it runs. No python: the plots are not what is tested.
std::vector<std::string> sweep_args(const fs::path& out, const std::string& variant,
                                    const std::string& sizes = "8,16,1024",
                                    const std::string& min_depth_max_n = "16") {
  return {"sdpa-sweep",          "--n",           sizes,   "--variants", variant,
          "--min-depth-max-n",   min_depth_max_n, "--out", out.string(), "--python",
          "/nonexistent/python3"};
}

TEST(SdpaSweepFolder, TwoSweepsStartedTogetherOneProceeds) {
  TempDir dir;
  auto out = dir / "sweep";
  Started naive(sweep_args(out, "naive"), dir / "naive");
  Started reordered(sweep_args(out, "reordered"), dir / "reordered");
  ASSERT_GT(naive.pid(), 0);
  ASSERT_GT(reordered.pid(), 0);
  Started* first = nullptr;
  ASSERT_TRUE(poll_until([&] {
    if (naive.exited()) return first = &naive, true;
    if (reordered.exited()) return first = &reordered, true;
    return false;
  }));
  Started& loser = *first;
  Started& winner = first == &naive ? reordered : naive;
  // The loser stops at once, while the winner still runs, with one line that names the folder.
  EXPECT_FALSE(winner.exited()) << "the sweeps did not overlap; the test proves nothing";
  EXPECT_EQ(loser.wait(), 5) << loser.err();
  auto message = text_lines(loser.err());
  ASSERT_EQ(message.size(), 1u) << loser.err();
  EXPECT_EQ(message[0].rfind("dfsim: error: " + out.string() + " is in use by another sweep", 0),
            0u)
      << message[0];
  EXPECT_NE(message[0].find("--out"), std::string::npos) << message[0];
  EXPECT_EQ(winner.wait(), 0) << winner.err();

  std::string variant = &winner == &naive ? "naive" : "reordered";
  auto csv = text_lines(slurp(out / "results.csv"));
  ASSERT_EQ(csv.size(), 1u + 3u) << slurp(out / "results.csv");
  std::set<std::string> points;
  for (std::size_t i = 1; i < csv.size(); ++i) {
    EXPECT_EQ(csv[i].rfind(variant + ",", 0), 0u) << "a foreign row: " << csv[i];
    points.insert(csv[i].substr(0, csv[i].find(',', variant.size() + 1)));
  }
  EXPECT_EQ(points.size(), 3u) << "duplicate rows in " << slurp(out / "results.csv");
  json j = json::parse(slurp(out / "results.json"));
  EXPECT_EQ(j["status"], "complete");
  EXPECT_EQ(j["config"]["variants"], json::array({variant}));
  EXPECT_EQ(j["results"].size(), 3u);
  EXPECT_TRUE(tmp_files(out).empty());
}

TEST(SdpaSweepFolder, ASecondSweepStopsAtOnceNamingTheFirst) {
  TempDir dir;
  auto out = dir / "sweep";
  Started first(sweep_args(out, "naive", "8,1024,1024,1024"), dir / "first");
  ASSERT_GT(first.pid(), 0);
  // results.json is written once the folder is locked.
  ASSERT_TRUE(poll_until([&] { return fs::exists(out / "results.json") || first.exited(); }));
  ASSERT_FALSE(first.exited()) << first.err();

  auto start = Clock::now();
  auto second = run_dfsim("sdpa-sweep --n 8 --variants reordered --out " + out.string(), dir);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_FALSE(first.exited()) << "the first sweep ended before the second one stopped";
  EXPECT_LT(seconds, 10.0);
  EXPECT_EQ(second.status, 5) << second.err;
  EXPECT_EQ(second.err, "dfsim: error: " + out.string() + " is in use by another sweep (pid " +
                            std::to_string(first.pid()) +
                            "): wait for it to end (or stop it with kill -TERM " +
                            std::to_string(first.pid()) + "), or give another folder with --out\n");

  ASSERT_EQ(::kill(first.pid(), SIGTERM), 0);
  EXPECT_EQ(first.wait(), 128 + SIGTERM) << first.err();
  json j = json::parse(slurp(out / "results.json"));
  EXPECT_EQ(j["config"]["variants"], json::array({"naive"}));
  for (const auto& row : j["results"]) EXPECT_EQ(row["variant"], "naive");
  for (const auto& line : text_lines(slurp(out / "results.csv")))
    EXPECT_NE(line.rfind("reordered,", 0), 0u) << line;
  // The lock went with the first sweep: the folder can be used again.
  auto third = run_dfsim(
      "sdpa-sweep --n 8 --variants reordered --python /nonexistent/python3 "
      "--out " +
          out.string(),
      dir);
  EXPECT_EQ(third.status, 0) << third.err;
}

// What an interrupted row may hold: the fields of the runs it finished, none of the others.
void expect_consistent_row(const json& row, std::size_t min_depth_max_n) {
  SCOPED_TRACE(row.dump());
  std::string status = row["status"];
  std::string done = row["runs_done"];
  ASSERT_TRUE(row.contains("wall_seconds"));
  EXPECT_TRUE(row.contains("cycles"));
  bool unbounded = done.find("unbounded") != std::string::npos;
  bool min_depths = done.find("min-depths") != std::string::npos;
  EXPECT_EQ(row.contains("intermediate_memory_elements"), unbounded);
  EXPECT_EQ(row.contains("min_depth_max"), min_depths);
  if (status.rfind("interrupted", 0) == 0) {
    EXPECT_EQ(status, "interrupted after " + done);
    EXPECT_TRUE(done == "preset" || done == "preset;unbounded");
  } else {
    EXPECT_EQ(status, "completed");
    EXPECT_EQ(done, row["n"].get<std::size_t>() > min_depth_max_n ? "preset;unbounded"
                                                                  : "preset;unbounded;min-depths");
  }
}

// Sends `sig` once the small point (N = 8) has completed and the large one (N = 512, run first
// beside it on a second thread) has finished its first run: its other two runs (the min-depth
// search included, which a signal cuts short) are then under way, so that the signal always
// lands in a half-done row. The trigger waits for a run, not for a whole point, so that it holds
// however slow the build (sanitizers) or the machine is.
void interrupt_mid_sweep(int sig, const std::string& name) {
  TempDir dir;
  auto out = dir / "sweep";
  // The min-depth search at N = 512 too: it is the run a signal must be able to cut short.
  auto args = sweep_args(out, "naive", "8,512", "512");
  args.insert(args.end(), {"--workers", "2"});
  Started sweep(args, dir / "sweep");
  ASSERT_GT(sweep.pid(), 0);
  auto half_done = [&] {
    std::string text = slurp(out / "results.json");  // replaced whole: never half written
    if (text.empty()) return false;
    bool small_done = false, large_started = false;
    const json doc = json::parse(text);  // a named document: the rows must outlive the loop
    for (const auto& row : doc["results"]) {
      if (row["n"] == 8 && row["status"] == "completed") small_done = true;
      if (row["n"] == 512 && row.value("runs_done", "").rfind("preset", 0) == 0)
        large_started = true;
    }
    return small_done && large_started;
  };
  ASSERT_TRUE(poll_until([&] { return half_done() || sweep.exited(); }));
  ASSERT_GE(csv_rows(out / "results.csv"), 1u);
  ASSERT_FALSE(sweep.exited()) << sweep.err();
  ASSERT_EQ(::kill(sweep.pid(), sig), 0);
  EXPECT_EQ(sweep.wait(), 128 + sig) << sweep.err();
  EXPECT_NE(sweep.err().find("dfsim: stopped by " + name), std::string::npos) << sweep.err();

  json j = json::parse(slurp(out / "results.json"));
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_EQ(j["signal"], name);
  ASSERT_EQ(j["results"].size(), 2u) << j.dump(1);
  for (const auto& row : j["results"]) expect_consistent_row(row, 512);
  EXPECT_EQ(j["results"][0]["status"], "completed");
  EXPECT_EQ(j["results"][1]["status"].get<std::string>().rfind("interrupted after preset", 0), 0u)
      << "not half done: the test did not check what it is for";
  EXPECT_EQ(csv_rows(out / "results.csv"), j["results"].size()) << slurp(out / "results.csv");
  EXPECT_NE(slurp(out / "results.csv").find(",interrupted after preset"), std::string::npos);
  EXPECT_NE(slurp(out / "report.md").find("stopped by " + name), std::string::npos);
  EXPECT_TRUE(tmp_files(out).empty());
}

TEST(SdpaSweepFolder, SigintMidSweepLeavesAnInterruptedDocument) {
  interrupt_mid_sweep(SIGINT, "SIGINT");
}

TEST(SdpaSweepFolder, SigtermMidSweepLeavesAnInterruptedDocument) {
  interrupt_mid_sweep(SIGTERM, "SIGTERM");
}

}  // namespace
}  // namespace dfsim::testing
