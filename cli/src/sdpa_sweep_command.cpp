// dfsim sdpa-sweep: every variant over several N; results written as they come (CSV and JSON),
// then plots and a Markdown report drawn by scripts/plot_sweep.py (python3 + matplotlib).
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "estimate.hpp"
#include "exit_codes.hpp"
#include "result_folder.hpp"
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
// The min-depth search runs the graph about log2(N) times per FIFO: above this N it is skipped
// unless --min-depth-max-n raises the limit.
constexpr std::size_t kDefaultMinDepthMaxN = 1024;
// Exit status of plot_sweep.py when matplotlib is missing (it still writes the report).
constexpr int kPlotNoMatplotlib = 3;

struct SweepArgs {
  std::string sizes = kDefaultSizes;
  std::string variants = "all";
  std::string preset = "spatial-calibrated";
  std::string precision = "fp64";
  std::string d = "1";
  std::string out = "results/sweep";
  std::uint64_t seed = 1;
  unsigned threads = 1;
  std::size_t min_depth_max_n = kDefaultMinDepthMaxN;
  bool no_plots = false;
  bool json = false;
  std::string plot_script = DFSIM_SOURCE_DIR "/scripts/plot_sweep.py";
  std::string python = "/usr/bin/python3";
};

// The CSV columns, in order: each is a key of a result row's JSON object.
const std::vector<std::string> kColumns = {
    "variant", "n", "d", "preset", "precision", "ii_max", "ideal_cycles",
    // run 1: the preset's FIFO depths
    "status", "cycles", "throughput", "overhead_cycles", "max_abs_error", "non_finite",
    "default_memory_elements",
    // run 2: every FIFO unbounded, unit preset
    "unbounded_unit_cycles", "intermediate_memory_elements", "intermediate_memory_bytes",
    "long_fifo_peak", "max_fifo_peak",
    // run 3: minimal depths, the preset's timing
    "unbounded_cycles", "min_depth_cycles", "min_depth_long", "min_depth_max", "min_depth_sum",
    "min_depths", "wall_seconds",
    // which runs ended (a row stopped by a signal has fewer)
    "runs_done"};

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || n == 0)
      throw UsageError("--n '" + text + "': '" + item +
                       "' is not a positive integer; give a comma-separated list, e.g. 64,128,256");
    sizes.push_back(n);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return sizes;
}

std::vector<sdpa::Variant> parse_variants(const std::string& text) {
  if (text == "all") return sdpa::all_variants();
  std::vector<sdpa::Variant> variants;
  std::size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    variants.push_back(
        variant_flag(text.substr(start, comma == std::string::npos ? comma : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return variants;
}

json fifos_json(const std::vector<sdpa::FifoStats>& fifos) {
  json a = json::array();
  for (const auto& f : fifos)
    a.push_back({{"name", f.name},
                 {"capacity", f.capacity ? json(*f.capacity) : json("unbounded")},
                 {"peak_occupancy", f.peak_occupancy},
                 {"elements", f.elements},
                 {"internal", f.internal}});
  return a;
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// RFC 4180 quoting: an error message in a status may hold commas or quotes.
std::string csv_field(const json& v) {
  std::string text = csv_cell(v);
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// results.json and results.csv, each replaced whole (write_atomically) after every change, so
// that a reader, or a sweep killed at any instant, never sees half a file or half a CSV line.
class SweepFiles {
 public:
  SweepFiles(const fs::path& dir, json config) : dir_(dir), doc_{{"config", std::move(config)}} {
    doc_["status"] = "running";
    doc_["results"] = json::array();
    for (std::size_t i = 0; i < kColumns.size(); ++i) csv_ += (i ? "," : "") + kColumns[i];
    csv_ += "\n";
    write_atomically(dir_ / "results.csv", csv_);
    write_json();
  }
  json& add_row(json row) {
    doc_["results"].push_back(std::move(row));
    return doc_["results"].back();
  }
  void write_json() { write_atomically(dir_ / "results.json", doc_.dump(2) + "\n"); }
  void append_csv(const json& row) {
    for (std::size_t i = 0; i < kColumns.size(); ++i)
      csv_ += (i ? "," : "") + csv_field(row.contains(kColumns[i]) ? row[kColumns[i]] : json());
    csv_ += "\n";
    write_atomically(dir_ / "results.csv", csv_);
  }
  // `sig`: the signal that stopped the sweep, 0 if none did.
  void finish(const std::string& status, double wall, int sig) {
    doc_["status"] = status;
    if (sig) doc_["signal"] = signal_name(sig);
    doc_["wall_seconds"] = wall;
    write_json();
  }
  const json& results() const { return doc_["results"]; }
  const json& document() const { return doc_; }

 private:
  fs::path dir_;
  json doc_;
  std::string csv_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The sweep's minimal-depth search: like sdpa::find_min_depths (each FIFO bisected with the
// others unbounded, keeping the unbounded run's cycles), but bounded in time: only the FIFOs the
// claims are about (the naive graphs' long FIFOs; every FIFO of the reordered graphs), and the
// bisection starts from the preset's depth when the preset run already reaches the unbounded
// cycles (deeper never slows a graph down, so that depth suffices) instead of from the peak
// occupancy of the unbounded run, which a fast producer makes about N^2/2. It runs the graph
// dozens of times, so a signal stops it between two runs (nullopt then).
struct DepthSearch {
  Cycle unbounded_cycles = 0;
  std::map<std::string, std::uint64_t> depth;
  Cycle cycles_with_min_depths = 0;  // searched FIFOs at their minimum, the others at the preset's
  std::size_t runs = 0;
};

std::optional<DepthSearch> bounded_min_depths(const sdpa::AttentionConfig& base,
                                              const sdpa::ResolvedConfig& resolved,
                                              const std::vector<sdpa::Tensors>& inputs,
                                              std::optional<Cycle> preset_cycles,
                                              const InterruptFlag& interrupt) {
  DepthSearch result;
  sdpa::AttentionConfig unbounded = base;
  unbounded.unbounded = true;
  unbounded.depths.clear();
  auto reference = sdpa::simulate_attention(unbounded, inputs);
  ++result.runs;
  if (!reference.run.ok())
    throw std::runtime_error("the run with every FIFO unbounded did not complete: " +
                             reference.run.describe_problem());
  result.unbounded_cycles = reference.run.elapsed_cycles;
  bool preset_suffices = preset_cycles && *preset_cycles == result.unbounded_cycles;

  bool naive = base.variant == sdpa::Variant::naive || base.variant == sdpa::Variant::naive_stable;
  auto names = naive ? long_fifo_names(base.variant) : sdpa::fifo_names(base.variant);
  for (const auto& fifo : names) {
    std::uint64_t hi = 1;
    for (const auto& f : reference.fifos)
      if (f.name == fifo) hi = std::max(hi, f.peak_occupancy);
    auto preset = resolved.depths.at(fifo);
    if (preset_suffices && preset) hi = std::min(hi, *preset);
    std::uint64_t lo = 1;
    while (lo < hi) {
      if (interrupt.signal()) return std::nullopt;
      std::uint64_t mid = lo + (hi - lo) / 2;
      sdpa::AttentionConfig probe = unbounded;
      probe.depths[fifo] = mid;
      auto r = sdpa::simulate_attention(probe, inputs);
      ++result.runs;
      if (r.run.ok() && r.run.elapsed_cycles == result.unbounded_cycles)
        hi = mid;
      else
        lo = mid + 1;
    }
    result.depth[fifo] = lo;
  }
  if (interrupt.signal()) return std::nullopt;
  sdpa::AttentionConfig together = base;
  for (const auto& [fifo, depth] : result.depth) together.depths[fifo] = depth;
  auto r = sdpa::simulate_attention(together, inputs);
  ++result.runs;
  result.cycles_with_min_depths = r.run.ok() ? r.run.elapsed_cycles : 0;
  return result;
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

// The report without plots or conclusions, for when python3 cannot run the plot script.
void write_fallback_report(const fs::path& dir, const json& results, const std::string& why) {
  std::string md = "# SDPA sweep\n\n";
  md += "Plots and conclusions are missing: " + why + ".\n";
  md += "Draw them later with `/usr/bin/python3 scripts/plot_sweep.py " + dir.string() + "`.\n\n";
  md +=
      "| variant | N | cycles | ideal cycles | throughput | intermediate memory (elements, "
      "unbounded, unit preset) | min long-FIFO depth | max abs error |\n";
  md += "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results)
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", csv_cell(r["variant"]),
                      csv_cell(r["n"]), csv_cell(r.value("cycles", json())),
                      csv_cell(r["ideal_cycles"]), csv_cell(r.value("throughput", json())),
                      csv_cell(r.value("intermediate_memory_elements", json())),
                      csv_cell(r.value("min_depth_long", json())),
                      csv_cell(r.value("max_abs_error", json())));
  md += "\nThe data: results.csv and results.json (columns explained in docs/outputs.md).\n";
  write_atomically(dir / "report.md", md);
}

std::string opt_cell(const json& row, const char* key, const char* format = "{}") {
  if (!row.contains(key) || row[key].is_null()) return "-";
  if (row[key].is_number_float()) return fmt::format(fmt::runtime(format), row[key].get<double>());
  return csv_cell(row[key]);
}

void print_summary(const json& results) {
  fmt::print("\n{:<17} {:>6} {:>10} {:>10} {:>10} {:>14} {:>10} {:>11}\n", "variant", "N", "cycles",
             "ideal", "throughput", "memory (elem)", "min long", "max error");
  for (const auto& r : results)
    fmt::print("{:<17} {:>6} {:>10} {:>10} {:>10} {:>14} {:>10} {:>11}\n",
               r["variant"].get<std::string>(), r["n"].get<std::size_t>(), opt_cell(r, "cycles"),
               opt_cell(r, "ideal_cycles"), opt_cell(r, "throughput", "{:.4f}"),
               opt_cell(r, "intermediate_memory_elements"), opt_cell(r, "min_depth_long"),
               opt_cell(r, "max_abs_error", "{:.2g}"));
  fmt::print(
      "(memory: peak occupancy summed over internal FIFOs, every FIFO unbounded, unit "
      "preset; min long: smallest long-FIFO depth at full throughput, naive variants)\n");
}

// The sweep's values, checked: every configuration resolves before anything runs or is written.
struct Plan {
  std::vector<std::size_t> sizes;
  std::vector<sdpa::Variant> variants;
  sdpa::Preset preset = sdpa::Preset::unit;
  sdpa::Precision precision = sdpa::Precision::fp64;
  std::size_t d = 0;
};

Plan make_plan(const SweepArgs& a) {
  Plan p{.sizes = parse_sizes(a.sizes),
         .variants = parse_variants(a.variants),
         .preset = preset_flag(a.preset),
         .precision = precision_flag(a.precision)};
  auto [end, ec] = std::from_chars(a.d.data(), a.d.data() + a.d.size(), p.d);
  if (ec != std::errc() || end != a.d.data() + a.d.size() || p.d == 0)
    throw UsageError("--d '" + a.d + "' must be a positive integer");
  for (auto v : p.variants)
    for (auto n : p.sizes) {
      resolve_or_usage(
          {.variant = v, .n = n, .d = p.d, .precision = p.precision, .preset = p.preset});
      resolve_or_usage({.variant = v,
                        .n = n,
                        .d = p.d,
                        .precision = p.precision,
                        .preset = sdpa::Preset::unit,
                        .unbounded = true});
    }
  check_threads(a.threads);
  return p;
}

json sweep_config(const Plan& p, const SweepArgs& a) {
  json config = {{"n", p.sizes},
                 {"variants", json::array()},
                 {"preset", sdpa::to_string(p.preset)},
                 {"precision", sdpa::to_string(p.precision)},
                 {"d", p.d},
                 {"seed", a.seed},
                 {"threads", a.threads},
                 {"min_depth_max_n", a.min_depth_max_n}};
  for (auto v : p.variants) config["variants"].push_back(sdpa::to_string(v));
  return config;
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

// One (variant, N): what its three runs share, and what they have found so far.
struct Point {
  const SweepArgs& args;
  sdpa::Variant variant;
  std::size_t n;
  std::string name;  // "naive N=64"
  std::vector<sdpa::Tensors> inputs;
  sdpa::AttentionConfig base;
  sdpa::ResolvedConfig resolved;
  Cycle ideal = 0;
  json& row;
  RunCounter& counter;
  const InterruptFlag& interrupt;
  std::string outcome;                 // the row's status once every run has ended
  std::optional<Cycle> preset_cycles;  // run 1's, when it completed
  double wall = 0;
  int worst = kExitOk;
};

enum class Ended { ran, skipped, interrupted };

void record_error(Point& p, const char* stage, const std::exception& e) {
  p.outcome = std::string("error in ") + stage + ": " + e.what();
  p.worst = std::max(p.worst, kExitFailure);
  fmt::print(stderr, "dfsim: warning: {} {}: {}\n", p.name, stage, e.what());
}

std::atomic<bool> told_of_signal{false};

// A run cannot be cut short, and may last minutes: the progress callback (about once a second)
// says at once that the signal was seen, and how to stop without waiting.
RunOptions run_options(const Point& p, std::string label, Cycle expected) {
  RunOptions options{.threads = p.args.threads};
  auto show = progress_printer(std::move(label), expected);
  const InterruptFlag& interrupt = p.interrupt;
  options.on_progress = [show, &interrupt](const Progress& progress) {
    if (int sig = interrupt.signal(); sig && !told_of_signal.exchange(true)) {
      end_progress();
      fmt::print(
          stderr,
          "dfsim: {} received: the sweep stops when this run ends ({} again stops it at once)\n",
          signal_name(sig), signal_name(sig));
    }
    if (show) show(progress);
  };
  return options;
}

// 1. The preset's FIFO depths: cycles, throughput, error.
Ended run_preset(Point& p) {
  try {
    auto start = std::chrono::steady_clock::now();
    auto r = sdpa::simulate_attention(p.base, p.inputs, run_options(p, p.name, p.ideal));
    end_progress();
    double wall = seconds_since(start);
    p.wall += wall;
    p.outcome = r.non_finite && r.run.ok() ? "overflow" : to_string(r.run.status);
    if (p.outcome == "completed") p.preset_cycles = r.run.elapsed_cycles;
    json& row = p.row;
    row["cycles"] = r.run.elapsed_cycles;
    row["throughput"] = r.throughput;
    row["overhead_cycles"] =
        static_cast<std::int64_t>(r.run.elapsed_cycles) - static_cast<std::int64_t>(p.ideal);
    row["max_abs_error"] = r.max_abs_error;
    row["non_finite"] = r.non_finite;
    row["default_memory_elements"] = r.intermediate_memory_elements;
    row["fifos_default"] = fifos_json(r.fifos);
    if (!r.run.ok()) row["problem"] = r.run.describe_problem();
    if (r.run.status == RunStatus::deadlock) p.worst = std::max(p.worst, kExitDeadlock);
    if (r.run.status == RunStatus::failed) p.worst = std::max(p.worst, kExitFailure);
    if (r.non_finite && r.run.ok()) p.worst = std::max(p.worst, kExitOverflow);
    p.counter.note(fmt::format("{:<22} preset depths: {} cycles, throughput {:.4f}, {}", p.name,
                               r.run.elapsed_cycles, r.throughput, p.outcome),
                   wall);
  } catch (const std::exception& e) {
    end_progress();
    record_error(p, "the preset-depth run", e);
    p.counter.note(p.name + " preset depths: error", 0);
  }
  return Ended::ran;
}

// 2. Every FIFO unbounded, unit preset: peak occupancies and intermediate memory.
Ended run_unbounded(Point& p) {
  try {
    auto start = std::chrono::steady_clock::now();
    sdpa::AttentionConfig unbounded = p.base;
    unbounded.preset = sdpa::Preset::unit;
    unbounded.unbounded = true;
    auto r = sdpa::simulate_attention(unbounded, p.inputs,
                                      run_options(p, p.name + " unbounded", Cycle{p.n} * p.n));
    end_progress();
    double wall = seconds_since(start);
    p.wall += wall;
    json& row = p.row;
    row["unbounded_unit_cycles"] = r.run.elapsed_cycles;
    row["intermediate_memory_elements"] = r.intermediate_memory_elements;
    row["intermediate_memory_bytes"] = r.intermediate_memory_bytes;
    std::uint64_t max_peak = 0;
    std::optional<std::uint64_t> long_peak;
    auto longs = long_fifo_names(p.variant);
    for (const auto& f : r.fifos) {
      if (f.internal) max_peak = std::max(max_peak, f.peak_occupancy);
      if (std::find(longs.begin(), longs.end(), f.name) != longs.end())
        long_peak = std::max(long_peak.value_or(0), f.peak_occupancy);
    }
    row["max_fifo_peak"] = max_peak;
    row["long_fifo_peak"] = long_peak ? json(*long_peak) : json();
    row["fifos_unbounded_unit"] = fifos_json(r.fifos);
    p.counter.note(fmt::format("{:<22} unbounded, unit preset: intermediate memory {} elements",
                               p.name, r.intermediate_memory_elements),
                   wall);
  } catch (const std::exception& e) {
    end_progress();
    record_error(p, "the unbounded run", e);
    p.counter.note(p.name + " unbounded: error", 0);
  }
  return Ended::ran;
}

void record_min_depths(Point& p, const DepthSearch& m, double wall) {
  std::string list;
  std::uint64_t max_depth = 0, sum = 0;
  std::optional<std::uint64_t> long_depth;
  auto longs = long_fifo_names(p.variant);
  for (const auto& [fifo, depth] : m.depth) {
    list += (list.empty() ? "" : ";") + fifo + "=" + std::to_string(depth);
    max_depth = std::max(max_depth, depth);
    sum += depth;
    if (std::find(longs.begin(), longs.end(), fifo) != longs.end())
      long_depth = std::max(long_depth.value_or(0), depth);
  }
  json& row = p.row;
  row["unbounded_cycles"] = m.unbounded_cycles;
  row["min_depth_cycles"] = m.cycles_with_min_depths;
  row["min_depths"] = list;
  row["min_depth_max"] = max_depth;
  row["min_depth_sum"] = sum;
  row["min_depth_long"] = long_depth ? json(*long_depth) : json();
  row["min_depths_by_fifo"] = m.depth;
  p.counter.note(fmt::format("{:<22} min depths ({} runs): {}{}", p.name, m.runs,
                             long_depth ? "long FIFO " + std::to_string(*long_depth)
                                        : "deepest FIFO " + std::to_string(max_depth),
                             m.cycles_with_min_depths == m.unbounded_cycles
                                 ? ""
                                 : " (all together: more cycles than unbounded)"),
                 wall);
}

// 3. Minimal depths at the preset's timing. Many runs: a signal stops it between two of them.
Ended run_min_depths(Point& p) {
  if (p.n > p.args.min_depth_max_n) {
    p.counter.note(fmt::format("{:<22} min depths: skipped (N > --min-depth-max-n {})", p.name,
                               p.args.min_depth_max_n),
                   0);
    return Ended::skipped;
  }
  try {
    auto start = std::chrono::steady_clock::now();
    auto m = bounded_min_depths(p.base, p.resolved, p.inputs, p.preset_cycles, p.interrupt);
    if (!m) return Ended::interrupted;
    double wall = seconds_since(start);
    p.wall += wall;
    record_min_depths(p, *m, wall);
  } catch (const std::exception& e) {
    record_error(p, "the min-depth search", e);
    p.counter.note(p.name + " min depths: error", 0);
  }
  return Ended::ran;
}

// The row is written after every run with status "running" and the runs done so far; it gets
// its final status only when all three have ended, so a half-done row never reads "completed".
// A signal stops the point between two runs; false then.
bool run_point(Point& p, SweepFiles& files) {
  struct Stage {
    const char* label;
    Ended (*run)(Point&);
  };
  static constexpr Stage kStages[] = {
      {"preset", run_preset}, {"unbounded", run_unbounded}, {"min-depths", run_min_depths}};
  files.write_json();  // a sweep killed outright still shows which point it was on
  std::string done;
  bool whole = true;
  for (const auto& stage : kStages) {
    // Run 1 always runs: an interrupted row has at least one run to show.
    Ended ended = &stage != kStages && p.interrupt.signal() ? Ended::interrupted : stage.run(p);
    if (ended == Ended::interrupted) {
      whole = false;
      break;
    }
    if (ended == Ended::ran) done += (done.empty() ? "" : ";") + std::string(stage.label);
    p.row["runs_done"] = done;
    p.row["wall_seconds"] = p.wall;
    files.write_json();
  }
  std::string problem = p.outcome == "completed" ? "" : " (" + p.outcome + ")";
  p.row["status"] = whole ? p.outcome : "interrupted after " + done + problem;
  files.write_json();
  files.append_csv(p.row);
  return whole;
}

// Every (variant, N) in order; false if a signal stopped the sweep before the last.
bool run_points(const Plan& plan, const SweepArgs& a, SweepFiles& files, RunCounter& counter,
                const InterruptFlag& interrupt, int& worst) {
  for (auto v : plan.variants)
    for (auto n : plan.sizes) {
      if (interrupt.signal()) return false;
      sdpa::AttentionConfig base{
          .variant = v, .n = n, .d = plan.d, .precision = plan.precision, .preset = plan.preset};
      auto resolved = resolve_or_usage(base);
      Cycle ideal = static_cast<Cycle>(resolved.max_initiation_interval) * n * n;
      json& row = files.add_row({{"variant", sdpa::to_string(v)},
                                 {"n", n},
                                 {"d", plan.d},
                                 {"preset", sdpa::to_string(plan.preset)},
                                 {"precision", sdpa::to_string(plan.precision)},
                                 {"ii_max", resolved.max_initiation_interval},
                                 {"ideal_cycles", ideal},
                                 {"status", "running"},
                                 {"runs_done", ""}});
      Point p{.args = a,
              .variant = v,
              .n = n,
              .name = fmt::format("{} N={}", sdpa::to_string(v), n),
              .inputs = {sdpa::random_tensors(n, plan.d, a.seed)},
              .base = base,
              .resolved = resolved,
              .ideal = ideal,
              .row = row,
              .counter = counter,
              .interrupt = interrupt};
      bool whole = run_point(p, files);
      worst = std::max(worst, p.worst);
      if (!whole) return false;
    }
  return true;
}

// plot_sweep.py, or the plain report when it cannot run; true if plots were drawn.
bool draw_report(const SweepArgs& a, const fs::path& dir, const json& results, int& worst) {
  // The fallback first, so that one exists whatever happens to python.
  write_fallback_report(dir, results, "the plot script did not run");
  std::error_code ec;
  if (!fs::exists(a.python, ec)) {
    write_fallback_report(dir, results, a.python + " was not found");
    fmt::print(stderr,
               "dfsim: warning: {} not found: report.md has no plots (install python3 "
               "and python3-matplotlib)\n",
               a.python);
    return false;
  }
  if (!fs::exists(a.plot_script, ec)) {
    write_fallback_report(dir, results, "the plot script " + a.plot_script + " was not found");
    fmt::print(stderr,
               "dfsim: warning: plot script {} not found (pass --plot-script): "
               "report.md has no plots\n",
               a.plot_script);
    return false;
  }
  fmt::print(stderr, "drawing the plots: {} {} {}\n", a.python, a.plot_script, dir.string());
  std::vector<std::string> cmd{a.python, a.plot_script, dir.string()};
  if (a.no_plots) cmd.push_back("--no-plots");
  int status = spawn_and_wait(cmd);
  if (status == 0) return !a.no_plots;
  if (status == kPlotNoMatplotlib) {
    fmt::print(stderr,
               "dfsim: warning: matplotlib is missing for {}: report.md has no plots "
               "(install python3-matplotlib)\n",
               a.python);
  } else if (status < 0) {
    write_fallback_report(dir, results, "could not run " + a.python);
    fmt::print(stderr, "dfsim: warning: could not run {}: {}; report.md has no plots\n", a.python,
               std::strerror(errno));
  } else {
    fmt::print(stderr, "dfsim: warning: {} exited with status {}: report.md may lack plots\n",
               a.plot_script, status);
    worst = std::max(worst, kExitFailure);
  }
  return false;
}

void print_results(const SweepArgs& a, const fs::path& dir, const SweepFiles& files,
                   const RunCounter& counter, bool plotted) {
  if (a.json) {
    json doc = files.document();
    doc["report"] = (dir / "report.md").string();
    doc["plots"] = plotted;
    fmt::print("{}\n", doc.dump(2));
    return;
  }
  print_summary(files.results());
  fmt::print("\n{} runs in {:.1f} s. Data: {}, {}\nReport: {}{}\n", counter.done(),
             counter.seconds(), (dir / "results.csv").string(), (dir / "results.json").string(),
             (dir / "report.md").string(), plotted ? " (with plots)" : " (no plots)");
}

// The data so far stays; the plain report replaces whatever report an earlier sweep left.
int stop_on_signal(const SweepArgs& a, const fs::path& dir, const SweepFiles& files,
                   const RunCounter& counter, int sig) {
  write_fallback_report(dir, files.results(), "the sweep was stopped by " + signal_name(sig));
  if (a.json) fmt::print("{}\n", files.document().dump(2));
  fmt::print(stderr,
             "dfsim: stopped by {} after {} of {} runs; the results so far are in {} (status "
             "\"{}\"); run the same command again to redo the sweep\n",
             signal_name(sig), counter.done(), counter.total(), dir.string(),
             files.document()["status"].get<std::string>());
  return kExitSignalBase + sig;
}

int run_sweep(const SweepArgs& a) {
  Plan plan = make_plan(a);
  note_sdpa_sweep({plan.variants, plan.sizes, plan.d, plan.preset, plan.precision,
                   a.min_depth_max_n});
  fs::path dir = a.out;
  std::optional<FolderLock> lock;
  try {
    lock.emplace(dir);
  } catch (const FolderInUse& e) {
    fmt::print(stderr, "dfsim: error: {}\n", e.what());
    return kExitBusy;
  }
  InterruptFlag interrupt;
  SweepFiles files(dir, sweep_config(plan, a));
  RunCounter counter(plan.variants.size() * plan.sizes.size() * 3);
  int worst = kExitOk;
  bool whole = run_points(plan, a, files, counter, interrupt, worst);
  files.finish(!whole             ? "interrupted"
               : worst == kExitOk ? "complete"
                                  : "complete with problems",
               counter.seconds(), whole ? 0 : interrupt.signal());
  if (int sig = interrupt.signal()) return stop_on_signal(a, dir, files, counter, sig);

  bool plotted = draw_report(a, dir, files.results(), worst);
  print_results(a, dir, files, counter, plotted);
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
  cmd->add_option("--preset", args->preset, "unit timing of the depth runs")->capture_default_str();
  cmd->add_option("--precision", args->precision, "fp64 or fp32")->capture_default_str();
  cmd->add_option("--d", args->d, "head dimension")->type_name("D")->capture_default_str();
  cmd->add_option("--out", args->out, "output folder")->type_name("DIR")->capture_default_str();
  cmd->add_option("--seed", args->seed, "random Q, K, V from this seed")->capture_default_str();
  cmd->add_option("--threads", args->threads, "engine worker threads per run")
      ->capture_default_str();
  cmd->add_option("--min-depth-max-n", args->min_depth_max_n,
                  "skip the min-depth search above this N (it runs the graph many times)")
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
  cmd->callback([&action, args] { action = [args] { return run_sweep(*args); }; });
}

}  // namespace dfsim::cli
