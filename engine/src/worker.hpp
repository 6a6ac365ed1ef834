#pragma once
// A worker owns a set of contexts and resumes the ready ones, one at a time. The
// sequential executor has one; the parallel executor one per thread.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/detail/context_core.hpp"
#include "wait.hpp"

namespace dfsim::detail {

// A stack of contexts whose push is a compare, a store and an increment: it grows out of line,
// in a tail call. With std::vector's push_back, the reallocation inlined into wake() made every
// wake save and restore registers (29 instructions a wake, 15 now; callgrind,
// reordered-stable N = 512).
class ContextStack {
 public:
  bool empty() const noexcept { return size_ == 0; }
  void push(ContextCore* ctx) {
    if (size_ == capacity_) [[unlikely]] return grow_and_push(ctx);
    items_[size_++] = ctx;
  }
  ContextCore* pop() noexcept { return items_[--size_]; }
  void swap(ContextStack& other) noexcept {
    std::swap(items_, other.items_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

 private:
  [[gnu::noinline]] void grow_and_push(ContextCore* ctx) {
    capacity_ = capacity_ == 0 ? 64 : 2 * capacity_;
    auto larger = std::make_unique<ContextCore*[]>(capacity_);
    std::copy(items_.get(), items_.get() + size_, larger.get());
    items_ = std::move(larger);
    items_[size_++] = ctx;
  }
  std::unique_ptr<ContextCore*[]> items_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

class Worker {
 public:
  // `coordination` guards the inbox; shared by all workers of a parallel run.
  explicit Worker(std::mutex* coordination = nullptr) : mutex_(coordination) {}

  void push_local(ContextCore* ctx) { ready_.push(ctx); }
  // A context woken by a deep channel (wake_deep): behind the others when the channel it waits
  // on would give it little to do yet (has_little_to_do).
  void push_woken(ContextCore* ctx) {
    if (has_little_to_do(ctx->wait))
      lazy_.push(ctx);
    else
      ready_.push(ctx);
  }
  // A ready context that yielded (detail::yield): it runs when no other is ready.
  void push_deferred(ContextCore* ctx) { deferred_.push(ctx); }
  bool has_local() const noexcept {
    return !ready_.empty() || !lazy_.empty() || !deferred_.empty();
  }
  ContextCore* pop_local() noexcept {
    if (!ready_.empty()) [[likely]] return ready_.pop();
    if (!lazy_.empty()) return lazy_.pop();
    if (deferred_.empty()) return nullptr;
    ready_.swap(deferred_);
    return ready_.pop();
  }

  // From another thread: a wake over a channel that crosses threads.
  void push_remote(ContextCore* ctx) {
    std::lock_guard lock(*mutex_);
    inbox_.push_back(ctx);
    mail_.store(true, std::memory_order_release);
    if (sleeping_) cv_.notify_one();
  }
  // Without the lock: is there likely mail? Lets an idle worker spin before it sleeps.
  bool has_mail() const noexcept { return mail_.load(std::memory_order_acquire); }
  // Call with the coordination mutex held.
  bool inbox_empty() const noexcept { return inbox_.empty(); }
  void take_inbox() {
    for (ContextCore* ctx : inbox_) push_local(ctx);
    inbox_.clear();
    mail_.store(false, std::memory_order_relaxed);
  }
  void set_sleeping(bool sleeping) noexcept { sleeping_ = sleeping; }  // mutex held
  std::condition_variable& cv() noexcept { return cv_; }

 private:
  // The ready contexts, a stack: the one woken last runs first. Results do not depend on the
  // order (docs/semantics.md), but speed does: a context woken by a push then reads the lines its
  // producer has just written, so a batch of elements travels down a pipeline while it is
  // still in L1. In wake order (a FIFO), a 64-stage pipeline, whose channels and contexts do
  // not fit in L1, ran 1.25x slower. A context is queued at most once (its `queued` flag).
  ContextStack ready_;
  // Ready contexts that run when ready_ is empty: a receiver whose deep FIFO is less than half
  // full, a sender whose FIFO is more than half full. Run at once, each would take (or write)
  // the one or two elements there are and block again: a row_max behind a 13-deep FIFO fed
  // two elements at a time by a unit that alternates with its depth-2 source. Later, the FIFO
  // has filled (or drained) meanwhile, and one resume does many steps.
  ContextStack lazy_;
  ContextStack deferred_;

  // Only the kinds that wait on one channel (`w.channel`: for a fan-out the output it lacked)
  // are ever lazy: a stale registration (a select's) may wake a context that waits for
  // something else, or for nothing.
  static bool has_little_to_do(const WaitState& w) noexcept {
    static_assert(WaitKind::none < WaitKind::dequeue && WaitKind::dequeue < WaitKind::peek &&
                  WaitKind::peek < WaitKind::enqueue && WaitKind::enqueue < WaitKind::credit_all &&
                  WaitKind::credit_all < WaitKind::select);
    if (w.kind == WaitKind::none || w.kind == WaitKind::select) return false;
    const ChannelCore& ch = *w.channel;
    const std::uint64_t held = ch.enqueued() - ch.dequeued();
    return w.kind <= WaitKind::peek ? 2 * held < ch.capacity() : 2 * held > ch.capacity();
  }

  std::mutex* mutex_;
  std::vector<ContextCore*> inbox_;
  std::atomic<bool> mail_{false};
  bool sleeping_ = false;  // under the coordination mutex
  std::condition_variable cv_;
};

// The worker running on this thread (null outside a run).
Worker*& current_worker() noexcept;

// Before a resume: the context may be queued again. A full barrier only where another
// thread can wake it (wake() sets the flag with an exchange there); an xchg per resume cost
// a fifth of the run on workers that share nothing.
// kRemoteWakes false: the executor has one worker, so no context is remote_wakeable.
template <bool kRemoteWakes>
void clear_queued(ContextCore& ctx) noexcept {
  if (kRemoteWakes && ctx.remote_wakeable)
    ctx.queued.store(false, std::memory_order_seq_cst);
  else
    ctx.queued.store(false, std::memory_order_relaxed);
}

// A fan-out's and a select's part of satisfiable(), out of line: inlined, their loops made
// every call save and restore six registers. all_have_credit records in `w.channel` an
// output without credit; select_decided records the decision in `w.choice`.
bool all_have_credit(WaitState& w) noexcept;
bool select_decided(WaitState& w) noexcept;

// Can the context's pending operation proceed now? For a select, stores the decision.
// Inline: the scheduler asks before every resume, nearly always about one channel.
inline bool satisfiable(ContextCore& ctx) noexcept {
  WaitState& w = ctx.wait;
  return visit_wait(w, Overloaded{
                           [](NotWaiting) { return true; },
                           [](ReceiveWait r) { return r.channel->receiver_can_act(); },
                           [](CreditWait c) { return c.channel->sender_has_credit(); },
                           [&w](CreditAllWait) { return all_have_credit(w); },
                           [&w](SelectWait) { return select_decided(w); },
                       });
}
// Registers the context as waiting on the channels its operation needs.
void register_waits(ContextCore& ctx) noexcept;
// Registers a context whose operation cannot proceed where it will be woken. Returns true
// when, by the time it is registered, the operation can proceed after all (another thread
// got there first): the caller must then run it rather than let it sleep.
bool park(ContextCore& ctx) noexcept;

// What a worker does with a context it took from its queue: resumes it if its pending
// operation can proceed (returns true), or parks it where it will be woken (false). Every
// executor's loop is this, then its own bookkeeping of a finished context.
template <bool kRemoteWakes>
bool resume_if_ready(ContextCore& ctx) noexcept {
  clear_queued<kRemoteWakes>(ctx);
  if (ctx.finished) return false;
  if (!satisfiable(ctx)) {
    if (park(ctx)) wake(&ctx);
    return false;
  }
  ctx.wait.kind = WaitKind::none;
  ctx.handle.resume();
  return true;
}

}  // namespace dfsim::detail
