// verification_soak: the differential check over many more random graphs than the test
// run, the replay of one seed, and the reduction of a failing seed to a small graph.
//
//   verification_soak --seeds 100000 --start 1 --jobs 4   every seed; prints failing ones
//   verification_soak --replay 1234 [--trace]             one seed, verbosely
//   verification_soak --reduce 1234                       the seed's graph, shrunk, as C++
// Options may also come from DFSIM_SOAK_SEEDS and DFSIM_SOAK_START. Seeds run in --jobs
// processes, so a crash is reported as "CRASH seed N" and the soak goes on. docs/testing.md
// has more.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <cstring>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "differential.hpp"
#include "random_graph.hpp"
#include "reducer.hpp"
#include "reference_model.hpp"

namespace v = dfsim::verification;

namespace {

struct Options {
  std::uint64_t seeds = 100000;
  std::uint64_t start = 1;
  unsigned jobs = 0;
  std::string configs = "all";
  std::optional<std::uint64_t> replay;
  std::optional<std::uint64_t> reduce;
  bool trace = false;
  bool verbose = false;  // each seed before it runs: finds the seed of a crash
  int repeat = 3;
};

const char* kUsage =
    "usage: verification_soak [--seeds N] [--start S] [--jobs J] [--configs LIST] [--verbose]\n"
    "       verification_soak --replay SEED [--trace] [--configs LIST]\n"
    "       verification_soak --reduce SEED [--repeat R] [--configs LIST]\n"
    "LIST: 'all' or comma-separated names among sequential, parallel-2, parallel-4,\n"
    "round-robin-2, round-robin-4. DFSIM_SOAK_SEEDS and DFSIM_SOAK_START set the defaults\n"
    "of --seeds and --start.\n";

std::uint64_t number(const char* text) {
  char* end = nullptr;
  std::uint64_t value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') throw std::invalid_argument(std::string("not a number: ") + text);
  return value;
}

Options parse(int argc, char** argv) {
  Options o;
  if (const char* s = std::getenv("DFSIM_SOAK_SEEDS")) o.seeds = number(s);
  if (const char* s = std::getenv("DFSIM_SOAK_START")) o.start = number(s);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--seeds") o.seeds = number(value());
    else if (arg == "--start") o.start = number(value());
    else if (arg == "--jobs") o.jobs = static_cast<unsigned>(number(value()));
    else if (arg == "--configs") o.configs = value();
    else if (arg == "--replay") o.replay = number(value());
    else if (arg == "--reduce") o.reduce = number(value());
    else if (arg == "--repeat") o.repeat = static_cast<int>(number(value()));
    else if (arg == "--trace") o.trace = true;
    else if (arg == "--verbose") o.verbose = true;
    else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else
      throw std::invalid_argument("unknown option " + arg);
  }
  return o;
}

int replay(const Options& o) {
  v::GraphSpec g = v::random_graph(*o.replay);
  std::cout << "seed " << *o.replay << ":\n" << v::describe(g) << "as C++:\n" << v::to_cpp(g) << "\n";
  std::ostringstream trace;
  v::Outcome reference = v::run_reference(g, {.trace = o.trace ? &trace : nullptr});
  if (o.trace) std::cout << "reference trace:\n" << trace.str();
  std::cout << "reference:\n" << v::describe(reference);
  int failures = 0;
  for (const v::EngineConfig& config : v::configs_named(o.configs)) {
    v::Outcome engine = v::run_engine(g, config);
    auto d = v::first_difference(reference, engine);
    std::cout << config.name << ": " << (d ? "DIFFERS, " + d->kind + ": " + d->text : "agrees")
              << '\n';
    if (d) {
      std::cout << v::describe(engine);
      ++failures;
    }
  }
  return failures ? 1 : 0;
}

int reduce(const Options& o) {
  v::GraphSpec g = v::random_graph(*o.reduce);
  auto configs = v::configs_named(o.configs);
  std::optional<v::Mismatch> mismatch;
  for (int t = 0; t < o.repeat && !mismatch; ++t) mismatch = v::check_graph(g, configs);
  if (!mismatch) {
    std::cout << "seed " << *o.reduce << " passes " << o.repeat << " times: nothing to reduce\n";
    return 0;
  }
  std::cout << v::report(*o.reduce, g, *mismatch) << "reducing (" << mismatch->config << ", "
            << mismatch->difference.kind << ")...\n";
  // The same executor must disagree in the same kind of way; a parallel run gets several
  // tries, since a scheduling-dependent failure may not show every time.
  auto config = v::configs_named(mismatch->config == "reference.reverse" ? "sequential"
                                                                         : mismatch->config);
  const std::string kind = mismatch->difference.kind;
  const int tries = config[0].threads > 1 ? o.repeat : 1;
  auto still_fails = [&](const v::GraphSpec& h) {
    for (int t = 0; t < tries; ++t) {
      auto m = v::check_graph(h, config);
      if (m && m->difference.kind == kind) return true;
    }
    return false;
  };
  v::GraphSpec small = v::reduce(g, still_fails, &std::cout);
  std::optional<v::Mismatch> m;
  for (int t = 0; t < tries && !m; ++t) m = v::check_graph(small, config);
  std::cout << "\nreduced graph:\n" << v::describe(small);
  if (m) std::cout << "first difference (" << m->difference.kind << "): " << m->difference.text
                   << "\nreference:\n" << v::describe(m->reference) << m->config << ":\n"
                   << v::describe(m->engine);
  std::cout << "\nas a regression test (tests/verification/regressions_test.cpp):\n"
            << "  expect_agreement(" << v::to_cpp(small) << ");\n";
  return 1;
}

// Counters shared by the job processes.
struct Shared {
  static constexpr unsigned kMaxJobs = 256;
  static constexpr std::uint64_t kIdle = ~std::uint64_t{0};
  std::atomic<std::uint64_t> next{0}, done{0}, failures{0}, deadlocks{0};
  std::atomic<std::uint64_t> current[kMaxJobs];  // the seed each job is checking
};

void write_line(const std::string& line) {
  // One write per line, so that the lines of several jobs do not mix.
  std::string text = line + "\n";
  ssize_t ignored = write(STDOUT_FILENO, text.data(), text.size());
  (void)ignored;
}

// A job process: checks seeds until none are left.
[[noreturn]] void job(const Options& o, const std::vector<v::EngineConfig>& configs,
                      Shared& shared, unsigned j) {
  while (true) {
    std::uint64_t i = shared.next.fetch_add(1);
    if (i >= o.seeds) break;
    std::uint64_t seed = o.start + i;
    shared.current[j].store(seed);
    if (o.verbose) std::cerr << "seed " << seed << std::endl;
    v::GraphSpec g = v::random_graph(seed);
    std::optional<v::Mismatch> m;
    try {
      m = v::check_graph(g, configs);
    } catch (const std::exception& e) {
      m = v::Mismatch{"exception", {"exception", e.what()}, {}, {}};
    }
    if (m) {
      shared.failures.fetch_add(1);
      write_line("FAIL seed " + std::to_string(seed) + " [" + m->config + "] " +
                 m->difference.kind + ": " + m->difference.text);
    } else if (v::run_reference(g).status == "deadlock") {
      shared.deadlocks.fetch_add(1);
    }
    shared.current[j].store(Shared::kIdle);
    shared.done.fetch_add(1);
  }
  std::cout.flush();
  std::cerr.flush();
  _exit(0);
}

// Every seed in job processes, so that a crash (the parallel executor has had some) is
// reported with its seed and the soak goes on.
int soak(const Options& o) {
  auto configs = v::configs_named(o.configs);
  unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min(jobs, Shared::kMaxJobs);
  void* memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
  if (memory == MAP_FAILED) throw std::runtime_error("mmap failed");
  Shared& shared = *new (memory) Shared;
  for (auto& c : shared.current) c.store(Shared::kIdle);
  auto begin = std::chrono::steady_clock::now();
  std::cout << "soak: seeds " << o.start << " .. " << o.start + o.seeds - 1 << ", " << jobs
            << " jobs, executors:";
  for (const auto& c : configs) std::cout << ' ' << c.name;
  std::cout << std::endl;

  std::vector<pid_t> pids(jobs, -1);
  auto spawn = [&](unsigned j) {
    std::cout.flush();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) job(o, configs, shared, j);
    pids[j] = pid;
  };
  for (unsigned j = 0; j < jobs; ++j) spawn(j);
  std::uint64_t crashes = 0;
  unsigned alive = jobs;
  auto last = begin;
  while (alive > 0) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      auto now = std::chrono::steady_clock::now();
      if (now - last >= std::chrono::seconds(10)) {
        last = now;
        write_line("  " + std::to_string(shared.done.load()) + " / " + std::to_string(o.seeds) +
                   " graphs, " + std::to_string(shared.failures.load() + crashes) +
                   " failing, " +
                   std::to_string(std::chrono::duration<double>(now - begin).count()) + " s");
      }
      continue;
    }
    unsigned j = 0;
    while (j < jobs && pids[j] != pid) ++j;
    if (j == jobs) continue;
    --alive;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    std::uint64_t seed = shared.current[j].load();
    ++crashes;
    write_line("CRASH seed " + std::to_string(seed) + ": " +
               (WIFSIGNALED(status) ? std::string(strsignal(WTERMSIG(status)))
                                    : "exit status " + std::to_string(WEXITSTATUS(status))));
    shared.current[j].store(Shared::kIdle);
    shared.done.fetch_add(1);
    if (shared.next.load() < o.seeds) {
      spawn(j);
      ++alive;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::uint64_t failing = shared.failures.load() + crashes;
  std::cout << "soak: " << o.seeds << " graphs (" << shared.deadlocks.load()
            << " deadlock in the reference), " << failing << " failing (" << crashes
            << " crashed), " << seconds << " s" << std::endl;
  munmap(memory, sizeof(Shared));
  return failing ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    if (o.replay) return replay(o);
    if (o.reduce) return reduce(o);
    return soak(o);
  } catch (const std::exception& e) {
    std::cerr << "verification_soak: error: " << e.what() << '\n' << kUsage;
    return 2;
  }
}
