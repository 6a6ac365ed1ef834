#include "worker.hpp"

#include <atomic>

#include "dfsim/engine/detail/block.hpp"
#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/select.hpp"

namespace dfsim::detail {

Worker*& current_worker() noexcept {
  thread_local Worker* worker = nullptr;
  return worker;
}

namespace {
// Out of line: inlined, its lock made every wake save and restore six registers.
[[gnu::noinline]] void wake_remote(ContextCore* ctx) noexcept {
  Worker* target = ctx->worker;
  if (ctx->queued.exchange(true, std::memory_order_acq_rel)) return;
  if (target == current_worker())
    target->push_local(ctx);
  else
    target->push_remote(ctx);
}
}  // namespace

// A context that no other thread can wake is woken only by its own worker (or by the stall
// resolver while every worker is idle), so plain stores suffice.
void wake(ContextCore* ctx) noexcept {
  if (ctx->remote_wakeable) [[unlikely]] {
    wake_remote(ctx);
    return;
  }
  if (ctx->queued.load(std::memory_order_relaxed)) return;
  ctx->queued.store(true, std::memory_order_relaxed);
  ctx->worker->push_local(ctx);
}

bool satisfiable_multi(ContextCore& ctx) noexcept {
  WaitState& w = ctx.wait;
  switch (w.kind) {
    case WaitKind::none:
    case WaitKind::dequeue:
    case WaitKind::peek:
    case WaitKind::enqueue:
      return satisfiable(ctx);
    case WaitKind::credit_all:
      for (ChannelCore* ch : w.channels)
        if (!ch->sender_has_credit()) {
          w.channel = ch;
          return false;
        }
      return true;
    case WaitKind::select:
      if (w.choice == kUndecided) w.choice = decide_select(w.channels, published_bound);
      return w.choice != kUndecided;
  }
  return true;
}

void register_waits(ContextCore& ctx) noexcept {
  WaitState& w = ctx.wait;
  // A memory order known only at run time compiles to the strongest: choose it statically.
  auto wait_on = [&ctx](std::atomic<ContextCore*>& slot) {
    if (ctx.remote_wakeable)
      slot.store(&ctx, std::memory_order_seq_cst);
    else
      slot.store(&ctx, std::memory_order_relaxed);
  };
  switch (w.kind) {
    case WaitKind::none:
      return;
    case WaitKind::dequeue:
    case WaitKind::peek:
      wait_on(w.channel->waiting_receiver);
      return;
    case WaitKind::enqueue:
    case WaitKind::credit_all:
      wait_on(w.channel->waiting_sender);
      return;
    case WaitKind::select:
      for (ChannelCore* ch : w.channels)
        if (ch->empty() && !ch->closed()) wait_on(ch->waiting_receiver);
      return;
  }
}

bool park(ContextCore& ctx) noexcept {
  for (;;) {
    const ChannelCore* registered = ctx.wait.channel;
    register_waits(ctx);
    if (!ctx.remote_wakeable) return false;
    // Pairs with the fence in wake_waiter(): an update made before our registration was
    // visible to its maker is seen here.
    full_fence();
    if (satisfiable(ctx)) return true;
    // A fan-out whose registered output got credit meanwhile now waits on another one:
    // register there too, or nobody would wake it.
    if (ctx.wait.channel == registered) return false;
  }
}

void yield(ContextCore& ctx) noexcept {
  ctx.wait.kind = WaitKind::none;
  ctx.published_clock.store(ctx.clock, std::memory_order_release);
  // Queued, so that no wake queues it twice; it registered nowhere, so none will.
  if (ctx.remote_wakeable)
    ctx.queued.store(true, std::memory_order_seq_cst);
  else
    ctx.queued.store(true, std::memory_order_relaxed);
  ctx.worker->push_deferred(&ctx);
}

void block(ContextCore& ctx) noexcept {
  ctx.published_clock.store(ctx.clock, std::memory_order_release);
  if (park(ctx)) wake(&ctx);
}

const char* wait_kind_name(WaitKind kind) noexcept {
  switch (kind) {
    case WaitKind::none: return "running";
    case WaitKind::dequeue: return "dequeue";
    case WaitKind::peek: return "peek";
    case WaitKind::enqueue: return "enqueue";
    case WaitKind::credit_all: return "fan-out credit";
    case WaitKind::select: return "select";
  }
  return "?";
}

}  // namespace dfsim::detail
