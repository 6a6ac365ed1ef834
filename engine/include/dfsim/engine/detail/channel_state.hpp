#pragma once
// The typed half of a channel: element storage and the enqueue/dequeue rules of
// semantics.md. Bounded channels keep a ring of slots; unbounded ones a list of chunks,
// so that the sender never moves an element the receiver may be reading.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "dfsim/engine/detail/channel_core.hpp"

namespace dfsim::detail {

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
      // Twice the capacity: the slack lets the receiver settle occupancy in batches.
      std::uint64_t size = std::bit_ceil(std::max<std::uint64_t>(capacity_, 1) * 2);
      ring_ = std::make_unique<Slot<T>[]>(size);
      mask_ = size - 1;
      settle_every_ = size - capacity_;
    } else {
      tail_chunk_ = head_chunk_ = pending_chunk_ = new Chunk;
    }
  }
  ~ChannelState() override {
    for (Chunk* c = head_chunk_; c != nullptr;) delete std::exchange(c, c->next);
  }

  // ---- sender side ----
  // Step 1 of an enqueue: wait (already done) for the slot freed by dequeue k - C.
  // Idempotent: calling it again moves the clock no further.
  void take_credit(ContextCore& sender) noexcept override {
    if (bounded_ && s_tail_ >= capacity_)
      sender.move_clock_to(ring_[(s_tail_ - capacity_) & mask_].freed, sender.backpressured);
  }

  // Precondition: sender_has_credit(). Visible at max(stamp, t' + max(L, delay)).
  DFSIM_HOT void enqueue(ContextCore& sender, T&& value, Cycle delay, Cycle stamp) noexcept {
    take_credit(sender);
    const std::uint64_t t = s_tail_;
    Slot<T>& slot = bounded_ ? ring_[t & mask_] : tail_chunk_->slots[t & (kChunk - 1)];
    slot.value = std::move(value);
    slot.visible = std::max(stamp, sender.clock + std::max(latency_, delay));
    slot.written = sender.clock;
    if (!bounded_ && (t & (kChunk - 1)) == kChunk - 1) {
      // Link the next chunk before publishing the last slot, so the receiver finds it.
      tail_chunk_ = tail_chunk_->next = new Chunk;
    }
    s_tail_ = t + 1;
    tail_.store(t + 1, std::memory_order_release);
    wake_waiter(waiting_receiver, cross_thread);
  }

  // ---- receiver side (precondition: receiver_has_element()) ----
  DFSIM_HOT const T& peek(ContextCore& receiver) noexcept {
    Slot<T>& slot = front_slot();
    receiver.move_clock_to(slot.visible, receiver.starved);
    return slot.value;
  }

  DFSIM_HOT T dequeue(ContextCore& receiver) noexcept {
    const std::uint64_t h = r_head_;
    Slot<T>& slot = front_slot();
    receiver.move_clock_to(slot.visible, receiver.starved);
    T value = std::move(slot.value);
    // Settle the writes up to h before this slot's old free is overwritten (see below).
    if (!bounded_ || h - matched_ >= settle_every_) account_writes(/*run_over=*/false);
    const Cycle freed = receiver.clock + response_latency_;
    slot.freed = freed;
    if (!bounded_) unmatched_frees_.push_back(freed);
    if (trace) [[unlikely]]
      trace->record({h, slot.written, slot.visible, receiver.clock, freed});
    r_head_ = h + 1;
    if (!bounded_ && (h & (kChunk - 1)) == kChunk - 1) {
      delete std::exchange(head_chunk_, head_chunk_->next);
    }
    head_.store(h + 1, std::memory_order_release);
    wake_waiter(waiting_sender, cross_thread);
    return value;
  }

  Cycle front_visible_time() const noexcept override {
    return const_cast<ChannelState*>(this)->front_slot().visible;
  }

 private:
  Slot<T>& front_slot() noexcept {
    return bounded_ ? ring_[r_head_ & mask_] : head_chunk_->slots[r_head_ & (kChunk - 1)];
  }

  // Peak occupancy is the largest (writes at or before x) - (frees at or before x). Both
  // sequences are sorted in time, so the occupancy just after write k is
  // k + 1 - #{frees at or before it}, known once a free later than it is known, or once
  // every earlier element has been freed. The receiver sees both sequences; this merges them
  // lazily, whichever arrives first in wall-clock time.
  //
  // Frees are known for elements below r_head_, of which those from matched_ on are not yet
  // known to precede the pending write. An unbounded channel queues them and settles at
  // every dequeue. A bounded one reads them from its ring of P >= 2C slots, and settles only
  // when dequeue h would otherwise overwrite a free still needed: settling makes
  // matched_ > h - C (write h waited for free h - C, by the credit rule), so the frees and
  // writes still needed stay intact for the next P - C dequeues.
  DFSIM_HOT void account_writes(bool run_over) noexcept {
    for (;;) {
      if (pending_ >= r_tail_seen_) {
        r_tail_seen_ = tail_.load(std::memory_order_acquire);
        if (pending_ >= r_tail_seen_) return;
      }
      const Cycle written = pending_slot().written;
      if (bounded_) {
        while (matched_ < r_head_ && ring_[matched_ & mask_].freed <= written) ++matched_;
      } else {
        while (!unmatched_frees_.empty() && unmatched_frees_.front() <= written) {
          unmatched_frees_.pop_front();
          ++matched_;
        }
      }
      // An earlier element not dequeued yet might still be freed before this write.
      if (!run_over && matched_ == r_head_ && matched_ < pending_) return;
      peak_ = std::max(peak_, pending_ + 1 - matched_);
      if (!bounded_ && (pending_ & (kChunk - 1)) == kChunk - 1) pending_chunk_ = pending_chunk_->next;
      ++pending_;
    }
  }

 public:
  void finish_statistics() noexcept override { account_writes(/*run_over=*/true); }

 private:
  Slot<T>& pending_slot() noexcept {
    return bounded_ ? ring_[pending_ & mask_] : pending_chunk_->slots[pending_ & (kChunk - 1)];
  }

  std::unique_ptr<Slot<T>[]> ring_;
  std::uint64_t mask_ = 0;
  std::uint64_t settle_every_ = 0;
  Chunk* tail_chunk_ = nullptr;
  Chunk* head_chunk_ = nullptr;
  Chunk* pending_chunk_ = nullptr;
};

}  // namespace dfsim::detail
