// dfsim sdpa-sweep: every variant over several N; results written as they come (CSV and JSON),
// then plots and a Markdown report drawn by scripts/plot_sweep.py (python3 + matplotlib).
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "exit_codes.hpp"
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
    "min_depths", "wall_seconds"};

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

// Writes through a temporary file and a rename, so an interruption never leaves half a file.
void write_atomically(const fs::path& file, const std::string& text) {
  fs::path tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, file);
}

class SweepFiles {
 public:
  SweepFiles(const fs::path& dir, json config) : dir_(dir), doc_{{"config", std::move(config)}} {
    fs::create_directories(dir_);
    doc_["status"] = "running";
    doc_["results"] = json::array();
    std::ofstream csv(dir_ / "results.csv", std::ios::trunc);
    for (std::size_t i = 0; i < kColumns.size(); ++i) csv << (i ? "," : "") << kColumns[i];
    csv << "\n";
    if (!csv) throw std::runtime_error("cannot write " + (dir_ / "results.csv").string());
    write_json();
  }
  json& add_row(json row) {
    doc_["results"].push_back(std::move(row));
    return doc_["results"].back();
  }
  void write_json() { write_atomically(dir_ / "results.json", doc_.dump(2) + "\n"); }
  void append_csv(const json& row) {
    std::ofstream csv(dir_ / "results.csv", std::ios::app);
    for (std::size_t i = 0; i < kColumns.size(); ++i)
      csv << (i ? "," : "") << csv_cell(row.contains(kColumns[i]) ? row[kColumns[i]] : json());
    csv << "\n";
    if (!csv) throw std::runtime_error("cannot write " + (dir_ / "results.csv").string());
  }
  void finish(const std::string& status, double wall) {
    doc_["status"] = status;
    doc_["wall_seconds"] = wall;
    write_json();
  }
  const json& results() const { return doc_["results"]; }
  const json& document() const { return doc_; }

 private:
  fs::path dir_;
  json doc_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The sweep's minimal-depth search: like sdpa::find_min_depths (each FIFO bisected with the
// others unbounded, keeping the unbounded run's cycles), but bounded in time: only the FIFOs the
// claims are about (the naive graphs' long FIFOs; every FIFO of the reordered graphs), and the
// bisection starts from the preset's depth when the preset run already reaches the unbounded
// cycles (deeper never slows a graph down, so that depth suffices) instead of from the peak
// occupancy of the unbounded run, which a fast producer makes about N^2/2.
struct DepthSearch {
  Cycle unbounded_cycles = 0;
  std::map<std::string, std::uint64_t> depth;
  Cycle cycles_with_min_depths = 0;  // searched FIFOs at their minimum, the others at the preset's
  std::size_t runs = 0;
};

DepthSearch bounded_min_depths(const sdpa::AttentionConfig& base,
                               const sdpa::ResolvedConfig& resolved,
                               const std::vector<sdpa::Tensors>& inputs,
                               std::optional<Cycle> preset_cycles) {
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

int run_sweep(const SweepArgs& a) {
  auto sizes = parse_sizes(a.sizes);
  auto variants = parse_variants(a.variants);
  auto preset = preset_flag(a.preset);
  auto precision = precision_flag(a.precision);
  std::size_t d = 0;
  {
    auto [end, ec] = std::from_chars(a.d.data(), a.d.data() + a.d.size(), d);
    if (ec != std::errc() || end != a.d.data() + a.d.size() || d == 0)
      throw UsageError("--d '" + a.d + "' must be a positive integer");
  }
  // Every configuration is checked before anything runs.
  for (auto v : variants)
    for (auto n : sizes) {
      resolve_or_usage({.variant = v, .n = n, .d = d, .precision = precision, .preset = preset});
      resolve_or_usage({.variant = v,
                        .n = n,
                        .d = d,
                        .precision = precision,
                        .preset = sdpa::Preset::unit,
                        .unbounded = true});
    }

  fs::path dir = a.out;
  json config = {{"n", sizes},
                 {"variants", json::array()},
                 {"preset", sdpa::to_string(preset)},
                 {"precision", sdpa::to_string(precision)},
                 {"d", d},
                 {"seed", a.seed},
                 {"threads", a.threads},
                 {"min_depth_max_n", a.min_depth_max_n}};
  for (auto v : variants) config["variants"].push_back(sdpa::to_string(v));
  SweepFiles files(dir, config);

  std::size_t runs_per_point = 3;
  std::size_t total = variants.size() * sizes.size() * runs_per_point;
  std::size_t done = 0;
  int worst = kExitOk;
  auto sweep_start = std::chrono::steady_clock::now();
  auto note = [&](const std::string& what, double wall) {
    ++done;
    fmt::print(stderr, "[{:>{}}/{}] {} ({:.2f} s; {:.1f} s so far)\n", done,
               std::to_string(total).size(), total, what, wall, seconds_since(sweep_start));
  };

  for (auto v : variants) {
    for (auto n : sizes) {
      std::string name = fmt::format("{} N={}", sdpa::to_string(v), n);
      std::vector<sdpa::Tensors> inputs{sdpa::random_tensors(n, d, a.seed)};
      sdpa::AttentionConfig base{
          .variant = v, .n = n, .d = d, .precision = precision, .preset = preset};
      auto resolved = resolve_or_usage(base);
      Cycle ideal = static_cast<Cycle>(resolved.max_initiation_interval) * n * n;
      json& row = files.add_row({{"variant", sdpa::to_string(v)},
                                 {"n", n},
                                 {"d", d},
                                 {"preset", sdpa::to_string(preset)},
                                 {"precision", sdpa::to_string(precision)},
                                 {"ii_max", resolved.max_initiation_interval},
                                 {"ideal_cycles", ideal}});
      double row_wall = 0;
      auto record_error = [&](const char* stage, const std::exception& e) {
        row["status"] = std::string("error in ") + stage + ": " + e.what();
        worst = std::max(worst, kExitFailure);
        fmt::print(stderr, "dfsim: warning: {} {}: {}\n", name, stage, e.what());
      };

      // 1. The preset's FIFO depths: cycles, throughput, error.
      try {
        auto start = std::chrono::steady_clock::now();
        RunOptions options{.threads = a.threads};
        options.on_progress = progress_printer(name, ideal);
        auto r = sdpa::simulate_attention(base, inputs, options);
        end_progress();
        double wall = seconds_since(start);
        row_wall += wall;
        row["status"] = r.non_finite && r.run.ok() ? "overflow" : to_string(r.run.status);
        row["cycles"] = r.run.elapsed_cycles;
        row["throughput"] = r.throughput;
        row["overhead_cycles"] =
            static_cast<std::int64_t>(r.run.elapsed_cycles) - static_cast<std::int64_t>(ideal);
        row["max_abs_error"] = r.max_abs_error;
        row["non_finite"] = r.non_finite;
        row["default_memory_elements"] = r.intermediate_memory_elements;
        row["fifos_default"] = fifos_json(r.fifos);
        if (!r.run.ok()) row["problem"] = r.run.describe_problem();
        if (r.run.status == RunStatus::deadlock) worst = std::max(worst, kExitDeadlock);
        if (r.run.status == RunStatus::failed) worst = std::max(worst, kExitFailure);
        if (r.non_finite && r.run.ok()) worst = std::max(worst, kExitOverflow);
        note(fmt::format("{:<22} preset depths: {} cycles, throughput {:.4f}, {}", name,
                         r.run.elapsed_cycles, r.throughput, row["status"].get<std::string>()),
             wall);
      } catch (const std::exception& e) {
        end_progress();
        record_error("the preset-depth run", e);
        note(name + " preset depths: error", 0);
      }
      files.write_json();

      // 2. Every FIFO unbounded, unit preset: peak occupancies and intermediate memory.
      try {
        auto start = std::chrono::steady_clock::now();
        sdpa::AttentionConfig unbounded = base;
        unbounded.preset = sdpa::Preset::unit;
        unbounded.unbounded = true;
        RunOptions options{.threads = a.threads};
        options.on_progress = progress_printer(name + " unbounded", Cycle{n} * n);
        auto r = sdpa::simulate_attention(unbounded, inputs, options);
        end_progress();
        double wall = seconds_since(start);
        row_wall += wall;
        row["unbounded_unit_cycles"] = r.run.elapsed_cycles;
        row["intermediate_memory_elements"] = r.intermediate_memory_elements;
        row["intermediate_memory_bytes"] = r.intermediate_memory_bytes;
        std::uint64_t max_peak = 0;
        std::optional<std::uint64_t> long_peak;
        auto longs = long_fifo_names(v);
        for (const auto& f : r.fifos) {
          if (f.internal) max_peak = std::max(max_peak, f.peak_occupancy);
          if (std::find(longs.begin(), longs.end(), f.name) != longs.end())
            long_peak = std::max(long_peak.value_or(0), f.peak_occupancy);
        }
        row["max_fifo_peak"] = max_peak;
        row["long_fifo_peak"] = long_peak ? json(*long_peak) : json();
        row["fifos_unbounded_unit"] = fifos_json(r.fifos);
        note(fmt::format("{:<22} unbounded, unit preset: intermediate memory {} elements", name,
                         r.intermediate_memory_elements),
             wall);
      } catch (const std::exception& e) {
        end_progress();
        record_error("the unbounded run", e);
        note(name + " unbounded: error", 0);
      }
      files.write_json();

      // 3. Minimal depths at the preset's timing.
      if (n > a.min_depth_max_n) {
        note(fmt::format("{:<22} min depths: skipped (N > --min-depth-max-n {})", name,
                         a.min_depth_max_n),
             0);
      } else {
        try {
          auto start = std::chrono::steady_clock::now();
          std::optional<Cycle> preset_cycles;
          if (row.contains("cycles") && row["status"] == "completed")
            preset_cycles = row["cycles"].get<Cycle>();
          auto m = bounded_min_depths(base, resolved, inputs, preset_cycles);
          double wall = seconds_since(start);
          row_wall += wall;
          row["unbounded_cycles"] = m.unbounded_cycles;
          row["min_depth_cycles"] = m.cycles_with_min_depths;
          std::string list;
          std::uint64_t max_depth = 0, sum = 0;
          std::optional<std::uint64_t> long_depth;
          auto longs = long_fifo_names(v);
          for (const auto& [fifo, depth] : m.depth) {
            list += (list.empty() ? "" : ";") + fifo + "=" + std::to_string(depth);
            max_depth = std::max(max_depth, depth);
            sum += depth;
            if (std::find(longs.begin(), longs.end(), fifo) != longs.end())
              long_depth = std::max(long_depth.value_or(0), depth);
          }
          row["min_depths"] = list;
          row["min_depth_max"] = max_depth;
          row["min_depth_sum"] = sum;
          row["min_depth_long"] = long_depth ? json(*long_depth) : json();
          row["min_depths_by_fifo"] = m.depth;
          note(fmt::format("{:<22} min depths ({} runs): {}{}", name, m.runs,
                           long_depth ? "long FIFO " + std::to_string(*long_depth)
                                      : "deepest FIFO " + std::to_string(max_depth),
                           m.cycles_with_min_depths == m.unbounded_cycles
                               ? ""
                               : " (all together: more cycles than unbounded)"),
               wall);
        } catch (const std::exception& e) {
          record_error("the min-depth search", e);
          note(name + " min depths: error", 0);
        }
      }
      row["wall_seconds"] = row_wall;
      files.write_json();
      files.append_csv(row);
    }
  }
  double sweep_wall = seconds_since(sweep_start);
  files.finish(worst == kExitOk ? "complete" : "complete with problems", sweep_wall);

  // The report: fallback first, so that one exists whatever happens to python.
  write_fallback_report(dir, files.results(), "the plot script did not run");
  bool plotted = false;
  std::error_code ec;
  if (!fs::exists(a.python, ec)) {
    write_fallback_report(dir, files.results(), a.python + " was not found");
    fmt::print(stderr,
               "dfsim: warning: {} not found: report.md has no plots (install python3 "
               "and python3-matplotlib)\n",
               a.python);
  } else if (!fs::exists(a.plot_script, ec)) {
    write_fallback_report(dir, files.results(),
                          "the plot script " + a.plot_script + " was not found");
    fmt::print(stderr,
               "dfsim: warning: plot script {} not found (pass --plot-script): "
               "report.md has no plots\n",
               a.plot_script);
  } else {
    fmt::print(stderr, "drawing the plots: {} {} {}\n", a.python, a.plot_script, dir.string());
    std::vector<std::string> cmd{a.python, a.plot_script, dir.string()};
    if (a.no_plots) cmd.push_back("--no-plots");
    int status = spawn_and_wait(cmd);
    if (status == 0) {
      plotted = !a.no_plots;
    } else if (status == kPlotNoMatplotlib) {
      fmt::print(stderr,
                 "dfsim: warning: matplotlib is missing for {}: report.md has no plots "
                 "(install python3-matplotlib)\n",
                 a.python);
    } else if (status < 0) {
      write_fallback_report(dir, files.results(), "could not run " + a.python);
      fmt::print(stderr, "dfsim: warning: could not run {}: {}; report.md has no plots\n", a.python,
                 std::strerror(errno));
    } else {
      fmt::print(stderr, "dfsim: warning: {} exited with status {}: report.md may lack plots\n",
                 a.plot_script, status);
      worst = std::max(worst, kExitFailure);
    }
  }

  if (a.json) {
    json doc = files.document();
    doc["report"] = (dir / "report.md").string();
    doc["plots"] = plotted;
    fmt::print("{}\n", doc.dump(2));
  } else {
    print_summary(files.results());
    fmt::print("\n{} runs in {:.1f} s. Data: {}, {}\nReport: {}{}\n", done, sweep_wall,
               (dir / "results.csv").string(), (dir / "results.json").string(),
               (dir / "report.md").string(), plotted ? " (with plots)" : " (no plots)");
  }
  if (worst != kExitOk)
    fmt::print(stderr,
               "dfsim: error: some runs did not complete cleanly: see the status column "
               "of {}\n",
               (dir / "results.csv").string());
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
