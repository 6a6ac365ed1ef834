// The notes that announce long runs: the library's work estimates, summed over a command's
// runs and put in words.
#include "estimate.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dfsim/experiments/min_depth.hpp"
#include "sdpa_common.hpp"

namespace dfsim::cli {
namespace {

std::string duration_text(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 90 * 60) return fmt::format("{:.0f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.0f} h", seconds / 3600);
  if (seconds < 365 * 86400.0) return fmt::format("{:.0f} days", seconds / 86400);
  return fmt::format("{:.2g} years", seconds / (365 * 86400.0));
}

// "7 FIFOs x N^2 x 8 heads": what sdpa::estimate_work counts, beyond the rows.
std::string sdpa_work_text(const sdpa::AttentionConfig& c) {
  return fmt::format("{} FIFOs x N^2{}", sdpa::key_loop_fifos(c.variant),
                     c.heads > 1 ? fmt::format(" x {} heads", c.heads) : "");
}

// Time grows as N^2, so the N that takes about the limit is N x sqrt(limit / time).
std::string sdpa_advice(const sdpa::AttentionConfig& c, double seconds) {
  const double n = std::floor(static_cast<double>(c.n) * std::sqrt(kNoteAboveSeconds / seconds));
  return fmt::format("time grows as N^2{}: N = {:.0f} takes about a minute. Ctrl-C stops it",
                     c.heads > 1 ? " and with --heads" : "", std::max(1.0, n));
}

// A min-depth search of `selection`'s FIFOs: experiments' estimate of its runs, each at the
// speed of a run with FIFOs unbounded (a probe bounds one FIFO, the others stay unbounded).
WorkEstimate min_depth_work(const sdpa::AttentionConfig& config,
                            experiments::FifoSelection selection, double& runs) {
  sdpa::AttentionConfig unbounded = config;
  unbounded.unbounded = true;
  WorkEstimate w = sdpa::estimate_work(unbounded);
  const double search = experiments::expected_min_depth_runs(config, selection);
  w.elements *= search;
  runs += search;
  return w;
}

std::string runs_text(double runs) { return fmt::format("{:.0f}", std::ceil(runs)); }

}  // namespace

bool note_long_run(const WorkEstimate& w, const std::string& what, const std::string& advice,
                   const char* noun) {
  const double seconds = w.seconds();
  if (!(seconds > kNoteAboveSeconds)) return false;
  fmt::print(stderr,
             "dfsim: note: about {} = {:.2g} elements: this {} takes about {} (at ~{:.0f} M "
             "elements/s, measured on one thread of a 2-core x86 machine); {}\n",
             what, w.elements, noun, duration_text(seconds), w.elements_per_second / 1e6, advice);
  std::fflush(stderr);
  return true;
}

void note_sdpa(const sdpa::AttentionConfig& config, bool auto_depths) {
  WorkEstimate w = sdpa::estimate_work(config);
  std::string what = sdpa_work_text(config);
  if (auto_depths) {
    double runs = 1;
    w.add(min_depth_work(config, experiments::FifoSelection::all, runs));
    what = fmt::format("{} runs x {}", runs_text(runs), what);
  }
  note_long_run(w, what, sdpa_advice(config, w.seconds()));
}

void note_sdpa_min_depth(const sdpa::AttentionConfig& config) {
  double runs = 0;
  const WorkEstimate w = min_depth_work(config, experiments::FifoSelection::all, runs);
  note_long_run(w, fmt::format("{} runs x {}", runs_text(runs), sdpa_work_text(config)),
                sdpa_advice(config, w.seconds()), "search");
}

void note_sdpa_sweep(const experiments::SweepPlan& p) {
  WorkEstimate w;
  double runs = 0;
  std::size_t widest = 0;
  for (const experiments::Point& point : experiments::points(p)) {
    const sdpa::AttentionConfig base = experiments::attention_config(point);
    widest = std::max(widest, sdpa::key_loop_fifos(point.variant));
    sdpa::AttentionConfig unbounded = base;
    unbounded.preset = sdpa::Preset::one_cycle;
    unbounded.unbounded = true;
    w.add(sdpa::estimate_work(base));
    w.add(sdpa::estimate_work(unbounded));
    runs += 2;
    if (point.n <= p.min_depth_max_n)
      w.add(min_depth_work(base, experiments::FifoSelection::claims, runs));
  }
  note_long_run(w, fmt::format("{} runs of up to {} FIFOs x N^2", runs_text(runs), widest),
                "time grows as N^2 (the largest --n dominates), and the min-depth search runs "
                "the graph many times up to --min-depth-max-n. Ctrl-C stops it",
                "sweep");
}

}  // namespace dfsim::cli
