#pragma once
// The typed half of a channel: element storage, and the enqueue/dequeue of
// docs/semantics.md applied through the rules of channel_rules.hpp. Bounded channels keep a ring of slots; unbounded ones a list of chunks,
// so that the sender never moves an element the receiver may be reading.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/detail/channel_rules.hpp"
#include "dfsim/engine/detail/cycle_queue.hpp"

namespace dfsim::detail {

// The largest bounded capacity (67 million elements): its ring of twice as many slots is
// already gigabytes.
inline constexpr std::uint64_t kMaxCapacity = std::uint64_t{1} << 26;

template <class T>
struct Slot {
  T value{};
  Cycle visible = 0;  // when the receiver may see it
  Cycle written = 0;  // the sender's clock at the write (occupancy starts)
  Cycle freed = 0;    // when its dequeue frees the slot (occupancy ends)
};

template <class T>
class ChannelState final : public ChannelCore {
  static constexpr std::uint64_t kChunk = 256;
  struct Chunk {
    Slot<T> slots[kChunk];
    Chunk* next = nullptr;
  };

 public:
  ChannelState(std::string name, std::optional<std::uint64_t> capacity, Cycle latency,
               Cycle response_latency)
      : ChannelCore(std::move(name), capacity, latency, response_latency) {
    if (bounded_) {
      // At least twice the capacity: write k and the free it is compared with (that of
      // element k - peak) must both still be in the ring when the receiver gets to them.
      // (A capacity of 0 or beyond kMaxCapacity is refused by validation before any run:
      // such a channel gets a token ring, not gigabytes.)
      const std::uint64_t c = capacity_ == 0 || capacity_ > kMaxCapacity ? 1 : capacity_;
      std::uint64_t size = std::bit_ceil(c * 2);
      ring_ = std::make_unique<Slot<T>[]>(size);
      mask_ = size - 1;
    } else {
      tail_chunk_ = head_chunk_ = new Chunk;
    }
  }
  ~ChannelState() override {
    for (Chunk* c = head_chunk_; c != nullptr;) delete std::exchange(c, c->next);
    delete spare_chunk_;
  }

  // ---- sender side ----
  // Step 1 of an enqueue: wait (already done) for the slot freed by dequeue k - C.
  // Idempotent: calling it again moves the clock no further.
  void take_credit(ContextCore& sender) noexcept override {
    if (bounded_) sender_waits_until(sender, credit_free_time(s_tail_));
  }

  // Precondition: sender_has_credit(). Visible at max(stamp, t' + L); a stamp of 0 is none.
  // A latency P is a stamp taken at issue (Sender::push), before the credit wait.
  DFSIM_HOT void enqueue(ContextCore& sender, T&& value, Cycle stamp) noexcept {
    if (bounded_untraced_one_thread_) [[likely]]
      enqueue_as<Path::bounded_local>(sender, std::move(value), stamp);
    else if (unbounded_local_)
      enqueue_as<Path::unbounded_local>(sender, std::move(value), stamp);
    else
      enqueue_general(sender, std::move(value), stamp);
  }

  // ---- receiver side (precondition: receiver_has_element()) ----
  DFSIM_HOT const T& peek(ContextCore& receiver) noexcept {
    Slot<T>& slot = front_slot();
    receiver_waits_until(receiver, slot.visible);
    return slot.value;
  }

  DFSIM_HOT T dequeue(ContextCore& receiver) noexcept {
    if (bounded_untraced_one_thread_) [[likely]] return dequeue_as<Path::bounded_local>(receiver);
    if (unbounded_local_) return dequeue_as<Path::unbounded_local>(receiver);
    return dequeue_general(receiver);
  }

  Cycle front_visible_time() const noexcept override {
    return const_cast<ChannelState*>(this)->front_slot().visible;
  }

 private:
  Slot<T>& front_slot() noexcept { return receiver_slot(r_head_, bounded_); }
  // Element i's slot, for the receiver (an unbounded channel's head chunk holds it).
  Slot<T>& receiver_slot(std::uint64_t i, bool bounded) noexcept {
    return bounded ? ring_[i & mask_] : head_chunk_->slots[i & (kChunk - 1)];
  }

  // Unbounded: element k >= r_head_, not yet dequeued (after the run: no sender writes).
  const Slot<T>& unread_slot(std::uint64_t k) const noexcept {
    const Chunk* c = head_chunk_;
    for (std::uint64_t n = (k - (r_head_ & ~(kChunk - 1))) / kChunk; n > 0; --n) c = c->next;
    return c->slots[k & (kChunk - 1)];
  }

  // One body for the three paths. Both ends on one thread and untraced, bounded
  // (bounded_untraced_one_thread_) or unbounded (unbounded_local_), the hot path tests one flag
  // instead of three on each side;
  // the general path tests them all. Inlined for an unbounded channel too: out of line, its
  // dequeue and enqueue took 80 and 47 instructions an element, and an unbounded run 8.5%
  // more instructions than the bounded one that waits for credit at every other element
  // (callgrind, reordered-stable N = 512). The hot paths read
  // every field they need into locals before they store into a slot: a slot holds Cycles,
  // which may alias any of the counters, so the compiler would otherwise reload them after
  // every store (callgrind: a quarter of the instructions).
  enum class Path { bounded_local, unbounded_local, general };
  template <Path P>
  bool bounded_on() const noexcept {
    return P == Path::bounded_local || (P == Path::general && bounded_);
  }

  template <Path P>
  DFSIM_HOT void enqueue_as(ContextCore& sender, T&& value, Cycle stamp) noexcept {
    const std::uint64_t t = s_tail_;
    const Cycle latency = latency_;
    Cycle clock = sender.clock;
    Slot<T>* slot;
    if (bounded_on<P>()) {
      clock = sender_waits_until<P == Path::general>(sender, credit_free_time(t));  // step 1
      slot = &ring_[t & mask_];
    } else {
      slot = &tail_chunk_->slots[t & (kChunk - 1)];
      if ((t & (kChunk - 1)) == kChunk - 1) {
        // Link the next chunk before publishing the last slot, so the receiver finds it.
        tail_chunk_ = tail_chunk_->next = fresh_chunk();
      }
    }
    slot->value = std::move(value);
    slot->visible = rules::visible_time(stamp, clock, latency);
    slot->written = clock;
    s_tail_ = t + 1;
    tail_.store(t + 1, std::memory_order_release);
    wake_waiter(waiting_receiver, P == Path::general && cross_thread_, deep_);
  }

  template <Path P>
  DFSIM_HOT T dequeue_as(ContextCore& receiver) noexcept {
    const std::uint64_t h = r_head_;
    const bool bounded = bounded_on<P>();
    ChannelTrace* const tracer = trace_;
    Slot<T>& slot = receiver_slot(h, bounded);
    const Cycle visible = slot.visible;
    const Cycle clock = receiver_waits_until<P == Path::general>(receiver, visible);
    const Cycle freed = rules::free_time(clock, response_latency_);
    T value = std::move(slot.value);
    const Cycle written = slot.written;
    slot.freed = freed;
    if constexpr (P == Path::general) {
      if (tracer) tracer->record({h, written, visible, clock, freed});
    }
    r_head_ = h + 1;
    if (bounded) {
      // Write h raises the peak p exactly when element h - p was still here at w_h (see
      // finish_statistics); f_h itself is stored above, for p = 0.
      const std::uint64_t peak = peak_;
      if (rules::raises_peak(ring_[(h - peak) & mask_].freed, written)) peak_ = peak + 1;
    } else {
      // The same rule, the frees of elements h - p .. h kept apart from the chunks, which go
      // as soon as they are read.
      recent_frees_.push_back(freed);
      if (rules::raises_peak(recent_frees_.front(), written))
        ++peak_;
      else
        recent_frees_.pop_front();
      if ((h & (kChunk - 1)) == kChunk - 1) retire_chunk(std::exchange(head_chunk_, head_chunk_->next));
    }
    head_.store(h + 1, std::memory_order_release);
    wake_waiter(waiting_sender, P == Path::general && cross_thread_, deep_);
    return value;
  }

  // An unbounded channel whose ends share a thread keeps the chunk its receiver emptied last
  // for its sender's next one: with the sender paced (sender_may_proceed) that is nearly
  // every chunk, still in cache, and no allocation per 256 elements.
  Chunk* fresh_chunk() {
    if (Chunk* c = std::exchange(spare_chunk_, nullptr)) {
      c->next = nullptr;
      return c;
    }
    return new Chunk;
  }
  void retire_chunk(Chunk* c) noexcept {
    if (cross_thread_ || spare_chunk_ != nullptr)
      delete c;
    else
      spare_chunk_ = c;
  }

  // Out of line: the hot path of every co_await stays small.
  [[gnu::noinline]] void enqueue_general(ContextCore& sender, T&& value, Cycle stamp) noexcept {
    enqueue_as<Path::general>(sender, std::move(value), stamp);
  }
  [[gnu::noinline]] T dequeue_general(ContextCore& receiver) noexcept {
    return dequeue_as<Path::general>(receiver);
  }

  // Bounded: when the slot that enqueue t needs was freed (by dequeue t - C). For t < C the
  // index wraps to a slot at or beyond P - C >= C, not yet used (the ring starts zeroed):
  // 0, no wait, and no test of t on the hot path.
  Cycle credit_free_time(std::uint64_t t) const noexcept {
    return ring_[(t - capacity_) & mask_].freed;
  }

  // Peak occupancy is the largest (writes at or before x) - (frees at or before x). Write k
  // at w_k (sorted) and the frees f_j (sorted: the receiver's clock only rises) make the
  // occupancy just after write k o_k = k + 1 - #{j : f_j <= w_k}, and the peak is max o_k.
  //
  // With p the peak so far, o_k > p exactly when f_{k-p} > w_k (element k - p is not yet
  // freed at w_k), and o_k <= o_{k-1} + 1, so each write costs one comparison and raises the
  // peak by at most one. Dequeue k decides write k: it knows f_{k-p} (p >= 1, or f_k itself
  // for p = 0) and w_k. Bounded, both are still in the ring (the sender reuses slot k only
  // after dequeue k + P - C, the receiver overwrites f_{k-p} only at dequeue k - p + P);
  // unbounded, the frees of elements k - p .. k are kept in recent_frees_. What is left
  // after the run is the writes never dequeued.

 public:
  // At the end of a run: elements still in the channel are never freed.
  void finish_statistics() noexcept override {
    r_tail_seen_ = tail_.load(std::memory_order_acquire);
    // The writes never dequeued. peak <= head here (a peak of p needs p writes dequeued or
    // in the channel by then).
    // j = k - peak only rises, by one when write k does not raise the peak: unbounded, the
    // front of recent_frees_ is f_j throughout (it starts at f_{head - peak}), popped as j rises.
    std::uint64_t peak = peak_;
    const std::uint64_t head = r_head_;
    for (std::uint64_t k = head; k < r_tail_seen_; ++k) {
      const std::uint64_t j = k - peak;
      // Element j was never freed (j >= head), or freed after write k.
      if (j >= head) {
        ++peak;
      } else if (bounded_) {
        if (rules::raises_peak(ring_[j & mask_].freed, ring_[k & mask_].written)) ++peak;
      } else if (rules::raises_peak(recent_frees_.front(), unread_slot(k).written)) {
        ++peak;
      } else {
        recent_frees_.pop_front();
      }
    }
    peak_ = peak;
  }

 private:
  friend struct Bulk;  // the bulk moves (bulk.hpp) apply these rules to runs of elements

  std::unique_ptr<Slot<T>[]> ring_;
  std::uint64_t mask_ = 0;
  Chunk* tail_chunk_ = nullptr;
  Chunk* head_chunk_ = nullptr;
  CycleQueue recent_frees_;  // unbounded: the frees of elements r_head_ - peak_ .. r_head_ - 1
  Chunk* spare_chunk_ = nullptr;  // only when both ends share a thread (retire_chunk)
};

}  // namespace dfsim::detail
