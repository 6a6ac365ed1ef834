#pragma once
// Long runs are announced: one line on stderr, before a run estimated at more than a minute
// starts, with the estimate and how to make the run shorter. Only a note: the run goes on.
#include <string>
#include <vector>

#include "dfsim/engine/estimate.hpp"
#include "dfsim/experiments/sweep.hpp"
#include "dfsim/sdpa/attention.hpp"

namespace dfsim::cli {

// Shorter runs start without a word.
inline constexpr double kNoteAboveSeconds = 60;

// When `w` takes more than kNoteAboveSeconds: "dfsim: note: about <what> = <elements>
// elements: this <noun> takes about <time> (at ~<speed> M elements/s, ...); <advice>".
// Returns whether it printed.
bool note_long_run(const WorkEstimate& w, const std::string& what, const std::string& advice,
                   const char* noun = "run");

// dfsim sdpa: one run, and before it the min-depth search with --auto-depths.
void note_sdpa(const sdpa::AttentionConfig& config, bool auto_depths);
// dfsim sdpa-min-depth: experiments::expected_min_depth_runs runs.
void note_sdpa_min_depth(const sdpa::AttentionConfig& config);

void note_sdpa_sweep(const experiments::SweepPlan& plan);

}  // namespace dfsim::cli
