// dfsim sdpa: one attention run: cycles against the ideal, each FIFO's occupancy, intermediate
// memory, and the error against the double-precision reference.
#include <fmt/core.h>

#include <algorithm>
#include <string>

#include "commands.hpp"
#include "dfsim/experiments/attention_run.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "estimate.hpp"
#include "dfsim/engine/run_result_json.hpp"
#include "exit_codes.hpp"
#include "observability.hpp"
#include "report.hpp"
#include "sdpa_common.hpp"

namespace dfsim::cli {
namespace {

struct SdpaArgs {
  SdpaFlags flags;
  std::string save_outputs;
  bool auto_depths = false;
  bool json = false;
  ObservabilityArgs observe;
};

void print_text(const SdpaSetup& s, const sdpa::AttentionRun& r, double wall, bool auto_depths) {
  const auto& c = s.config;
  fmt::print("sdpa: {}\n", config_line(c));
  fmt::print("  inputs               {}\n", s.inputs_text);
  if (auto_depths)
    fmt::print("  FIFO depths          the smallest that keep the unbounded run's cycles "
               "(--auto-depths)\n");
  fmt::print("  status               {}\n", to_string(r.run.status));
  fmt::print("  cycles               {}{}\n", r.run.elapsed_cycles,
             r.run.ok() ? "" : " (when the run stopped)");
  if (c.lanes > 1 && c.causal == sdpa::Causal::skip)
    fmt::print("  ideal cycles         {} (II_max {} x the keys j <= i of lane 0, j = 0, L, 2L, ..., "
               "N = {}, L = {})\n",
               r.ideal_cycles, s.resolved.max_initiation_interval, c.n, c.lanes);
  else if (c.lanes > 1)
    fmt::print("  ideal cycles         {} (II_max {} x {} rows x ceil(N / L) keys per lane, N = {}, "
               "L = {})\n",
               r.ideal_cycles, s.resolved.max_initiation_interval, sdpa::query_rows(c), c.n, c.lanes);
  else if (c.causal == sdpa::Causal::skip)
    fmt::print("  ideal cycles         {} (II_max {} x N (N + 1) / 2 keys streamed, N = {})\n",
               r.ideal_cycles, s.resolved.max_initiation_interval, c.n);
  else if (c.decode_rows)
    fmt::print("  ideal cycles         {} (II_max {} x B x N = {} x {} x {}; {:.1f} cycles per row)\n",
               r.ideal_cycles, s.resolved.max_initiation_interval,
               s.resolved.max_initiation_interval, c.decode_rows, c.n,
               static_cast<double>(r.run.elapsed_cycles) / static_cast<double>(c.decode_rows));
  else
    fmt::print("  ideal cycles         {} (II_max {} x N^2 = {} x {}^2)\n", r.ideal_cycles,
               s.resolved.max_initiation_interval, s.resolved.max_initiation_interval, c.n);
  if (r.run.ok())
    fmt::print(
        "  throughput           {:.4f} of full (ideal / cycles; {} cycles over ideal)\n",
        r.throughput,
        static_cast<long long>(r.run.elapsed_cycles) - static_cast<long long>(r.ideal_cycles));
  fmt::print(
      "  intermediate memory  {} elements, {} bytes (peak occupancy summed over the "
      "internal FIFOs)\n",
      r.intermediate_memory_elements, r.intermediate_memory_bytes);
  if (r.run.ok())
    fmt::print("  max abs error        {:.3g} against the fp64 reference{}\n", r.max_abs_error,
               r.non_finite ? " (outputs hold inf/NaN)" : "");
  fmt::print("  wall time            {:.3f} s ({:.3f} s simulating on {} thread{})\n", wall,
             r.run.wall_seconds, r.run.threads, r.run.threads == 1 ? "" : "s");
  std::size_t width = 4;
  for (const auto& f : r.fifos) width = std::max(width, f.name.size());
  fmt::print("\n  {:<{}}  {:>10}  {:>10}  {:>12}  {}\n", "FIFO", width, "capacity", "peak occ.",
             "elements", "internal");
  for (const auto& f : r.fifos)
    fmt::print("  {:<{}}  {:>10}  {:>10}  {:>12}  {}{}\n", f.name, width, capacity_text(f.capacity),
               f.peak_occupancy, f.elements, f.internal ? "yes" : "no",
               f.capacity && f.peak_occupancy >= *f.capacity ? "  (filled)" : "");
}

int run_sdpa(const SdpaArgs& a) {
  SdpaSetup s = make_setup(a.flags);
  note_sdpa(s.config, a.auto_depths);
  auto tracer = a.observe.make_tracer();
  auto progress = progress_printer(
      fmt::format("sdpa {} N={}", sdpa::to_string(s.config.variant), s.config.n),
      sdpa::ideal_cycles(s.config, s.resolved));
  experiments::AttentionOutcome o;
  try {
    o = experiments::run_attention(
        s, {.auto_depths = a.auto_depths, .on_progress = progress, .tracer = tracer.get()});
  } catch (const std::invalid_argument& e) {
    end_progress();
    throw UsageError(e.what());
  }
  end_progress();
  const sdpa::AttentionRun& r = o.result;

  bool saved = false;
  if (!a.save_outputs.empty() && r.run.ok()) {
    experiments::save_outputs(a.save_outputs, s, r);
    saved = true;
  }
  if (a.json) {
    auto j = experiments::to_json(s, o);
    if (saved) j["outputs_file"] = a.save_outputs;
    fmt::print("{}\n", j.dump(2));
  } else {
    print_text(s, r, o.wall_seconds, a.auto_depths);
    if (saved)
      fmt::print("\noutputs: {} ({} x {} float64{})\n", a.save_outputs,
                 sdpa::query_rows(s.config) * s.config.heads,
                 s.config.d,
                 s.config.heads == 1                  ? ""
                 : s.config.decode_rows ? "; head h is rows h*B to (h+1)*B - 1"
                                        : "; head h is rows h*N to (h+1)*N - 1");
    print_stall_summary(r.run);
  }
  std::fflush(stdout);
  a.observe.write(r.run, tracer.get());
  if (!a.save_outputs.empty() && !saved)
    fmt::print(stderr, "dfsim: warning: the run did not complete; {} was not written\n",
               a.save_outputs);
  if (r.run.status == RunStatus::deadlock) {
    int status = exit_status(r.run);
    fmt::print(stderr, "{}\n", o.hint);
    return status;
  }
  if (!r.run.ok()) return exit_status(r.run);
  if (r.non_finite) {
    fmt::print(stderr, "dfsim: error: {}\n", o.overflow);
    return kExitOverflow;
  }
  return kExitOk;
}

}  // namespace

void add_sdpa_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<SdpaArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sdpa", "simulate scaled dot-product attention on streaming hardware, one configuration");
  add_sdpa_flags(*cmd, args->flags, /*with_depths=*/true);
  cmd->add_option("--save-outputs", args->save_outputs,
                  "write the outputs as a float64 .npy (heads stacked: (heads*N) x d)")
      ->type_name("FILE.npy");
  cmd->add_flag("--auto-depths", args->auto_depths,
                "size every FIFO not given by --depth to the smallest depth that keeps full "
                "speed (searched as sdpa-min-depth does: about log2(N) runs per FIFO)")
      ->excludes("--unbounded");
  cmd->add_flag("--json", args->json, "print one JSON object instead of the summary");
  add_observability_flags(cmd, args->observe);
  cmd->callback([&action, args] { action = [args] { return run_sdpa(*args); }; });
}

}  // namespace dfsim::cli
