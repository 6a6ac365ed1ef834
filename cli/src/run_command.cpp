// dfsim run FILE.json: runs a graph file (docs/graph-files.md), prints the run and what its
// keeping sinks received.
#include <fmt/core.h>

#include <filesystem>
#include <string>

#include "commands.hpp"
#include "dfsim/engine/errors.hpp"
#include "dfsim/engine/run_result_json.hpp"
#include "dfsim/graph/build.hpp"
#include "dfsim/graph/json.hpp"
#include "dfsim/sdpa/npy.hpp"
#include "exit_codes.hpp"
#include "observability.hpp"
#include "report.hpp"

namespace dfsim::cli {
namespace {

struct RunArgs {
  std::string file;
  unsigned threads = 1;
  bool json = false;
  std::string npy_dir;
  ObservabilityArgs observe;
};

// The problems of a graph that cannot run, on one line after the file's name.
[[noreturn]] void bad_graph(const std::string& file, const GraphError& e) {
  std::string all;
  for (const auto& p : e.problems()) all += (all.empty() ? "" : "; ") + p;
  throw UsageError(file + ": the graph cannot run: " + all);
}

nlohmann::json kept_json(const graph::KeptValues& k) {
  const bool integers = k.type.scalar == graph::ScalarType::int64;
  nlohmann::json values = nlohmann::json::array();
  const std::size_t width = k.type.is_vector() ? k.type.dims : 1;
  for (std::uint64_t i = 0; i < k.count; ++i) {
    if (integers) {
      values.push_back(k.integers[i]);
    } else if (!k.type.is_vector()) {
      values.push_back(k.reals[i]);
    } else {
      values.push_back(std::vector<double>(k.reals.begin() + static_cast<std::ptrdiff_t>(i * width),
                                           k.reals.begin() + static_cast<std::ptrdiff_t>((i + 1) * width)));
    }
  }
  return {{"sink", k.sink}, {"channel", k.channel}, {"type", k.type.to_string()},
          {"count", k.count}, {"values", values}};
}

void print_kept(const graph::KeptValues& k) {
  fmt::print("sink '{}' ({} from '{}'): {} element{}\n", k.sink, k.type.to_string(), k.channel,
             k.count, k.count == 1 ? "" : "s");
  const std::size_t width = k.type.is_vector() ? k.type.dims : 1;
  for (std::uint64_t i = 0; i < k.count; ++i) {
    std::string line;
    for (std::size_t c = 0; c < width; ++c) {
      const std::size_t at = i * width + c;
      line += (c ? " " : "") + (k.type.scalar == graph::ScalarType::int64
                                    ? fmt::format("{}", k.integers[at])
                                    : fmt::format("{}", k.reals[at]));
    }
    fmt::print("  {}\n", line);
  }
}

// One .npy per keeping sink, count x dims (count x 1 for scalars), float64.
void write_kept(const std::string& dir, const graph::KeptValues& k) {
  const std::size_t width = k.type.is_vector() ? k.type.dims : 1;
  sdpa::Matrix m{.rows = k.count, .cols = width};
  if (k.type.scalar == graph::ScalarType::int64)
    m.values.assign(k.integers.begin(), k.integers.end());
  else
    m.values = k.reals;
  const auto file = std::filesystem::path(dir) / (k.sink + ".npy");
  sdpa::write_npy(file, m);
  fmt::print(stderr, "dfsim: wrote {}\n", file.string());
}

int run_graph_file(const RunArgs& a) {
  check_threads(a.threads);
  graph::GraphSpec spec;
  try {
    spec = graph::load_graph(a.file);
  } catch (const graph::GraphFileError& e) {
    throw UsageError(a.file + ": " + e.what());
  }
  std::optional<graph::BuiltGraph> built;
  try {
    built.emplace(spec);
  } catch (const GraphError& e) {
    bad_graph(a.file, e);
  } catch (const std::runtime_error& e) {
    throw UsageError(a.file + ": " + e.what());
  }
  auto tracer = a.observe.make_tracer();
  graph::GraphRun r = built->run({.threads = a.threads, .tracer = tracer.get()});
  if (!a.npy_dir.empty()) {
    std::filesystem::create_directories(a.npy_dir);
    for (const auto& k : r.kept) write_kept(a.npy_dir, k);
  }
  if (a.json) {
    auto j = to_json(r.result);
    j["graph"] = a.file;
    j["kept"] = nlohmann::json::array();
    for (const auto& k : r.kept) j["kept"].push_back(kept_json(k));
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("graph {}: {} nodes, {} channels\n", a.file, spec.nodes.size(), spec.channels.size());
    print_run_summary(r.result);
    for (const auto& k : r.kept) print_kept(k);
    print_stall_summary(r.result);
  }
  std::fflush(stdout);
  // After the results are printed: a trace or graph that cannot be written loses nothing.
  a.observe.write(r.result, tracer.get());
  return exit_status(r.result);
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "run a graph file (docs/graph-files.md)");
  cmd->add_option("file", args->file, "the graph, a JSON file")->required();
  cmd->add_option("--threads", args->threads, "worker threads (0: one per hardware thread)");
  cmd->add_flag("--json", args->json, "print one JSON object (the run and the kept values)");
  cmd->add_option("--npy", args->npy_dir, "also write each keeping sink's values to DIR/<sink>.npy");
  add_observability_flags(cmd, args->observe);
  cmd->callback([&action, args] { action = [args] { return run_graph_file(*args); }; });
}

}  // namespace dfsim::cli
