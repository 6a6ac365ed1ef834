// dfsim sdpa-sweep: every variant over several N; results written as they come (CSV and JSON),
// then the plots (scripts/plot_sweep.py, python3 + matplotlib) and report.md (the experiments
// layer, which says when the plots are missing).
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "estimate.hpp"
#include "exit_codes.hpp"
#include "dfsim/experiments/report.hpp"
#include "dfsim/experiments/result_folder.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/experiments/sweep_run.hpp"
#include "interrupt_flag.hpp"
#include "sdpa_common.hpp"

extern char** environ;

namespace dfsim::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

#ifndef DFSIM_SOURCE_DIR
#define DFSIM_SOURCE_DIR "."
#endif

constexpr const char* kDefaultSizes = "64,128,256,512,1024";
// Exit status of plot_sweep.py when matplotlib is missing (it still writes the report).
constexpr int kPlotNoMatplotlib = 3;

struct SweepArgs {
  std::string sizes = kDefaultSizes;
  std::string variants = "all";
  std::string preset = "spatial-calibrated";
  std::string precision = "fp64";
  std::string causal = "none";
  std::string decode = "0";
  unsigned heads = 1;
  std::string kv_heads;  // empty: heads (independent heads)
  std::string lanes = "1";
  std::string d = "1";
  std::string out = "results/sweep";
  std::uint64_t seed = 1;
  unsigned threads = 1;
  std::size_t min_depth_max_n = experiments::kDefaultMinDepthMaxN;
  bool no_plots = false;
  bool json = false;
  std::string plot_script = DFSIM_SOURCE_DIR "/scripts/plot_sweep.py";
  std::string python = "/usr/bin/python3";
  std::string scheduler;  // "": in process; "local" or tcp://HOST:PORT: on Dask
  unsigned workers = 0;   // points at once; 0: 1 in process, one per core on a local cluster
  bool fresh = false;
  std::size_t depth_curve = 0;  // depths per curve; 0: no curve
};

// "a,b,c" -> {"a", "b", "c"} (an empty item stays, for the reader to refuse).
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> items;
  for (std::size_t start = 0;;) {
    auto comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// A comma-separated list of integers, each at least `least`.
template <class T>
std::vector<T> parse_counts(const std::string& text, const std::string& flag, T least,
                            const char* example) {
  std::vector<T> counts;
  for (const std::string& item : split(text)) {
    T n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || n < least)
      throw UsageError(flag + " '" + text + "': '" + item + "' is not " +
                       (least ? "a positive integer" : "an integer of 0 or more") +
                       "; give a comma-separated list, e.g. " + example);
    counts.push_back(n);
  }
  return counts;
}

// Each item read by `read` (variant_flag, precision_flag, ...).
template <class Read>
auto parse_names(const std::string& text, Read read) {
  std::vector<decltype(read(text))> list;
  for (const std::string& item : split(text)) list.push_back(read(item));
  return list;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs `argv` and waits; -1 with errno set if it could not start.
int spawn_and_wait(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int err = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (err != 0) {
    errno = err;
    return -1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// The "[ 7/60] ..." lines on stderr.
class RunCounter {
 public:
  explicit RunCounter(std::size_t total) : total_(total) {}
  void note(const std::string& what, double wall) {
    ++done_;
    fmt::print(stderr, "[{:>{}}/{}] {} ({:.2f} s; {:.1f} s so far)\n", done_,
               std::to_string(total_).size(), total_, what, wall, seconds());
  }
  std::size_t done() const { return done_; }
  std::size_t total() const { return total_; }
  double seconds() const { return seconds_since(start_); }

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The sweep's values, checked: every configuration resolves before anything runs or is written.
experiments::SweepPlan make_plan(const SweepArgs& a) {
  experiments::SweepPlan p{
      .variants = a.variants == "all" ? sdpa::all_variants() : parse_names(a.variants, variant_flag),
      .sizes = parse_counts<std::size_t>(a.sizes, "--n", 1, "64,128,256"),
      .preset = preset_flag(a.preset),
      .precisions = parse_names(a.precision, precision_flag),
      .causal = parse_names(a.causal, causal_flag),
      .decode = parse_counts<std::size_t>(a.decode, "--decode", 0, "0,1,8 (0: prefill)"),
      .heads = a.heads,
      .kv_heads = a.kv_heads.empty() ? std::vector<unsigned>{0}
                                     : parse_counts<unsigned>(a.kv_heads, "--kv-heads", 1, "1,2,4"),
      .lanes = parse_counts<unsigned>(a.lanes, "--lanes", 1, "1,2,4"),
      .seed = a.seed,
      .threads = a.threads,
      .min_depth_max_n = a.min_depth_max_n,
      .depth_curve = a.depth_curve};
  auto [end, ec] = std::from_chars(a.d.data(), a.d.data() + a.d.size(), p.d);
  if (ec != std::errc() || end != a.d.data() + a.d.size() || p.d == 0)
    throw UsageError("--d '" + a.d + "' must be a positive integer");
  try {
    experiments::check(p);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  return p;
}

std::atomic<bool> told_of_signal{false};

// A run cannot be cut short, and may last minutes: the progress callback (about once a second)
// says at once that the signal was seen, and how to stop without waiting.
experiments::PointOptions point_options(const experiments::SweepPlan& plan,
                                        const InterruptFlag& interrupt, RunCounter& counter) {
  experiments::PointOptions o = experiments::point_options(plan);
  o.stop = [&interrupt] { return interrupt.signal() != 0; };
  o.progress = [&interrupt](const std::string& label, Cycle expected) {
    auto show = progress_printer(label, expected);
    return [show, &interrupt](const Progress& progress) {
      if (int sig = interrupt.signal(); sig && !told_of_signal.exchange(true)) {
        end_progress();
        fmt::print(stderr,
                   "dfsim: {} received: the sweep stops when this run ends ({} again stops it at "
                   "once)\n",
                   signal_name(sig), signal_name(sig));
      }
      if (show) show(progress);
    };
  };
  o.on_stage_end = [&counter](const experiments::StageEnd& e) {
    end_progress();
    if (!e.error.empty())
      fmt::print(stderr, "dfsim: warning: {} ({}): {}\n", e.summary, experiments::to_string(e.stage),
                 e.error);
    counter.note(e.summary, e.wall_seconds);
  };
  return o;
}

// The exit status a final row's status asks for (a row kept from an earlier run counts too).
int row_status(const experiments::Row& row) {
  if (row.status == "completed" || !experiments::is_final(row)) return kExitOk;
  if (row.status == "deadlock") return kExitDeadlock;
  if (row.status == "overflow") return kExitOverflow;
  return kExitFailure;
}

// The points still missing from the folder, `workers` at a time (experiments/sweep_run.hpp);
// false if a signal stopped the sweep.
bool run_points(experiments::SweepRun& run, const SweepArgs& a, RunCounter& counter,
                const InterruptFlag& interrupt, int& worst) {
  experiments::PointOptions options = point_options(run.plan(), interrupt, counter);
  // Live lines of several runs at once would overwrite each other: only the per-run lines then.
  if (a.workers > 1) options.progress = nullptr;
  const bool whole = experiments::run_in_process(
      run, options,
      {.workers = std::max(1u, a.workers), .on_point = [&](const experiments::Row&, const std::string& line) {
         if (a.workers > 1) fmt::print(stderr, "{}\n", line);
       }});
  for (const experiments::Row& row : run.rows()) worst = std::max(worst, row_status(row));
  return whole;
}

// The plots, drawn by plot_sweep.py; "" when they were, otherwise why not (for the report).
std::string draw_plots(const SweepArgs& a, const fs::path& dir, int& worst) {
  if (a.no_plots) return "--no-plots";
  std::error_code ec;
  if (!fs::exists(a.python, ec)) {
    fmt::print(stderr,
               "dfsim: warning: {} not found: report.md has no plots (install python3 "
               "and python3-matplotlib)\n",
               a.python);
    return a.python + " was not found";
  }
  if (!fs::exists(a.plot_script, ec)) {
    fmt::print(stderr,
               "dfsim: warning: plot script {} not found (pass --plot-script): "
               "report.md has no plots\n",
               a.plot_script);
    return "the plot script " + a.plot_script + " was not found";
  }
  fmt::print(stderr, "drawing the plots: {} {} {}\n", a.python, a.plot_script, dir.string());
  int status = spawn_and_wait({a.python, a.plot_script, dir.string()});
  if (status == 0) return "";
  if (status == kPlotNoMatplotlib) {
    fmt::print(stderr,
               "dfsim: warning: matplotlib is missing for {}: report.md has no plots "
               "(install python3-matplotlib)\n",
               a.python);
    return "matplotlib is not installed (apt install python3-matplotlib)";
  }
  if (status < 0) {
    fmt::print(stderr, "dfsim: warning: could not run {}: {}; report.md has no plots\n", a.python,
               std::strerror(errno));
    return "could not run " + a.python;
  }
  fmt::print(stderr, "dfsim: warning: {} exited with status {}: report.md may lack plots\n",
             a.plot_script, status);
  worst = std::max(worst, kExitFailure);
  return fmt::format("{} exited with status {}", a.plot_script, status);
}

// The plots (when python can draw them), then report.md; true if the plots were drawn.
bool draw_report(const SweepArgs& a, const fs::path& dir, const json& document, int& worst) {
  const std::string why = draw_plots(a, dir, worst);
  experiments::write_report(dir, experiments::sweep_document(document), {.why_no_plots = why});
  return why.empty();
}

void print_results(const SweepArgs& a, const fs::path& dir, const experiments::SweepRun& run,
                   const RunCounter& counter, bool plotted) {
  json doc = run.document();
  if (a.json) {
    doc["report"] = (dir / "report.md").string();
    doc["plots"] = plotted;
    fmt::print("{}\n", doc.dump(2));
    return;
  }
  fmt::print("\n{}", experiments::summary_table(doc["results"]));
  fmt::print("\n{} runs in {:.1f} s ({} points run, {} kept from an earlier run). Data: {}, {}\n"
             "Report: {}{}\n",
             counter.done(), counter.seconds(), run.pending().size(), run.resumed(),
             (dir / "results.csv").string(), (dir / "results.json").string(),
             (dir / "report.md").string(), plotted ? " (with plots)" : " (no plots)");
}

// The data so far stays; the plain report replaces whatever report an earlier sweep left.
int stop_on_signal(const SweepArgs& a, const fs::path& dir, const experiments::SweepRun& run,
                   int sig) {
  const json doc = run.document();
  experiments::write_report(dir, experiments::sweep_document(doc),
                            {.why_no_plots = "the sweep was stopped by " + signal_name(sig)});
  if (a.json) fmt::print("{}\n", doc.dump(2));
  fmt::print(stderr,
             "dfsim: stopped by {} after {} of {} points; the results so far are in {} (status "
             "\"{}\"); run the same command again to run only the points still missing\n",
             signal_name(sig), run.points_run(), run.pending().size(), dir.string(),
             doc["status"].get<std::string>());
  return kExitSignalBase + sig;
}

#ifndef DFSIM_PYTHON_PACKAGE_DIRS
#define DFSIM_PYTHON_PACKAGE_DIRS ""
#endif

// The folder holding the Python package `dfsim` with its Dask executor: the build's, else the
// installed one (python/CMakeLists.txt passes both); "" when this build has none.
std::string python_package_dir() {
  std::string dirs = DFSIM_PYTHON_PACKAGE_DIRS;
  for (std::size_t start = 0; start < dirs.size();) {
    std::size_t colon = std::min(dirs.find(':', start), dirs.size());
    std::string dir = dirs.substr(start, colon - start);
    std::error_code ec;
    if (!dir.empty() && fs::exists(fs::path(dir) / "dfsim" / "distributed.py", ec)) return dir;
    start = colon + 1;
  }
  return "";
}

// The same sweep on Dask: this process becomes `python3 -m dfsim.distributed --plan JSON` with
// the plan resolved here (experiments::to_json(plan): every field of it, and only this command
// parses the flags) and the executor's own arguments (python/dfsim/distributed.py runs it; its
// exit status is the sweep's). The plan travels as an argument: nothing to clean up after exec.
int run_on_dask(const SweepArgs& a, const experiments::SweepPlan& plan) {
  const std::string dir = python_package_dir();
  if (dir.empty())
    throw UsageError(std::string(DFSIM_PYTHON_PACKAGE_DIRS).empty()
                         ? "--scheduler needs the Python package, and this dfsim was built "
                           "without it (DFSIM_BUILD_PYTHON=OFF, as in the sanitizer builds): "
                           "build with -DDFSIM_BUILD_PYTHON=ON, or drop --scheduler"
                         : "--scheduler needs the Python package dfsim, not found in " +
                               std::string(DFSIM_PYTHON_PACKAGE_DIRS) +
                               ": build the target _dfsim, or cmake --install");
  std::vector<std::string> args = {a.python, "-m", "dfsim.distributed",
      "--plan", experiments::to_json(plan).dump(), "--out", a.out, "--scheduler", a.scheduler,
      "--workers", std::to_string(a.workers)};
  if (a.no_plots) args.push_back("--no-plots");
  if (a.json) args.push_back("--json");
  if (a.fresh) args.push_back("--fresh");
  const char* old = std::getenv("PYTHONPATH");
  ::setenv("PYTHONPATH", old && *old ? (dir + ":" + old).c_str() : dir.c_str(), 1);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ::execv(a.python.c_str(), argv.data());
  fmt::print(stderr, "dfsim: error: could not run {}: {} (pass --python)\n", a.python,
             std::strerror(errno));
  return kExitFailure;
}

int run_sweep(const SweepArgs& a) {
  experiments::SweepPlan plan = make_plan(a);
  if (!a.scheduler.empty()) return run_on_dask(a, plan);
  note_sdpa_sweep(plan);
  fs::path dir = a.out;
  std::optional<experiments::FolderLock> lock;
  try {
    lock.emplace(dir);
  } catch (const experiments::FolderInUse& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitBusy;
  }
  InterruptFlag interrupt;
  experiments::SweepRun run(plan, dir, a.fresh);
  if (run.resumed())
    fmt::print(stderr, "{} of {} points are already in {} (--fresh runs them again)\n",
               run.resumed(), run.resumed() + run.pending().size(), dir.string());
  RunCounter counter(run.pending().size() * (experiments::run_count(plan) /
                                             std::max<std::size_t>(1, experiments::points(plan).size())));
  int worst = kExitOk;
  const bool whole = run_points(run, a, counter, interrupt, worst);
  std::optional<std::string> stopped_by;
  if (!whole) stopped_by = signal_name(interrupt.signal());
  run.close(stopped_by);
  if (int sig = interrupt.signal()) return stop_on_signal(a, dir, run, sig);

  bool plotted = draw_report(a, dir, run.document(), worst);
  print_results(a, dir, run, counter, plotted);
  if (worst != kExitOk)
    fmt::print(stderr,
               "dfsim: error: some runs did not complete cleanly: see the status column "
               "of {}\n",
               (dir / "results.csv").string());
  // A signal during the plots: the data is whole, but the user asked to stop.
  if (int sig = interrupt.signal()) return kExitSignalBase + sig;
  return worst;
}

}  // namespace

void add_sdpa_sweep_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sdpa-sweep", "run every variant over several N and write results, plots and a report");
  cmd->add_option("--n", args->sizes, "sequence lengths, comma separated")
      ->type_name("N,N,...")
      ->capture_default_str();
  cmd->add_option("--variants", args->variants, "'all' or a comma-separated list")
      ->capture_default_str();
  cmd->add_option("--preset", args->preset, "timing preset of the depth runs: one-cycle or spatial-calibrated")->capture_default_str();
  cmd->add_option("--precision", args->precision, "fp64, fp32, fp16 or bf16; a comma-separated list")
      ->capture_default_str();
  cmd->add_option("--causal", args->causal,
                  "none, mask or skip (dfsim sdpa --causal); a comma-separated list")
      ->capture_default_str();
  cmd->add_option("--decode", args->decode,
                  "B decode rows against the N cached keys, 0 for prefill; a comma-separated "
                  "list (a B > 0 runs without a causal mask only)")
      ->type_name("B,B,...")
      ->capture_default_str();
  cmd->add_option("--heads", args->heads, "query heads of every point")->type_name("H")->capture_default_str();
  cmd->add_option("--kv-heads", args->kv_heads,
                  "K/V streams shared by the --heads query heads, each a divisor of --heads; a "
                  "comma-separated list (default: --heads, independent heads)")
      ->type_name("H,H,...");
  cmd->add_option("--lanes", args->lanes,
                  "parallel lanes of the key loop; a comma-separated list")
      ->type_name("L,L,...")
      ->capture_default_str();
  cmd->add_option("--d", args->d, "head dimension")->type_name("D")->capture_default_str();
  cmd->add_option("--out", args->out, "output folder")->type_name("DIR")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random Q, K, V from this seed")->capture_default_str();
  cmd->add_option("--threads", args->threads, "engine worker threads per run")
      ->capture_default_str();
  cmd->add_option("--min-depth-max-n", args->min_depth_max_n,
                  "skip the min-depth search above this N (it runs the graph many times)")
      ->capture_default_str();
  cmd->add_option("--depth-curve", args->depth_curve,
                  "K > 0: each point's depth-throughput curve (the naive graphs' long FIFO, the "
                  "reordered graphs' deepest) at about K depths around its minimum")
      ->type_name("K")
      ->capture_default_str();
  cmd->add_flag("--no-plots", args->no_plots, "write the report without drawing plots");
  cmd->add_flag("--json", args->json,
                "print results.json's content (and the report's path) instead of the summary");
  cmd->add_option("--plot-script", args->plot_script, "the script that draws the report")
      ->type_name("FILE")
      ->capture_default_str();
  cmd->add_option("--python", args->python, "the Python interpreter (with matplotlib)")
      ->type_name("FILE")
      ->capture_default_str();
  cmd->add_option("--scheduler", args->scheduler,
                  "run the points on Dask: 'local' (a cluster of worker processes on this "
                  "machine) or a scheduler's address tcp://HOST:PORT (docs/distributed.md)")
      ->type_name("ADDRESS");
  cmd->add_option("--workers", args->workers,
                  "points at once: threads in process (default 1), worker processes with "
                  "--scheduler local (default one per core)")
      ->type_name("N");
  cmd->add_flag("--fresh", args->fresh,
                "run every point again (by default the points --out already holds are kept)");
  cmd->callback([&action, args] { action = [args] { return run_sweep(*args); }; });
}

}  // namespace dfsim::cli
