#pragma once
// The loop every executor's workers run: take a ready context, resume it or park it, and
// after each resume ask the executor what the resume means for the run. The executors
// differ only in their answers (a policy), and the template inlines each policy into the
// code it would have written by hand.
#include "dfsim/engine/cycle.hpp"
#include "worker.hpp"

namespace dfsim::detail {

// Resumes `worker`'s ready contexts until it has none left or `policy` ends the pass.
// After a resume, in this order, each hook answers whether the pass goes on:
//   bool cycle_limit_passed(ContextCore&)  the context's clock passed `cycle_limit`
//   bool context_returned(ContextCore&)    its body returned (finish_context is the policy's)
//   bool resumed()                         after every resume that got this far
// A policy whose answer is a constant costs nothing: the sequential executor's resumed()
// counts towards its periodic checks; the parallel executor's is a read of the shared stop.
// `Policy::kRemoteWakes` says whether another thread may wake a context (more than one worker).
//   SequentialPolicy policy{...};
//   resume_until_idle(worker, options.cycle_limit, policy);
template <class Policy>
DFSIM_HOT void resume_until_idle(Worker& worker, Cycle cycle_limit, Policy& policy) {
  while (ContextCore* ctx = worker.pop_local()) {
    if (!resume_if_ready<Policy::kRemoteWakes>(*ctx)) continue;
    if (ctx->clock > cycle_limit && !policy.cycle_limit_passed(*ctx)) return;
    if (ctx->handle.done() && !policy.context_returned(*ctx)) return;
    if (!policy.resumed()) return;
  }
}

}  // namespace dfsim::detail
