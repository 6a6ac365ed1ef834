// The notes that announce long runs: the library's work estimates, summed over a command's
// runs and put in words.
#include "estimate.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

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

// The work of the sweep's min-depth search (experiments::find_min_depths): one unbounded
// run, a bisection from the preset's depth for each FIFO it searches (the naive graphs' long
// FIFOs, every FIFO of the others) with the others unbounded, and one run with every minimum.
WorkEstimate sweep_min_depth_work(const sdpa::AttentionConfig& base, std::size_t& runs) {
  sdpa::AttentionConfig unbounded = base;
  unbounded.unbounded = true;
  const WorkEstimate probe = sdpa::estimate_work(unbounded);
  const auto depths = sdpa::resolve(base).depths;
  const bool naive = base.variant == sdpa::Variant::naive ||
                     base.variant == sdpa::Variant::naive_stable;
  std::size_t probes = 1;
  for (const auto& fifo : naive ? long_fifo_names(base.variant) : sdpa::fifo_names(base.variant))
    probes += std::bit_width(depths.at(fifo).value_or(std::uint64_t{base.n} * base.n) - 1);
  WorkEstimate w = probe;
  w.elements *= static_cast<double>(probes);
  w.add(sdpa::estimate_work(base));
  runs += probes + 1;
  return w;
}

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
    w.add(sdpa::estimate_min_depths_work(config));
    what = fmt::format("{} runs x {}", sdpa::min_depth_runs(config) + 1, what);
  }
  note_long_run(w, what, sdpa_advice(config, w.seconds()));
}

void note_sdpa_min_depth(const sdpa::AttentionConfig& config) {
  const WorkEstimate w = sdpa::estimate_min_depths_work(config);
  note_long_run(w, fmt::format("{} runs x {}", sdpa::min_depth_runs(config), sdpa_work_text(config)),
                sdpa_advice(config, w.seconds()), "search");
}

void note_sdpa_sweep(const SweepPlan& p) {
  WorkEstimate w;
  std::size_t runs = 0, widest = 0;
  for (auto v : p.variants)
    for (auto n : p.sizes) {
      widest = std::max(widest, sdpa::key_loop_fifos(v));
      sdpa::AttentionConfig base{
          .variant = v, .n = n, .d = p.d, .precision = p.precision, .preset = p.preset};
      sdpa::AttentionConfig unbounded = base;
      unbounded.preset = sdpa::Preset::unit;
      unbounded.unbounded = true;
      w.add(sdpa::estimate_work(base));
      w.add(sdpa::estimate_work(unbounded));
      runs += 2;
      if (n <= p.min_depth_max_n) w.add(sweep_min_depth_work(base, runs));
    }
  note_long_run(w, fmt::format("{} runs of up to {} FIFOs x N^2", runs, widest),
                "time grows as N^2 (the largest --n dominates), and the min-depth search runs "
                "the graph many times up to --min-depth-max-n. Ctrl-C stops it",
                "sweep");
}

}  // namespace dfsim::cli
