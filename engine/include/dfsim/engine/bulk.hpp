#pragma once
// Bulk moves: the inner loops of the commonest contexts, run at once over every element that
// needs no wait, with exactly the cycles, statistics and wakes of the element-at-a-time loop
// they stand for (docs/semantics.md). Each returns how many elements it moved. It moves none when
// it does not apply (an unbounded, traced or cross-thread channel, or a context feeding
// itself), so a caller always keeps the loop for what is left:
//
//   for (;;) {
//     const bool more = co_await in.wait();   // an element is there (or the stream ended)
//     if (!more) break;
//     if (transfer_ready(ctx, in, out, fn, depth, interval) > 0) continue;
//     auto x = co_await in.pop();             // no credit, or no bulk moves: as the loop does,
//     co_await out.push(fn(*x), depth);       // dequeue, then wait to write
//     ctx.advance(interval);
//   }
//
// The functions they call (fn, next, consume) see ctx.now() as the loop would at that point;
// they must not move the clock themselves (the loop's advance(interval) does that).
//
// What they save is the per-element work of an await (about 40% of a pipeline stage's run):
// the counters, ring pointers and clock stay in registers for the whole run.
#include <cstdint>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/detail/bulk.hpp"

namespace dfsim {

// The iterations of  x = pop(in); push(out, fn(x), depth); advance(interval)  that need no wait.
template <class In, class Out, class Fn>
std::uint64_t transfer_ready(Context& ctx, Receiver<In>& in, Sender<Out>& out, Fn& fn,
                             PipelineDepth depth, Cycle interval) {
  return detail::Bulk::transfer_ready(core_of(ctx), *in.state(), *out.state(), fn, depth.cycles,
                                interval);
}

// The iterations of  push(out, next(), depth); advance(interval)  that need no wait, at most
// `limit`; none unless at least min(shortest, limit) need no wait (a move of one or two costs
// more than the plain pushes it stands for: leave those to the loop). Call it before any wait
// for credit, not after one: each iteration stamps from the clock before its own wait, and a
// wait made first would already have moved it.
template <class T, class Next>
DFSIM_HOT std::uint64_t push_ready(Context& ctx, Sender<T>& out, Next& next, PipelineDepth depth,
                                   Cycle interval, std::uint64_t limit,
                                   std::uint64_t shortest = 1) {
  return detail::Bulk::push_ready(core_of(ctx), *out.state(), next, depth.cycles, interval, limit,
                                  shortest);
}

// The iterations of  consume(pop(in)); advance(interval)  that need no wait, at most `limit`.
template <class T, class Consume>
std::uint64_t pop_ready(Context& ctx, Receiver<T>& in, Consume& consume, Cycle interval,
                        std::uint64_t limit = ~std::uint64_t{0}) {
  return detail::Bulk::pop_ready(core_of(ctx), *in.state(), consume, interval, limit);
}

}  // namespace dfsim
