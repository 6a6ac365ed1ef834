#pragma once
// How an awaiter hands a context back to its worker. Defined with the scheduler.
#include <atomic>

#include "dfsim/engine/detail/context_core.hpp"

namespace dfsim::detail {

// Called from await_suspend after `ctx.wait` is set: registers the context where it will be
// woken and publishes its clock. The coroutine then suspends unconditionally; a wake that
// races with this is caught by a re-check, and spurious wakes are re-checked by the worker.
void block(ContextCore& ctx) noexcept;

// Suspends a context that could go on (a sender pausing on an unbounded channel,
// ChannelCore::sender_may_proceed): it stays ready, queued behind every other ready context
// of its worker. Nothing waits, so nothing changes in the results.
void yield(ContextCore& ctx) noexcept;

// block() for a wait on one channel end (`waiter` is that end's waiting slot), inline for
// the common case of a context that only its own worker can wake: then no other thread
// can race with the registration, and block() would only publish the clock and store
// the pointer, after two calls and a switch on the wait's kind.
DFSIM_HOT void block_on(ContextCore& ctx, std::atomic<ContextCore*>& waiter) noexcept {
  if (ctx.remote_wakeable) [[unlikely]] {
    block(ctx);
    return;
  }
  ctx.published_clock.store(ctx.clock, std::memory_order_release);
  waiter.store(&ctx, std::memory_order_relaxed);
}

}  // namespace dfsim::detail
