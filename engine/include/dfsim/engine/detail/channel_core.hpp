#pragma once
// The type-independent half of a channel: its parameters, the two counters of the credit
// protocol, the waiting contexts and the statistics. One sender context writes `tail`,
// one receiver context writes `head`; the atomics cost nothing on x86 and let the two ends
// live on different threads.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/engine/detail/context_core.hpp"
#include "dfsim/engine/trace.hpp"

namespace dfsim::detail {

// How far an unbounded channel's sender runs ahead of its receiver before it yields once
// (ChannelCore::sender_may_proceed): a chunk of the channel's storage.
inline constexpr std::uint64_t kUnboundedPace = 256;

class ChannelCore {
 public:
  ChannelCore(std::string name, std::optional<std::uint64_t> capacity, Cycle latency,
              Cycle response_latency)
      : name_(std::move(name)),
        capacity_(capacity.value_or(0)),
        credit_window_(capacity.value_or(~std::uint64_t{0})),
        latency_(latency),
        response_latency_(response_latency),
        bounded_(capacity.has_value()) {
    s_credit_end_ = bounded_ ? credit_end(0) : kUnboundedPace;
    update_fast_path_flag();
  }
  virtual ~ChannelCore() = default;
  ChannelCore(const ChannelCore&) = delete;
  ChannelCore& operator=(const ChannelCore&) = delete;

  const std::string& name() const noexcept { return name_; }
  bool bounded() const noexcept { return bounded_; }
  std::uint64_t capacity() const noexcept { return capacity_; }
  Cycle latency() const noexcept { return latency_; }
  Cycle response_latency() const noexcept { return response_latency_; }

  // Set by the executor before the run.
  void set_trace(ChannelTrace* trace) noexcept {
    trace_ = trace;
    update_fast_path_flag();
  }
  // The two ends run on different threads.
  void set_cross_thread() noexcept {
    cross_thread_ = true;
    update_fast_path_flag();
  }

  // ---- state as any observer sees it (acquire: the ends may be on other threads) ----
  std::uint64_t enqueued() const noexcept { return tail_.load(std::memory_order_acquire); }
  std::uint64_t dequeued() const noexcept { return head_.load(std::memory_order_acquire); }
  bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  bool empty() const noexcept { return dequeued() == enqueued(); }
  bool has_credit() const noexcept {
    return enqueued() - dequeued() < credit_window_;
  }

  // ---- the same questions from the owning end, cheaper: each end keeps its own counter
  // and a cached copy of the other's, refreshed only when the cache says "no". ----
  DFSIM_HOT bool sender_has_credit() noexcept {
    if (s_tail_ < s_credit_end_) [[likely]] return true;
    return refresh_sender_credit<false>();
  }
  // What a write's awaiter asks: sender_has_credit(), except that an unbounded channel's
  // sender is told to pause once when it is kUnboundedPace elements or more ahead of the
  // receiver. The awaiter then yields (detail::yield): the context stays ready, but runs
  // after every other ready one, so the receiver consumes what it wrote while it is in cache
  // and its chunks are reused. Never a wait: the cycles and statistics are those of any
  // order (docs/semantics.md). Without it a source into an unbounded FIFO wrote all N^2
  // elements before anything else ran: 170 MB and page faults at N = 1,024.
  DFSIM_HOT bool sender_may_proceed() noexcept {
    if (s_tail_ < s_credit_end_) [[likely]] return true;
    return refresh_sender_credit<true>();
  }
  DFSIM_HOT bool receiver_has_element() noexcept {
    if (r_head_ != r_tail_seen_) return true;
    r_tail_seen_ = tail_.load(std::memory_order_acquire);
    return r_head_ != r_tail_seen_;
  }
  DFSIM_HOT bool receiver_can_act() noexcept { return receiver_has_element() || closed(); }

  // Visible time of the oldest element; only valid when !empty(). Slow path.
  virtual Cycle front_visible_time() const noexcept = 0;
  // Step 1 of an enqueue, for code that does not know the element type (fan-out).
  virtual void take_credit(ContextCore& sender) noexcept = 0;

  std::uint64_t peak_occupancy() const noexcept { return peak_; }
  // The cycles the receiver's clock jumped waiting for this channel's elements (dequeue, peek,
  // select), and the sender's waiting for its credit: a context's starved and back-pressured
  // cycles are these summed over its channels. Read after the run.
  Cycle receiver_starved() const noexcept { return starved_; }
  Cycle sender_backpressured() const noexcept { return backpressured_; }

  // Every wait of either end goes through these two: the clock moves to t if t is later, and
  // the jump is the channel's to answer for. The jump is the rarely taken branch, where the
  // count and (when traced) the record go. kMayTrace is false on the fast path
  // (bounded_untraced_one_thread_ implies no trace), which spares it the test. The bulk moves count into the same fields
  // (detail/bulk.hpp); docs/observing-a-run.md gives the cost measured.
  template <bool kMayTrace = true>
  DFSIM_HOT Cycle receiver_waits_until(ContextCore& receiver, Cycle t) noexcept {
    return waits_until<kMayTrace, &ChannelTrace::receiver_waited>(receiver, t, starved_);
  }
  template <bool kMayTrace = true>
  DFSIM_HOT Cycle sender_waits_until(ContextCore& sender, Cycle t) noexcept {
    return waits_until<kMayTrace, &ChannelTrace::sender_waited>(sender, t, backpressured_);
  }

  // The fields are grouped by cache line so that an enqueue or a dequeue touches two lines
  // besides the ring: its end's own, and the parameters both ends read (last, so that
  // ChannelState's ring pointer and mask share their line). Spread over five lines they
  // cost about 2% of a 64-stage pipeline's run, whose channels do not fit in L1.
  ContextCore* sender = nullptr;
  ContextCore* receiver = nullptr;

 protected:
  std::string name_;
  std::atomic<bool> closed_{false};

  // bounded_untraced_one_thread_ and unbounded_local_ cache what the hot paths would otherwise
  // test as three flags.
  void update_fast_path_flag() noexcept {
    bounded_untraced_one_thread_ = bounded_ && !trace_ && !cross_thread_;
    unbounded_local_ = !bounded_ && !trace_ && !cross_thread_;
    deep_ = bounded_ && capacity_ > 2;
  }

  // Either end's wait: `waited` is the count of that end's jumps, `record` its trace event.
  template <bool kMayTrace, void (ChannelTrace::*record)(Cycle, Cycle)>
  DFSIM_HOT Cycle waits_until(ContextCore& waiter, Cycle t, Cycle& waited) noexcept {
    const Cycle clock = waiter.clock;
    if (t > clock) {
      waited += t - clock;
      if constexpr (kMayTrace)
        if (trace_) [[unlikely]] (trace_->*record)(clock, t);
      waiter.clock = t;
      return t;
    }
    return clock;
  }

  // An unbounded channel's next pause point (in s_credit_end_, which then means no limit
  // but where to look again): kUnboundedPace past the receiver, or past the sender when the
  // receiver is that far behind, which is when the sender pauses.
  bool pace_unbounded() noexcept {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const bool behind = s_tail_ - head >= kUnboundedPace;
    s_credit_end_ = (behind ? s_tail_ : head) + kUnboundedPace;
    return !behind;
  }

  // The sender's cached credit is used up: look at the receiver's counter again (kPace: an
  // unbounded channel's sender may be told to pause, as sender_may_proceed says).
  template <bool kPace>
  bool refresh_sender_credit() noexcept {
    if (!bounded_) [[unlikely]] {
      if constexpr (kPace) return pace_unbounded();
      s_credit_end_ = s_tail_ + kUnboundedPace;
      return true;
    }
    s_credit_end_ = credit_end(head_.load(std::memory_order_acquire));
    return s_tail_ < s_credit_end_;
  }

  std::uint64_t credit_end(std::uint64_t head) const noexcept {
    return head + credit_window_ < head ? ~std::uint64_t{0} : head + credit_window_;
  }

  // ---- the sender's line ----
  alignas(64) std::uint64_t s_tail_ = 0;
  // The first enqueue index without credit, as of the last look at head_ (saturates for an
  // unbounded channel): one comparison on the hot path.
  std::uint64_t s_credit_end_;
  // Published counter: elements enqueued.
  std::atomic<std::uint64_t> tail_{0};

 public:
  // Read by the sender at every enqueue, written when the receiver blocks.
  std::atomic<ContextCore*> waiting_receiver{nullptr};

 protected:
  Cycle backpressured_ = 0;  // the sender's clock jumps waiting for credit (sender_waits_until)
  // ---- the receiver's line ----
  alignas(64) std::uint64_t r_head_ = 0;
  std::uint64_t r_tail_seen_ = 0;
  // Published counter: elements dequeued.
  std::atomic<std::uint64_t> head_{0};

 public:
  // Read by the receiver at every dequeue, written when the sender blocks.
  std::atomic<ContextCore*> waiting_sender{nullptr};

 protected:
  Cycle starved_ = 0;  // the receiver's clock jumps waiting for elements (receiver_waits_until)
  // Peak occupancy, kept by the receiver: see ChannelState::finish_statistics.
  std::uint64_t peak_ = 0;

  // ---- the parameters, read by both ends ----
  alignas(64) std::uint64_t capacity_;
  // Elements in flight before the sender must wait: the capacity, or for an unbounded
  // channel more than can ever be in flight, which spares the hot path a test of bounded_.
  std::uint64_t credit_window_;
  Cycle latency_;
  Cycle response_latency_;

  // Where the receiver records each element's life, when the run is traced.
  ChannelTrace* trace_ = nullptr;
  bool cross_thread_ = false;
  bool bounded_;
  // bounded_ && !trace_ && !cross_thread_ (update_fast_path_flag): the one flag the hot paths test.
  bool bounded_untraced_one_thread_ = false;
  // !bounded_ && !trace_ && !cross_thread_: the unbounded channels' own inlined path.
  bool unbounded_local_ = false;
  // bounded_ && capacity_ > 2: the context woken at either end may run later (wake_deep).
  bool deep_ = false;

  friend void close_channel(ChannelCore& ch) noexcept;

 public:
  // At the end of a run: elements still in the channel are never freed.
  virtual void finish_statistics() noexcept = 0;
};

// Wakes the context waiting at the other end, if any. Defined with the scheduler.
void wake(ContextCore* ctx) noexcept;
// wake() for the other end of a channel deeper than 2 elements: the context may run after
// the other ready ones when the channel would give it little to do yet (worker.hpp, lazy_).
// Only the order of resumes changes, never what they compute.
void wake_deep(ContextCore* ctx) noexcept;

// The store-load barrier of the cross-thread wake protocol: each side stores (an update, a
// registration), then this, then loads the other's; at least one of them sees the other.
// ThreadSanitizer does not model fences, so under it a read-modify-write of one shared atomic
// does the same job in a way TSan understands (RMWs on one location are totally ordered).
DFSIM_HOT void full_fence() noexcept {
#if defined(__SANITIZE_THREAD__)
  static std::atomic<unsigned> proxy{0};
  proxy.fetch_add(0, std::memory_order_seq_cst);
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

// `deep`: the channel's deep_ (wake_deep).
DFSIM_HOT void wake_waiter(std::atomic<ContextCore*>& slot, bool cross_thread,
                           bool deep = false) noexcept {
  if (cross_thread) [[unlikely]] {
    // Pairs with the fence in park(): either we see the waiter or it sees our update.
    full_fence();
    if (slot.load(std::memory_order_relaxed) == nullptr) return;
    if (ContextCore* w = slot.exchange(nullptr, std::memory_order_acq_rel)) wake(w);
    return;
  }
  if (ContextCore* w = slot.load(std::memory_order_relaxed)) {
    slot.store(nullptr, std::memory_order_relaxed);
    if (deep)
      wake_deep(w);
    else
      wake(w);
  }
}

inline Cycle ContextCore::starved() const noexcept {
  Cycle sum = 0;
  for (const ChannelCore* in : inputs) sum += in->receiver_starved();
  return sum;
}
inline Cycle ContextCore::backpressured() const noexcept {
  Cycle sum = 0;
  for (const ChannelCore* out : outputs) sum += out->sender_backpressured();
  return sum;
}

inline void close_channel(ChannelCore& ch) noexcept {
  ch.closed_.store(true, std::memory_order_release);
  wake_waiter(ch.waiting_receiver, ch.cross_thread_);
}

}  // namespace dfsim::detail
