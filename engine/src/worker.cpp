#include "worker.hpp"

#include <atomic>
#include <cstddef>

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
// resolver while every worker is idle), so plain stores suffice. kDeep: woken through a deep
// channel, it may wait behind the other ready ones (Worker::push_woken).
namespace {
template <bool kDeep>
void wake_as(ContextCore* ctx) noexcept {
  if (ctx->remote_wakeable) [[unlikely]] {
    wake_remote(ctx);
    return;
  }
  if (ctx->queued.load(std::memory_order_relaxed)) return;
  ctx->queued.store(true, std::memory_order_relaxed);
  if constexpr (kDeep)
    ctx->worker->push_woken(ctx);
  else
    ctx->worker->push_local(ctx);
}
}  // namespace

void wake(ContextCore* ctx) noexcept { wake_as<false>(ctx); }
void wake_deep(ContextCore* ctx) noexcept { wake_as<true>(ctx); }

bool all_have_credit(WaitState& w) noexcept {
  for (ChannelCore* ch : w.channels)
    if (!ch->sender_has_credit()) {
      w.channel = ch;
      return false;
    }
  return true;
}

bool select_decided(WaitState& w) noexcept {
  if (w.choice == kUndecided) w.choice = decide_select(w.channels, published_bound);
  return w.choice != kUndecided;
}

void register_waits(ContextCore& ctx) noexcept {
  // A memory order known only at run time compiles to the strongest: choose it statically.
  auto wait_on = [&ctx](std::atomic<ContextCore*>& slot) {
    if (ctx.remote_wakeable)
      slot.store(&ctx, std::memory_order_seq_cst);
    else
      slot.store(&ctx, std::memory_order_relaxed);
  };
  visit_wait(ctx.wait, Overloaded{
                           [](NotWaiting) {},
                           [&](ReceiveWait r) { wait_on(r.channel->waiting_receiver); },
                           [&](CreditWait c) { wait_on(c.channel->waiting_sender); },
                           [&](CreditAllWait c) { wait_on(c.lacking->waiting_sender); },
                           [&](SelectWait s) {
                             for (ChannelCore* ch : s.channels)
                               if (ch->empty() && !ch->closed()) wait_on(ch->waiting_receiver);
                           },
                       });
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

}  // namespace dfsim::detail
