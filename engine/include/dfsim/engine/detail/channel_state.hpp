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
      std::uint64_t size = std::bit_ceil(std::max<std::uint64_t>(capacity_, 1));
      ring_ = std::make_unique<Slot<T>[]>(size);
      mask_ = size - 1;
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
    std::uint64_t t = tail_.load(std::memory_order_relaxed);
    if (bounded_ && t >= capacity_) sender.move_clock_to(ring_[(t - capacity_) & mask_].freed,
                                                         sender.backpressured);
  }

  // Precondition: has_credit(). Visible at max(stamp, t' + max(L, delay)).
  void enqueue(ContextCore& sender, T&& value, Cycle delay, Cycle stamp) noexcept {
    take_credit(sender);
    std::uint64_t t = tail_.load(std::memory_order_relaxed);
    Slot<T>& slot = bounded_ ? ring_[t & mask_] : tail_chunk_->slots[t & (kChunk - 1)];
    slot.value = std::move(value);
    slot.visible = std::max(stamp, add_cycles(sender.clock, std::max(latency_, delay)));
    slot.written = sender.clock;
    if (!bounded_ && (t & (kChunk - 1)) == kChunk - 1) {
      // Link the next chunk before publishing the last slot, so the receiver finds it.
      tail_chunk_ = tail_chunk_->next = new Chunk;
    }
    tail_.store(t + 1, std::memory_order_release);
    wake_waiter(waiting_receiver, cross_thread);
  }

  // ---- receiver side (precondition: !empty()) ----
  const T& peek(ContextCore& receiver) noexcept {
    Slot<T>& slot = front_slot();
    receiver.move_clock_to(slot.visible, receiver.starved);
    return slot.value;
  }

  T dequeue(ContextCore& receiver) noexcept {
    std::uint64_t h = head_.load(std::memory_order_relaxed);
    Slot<T>& slot = front_slot();
    receiver.move_clock_to(slot.visible, receiver.starved);
    T value = std::move(slot.value);
    Cycle freed = add_cycles(receiver.clock, response_latency_);
    slot.freed = freed;
    account_free(h, freed);
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
    std::uint64_t h = head_.load(std::memory_order_relaxed);
    return bounded_ ? ring_[h & mask_] : head_chunk_->slots[h & (kChunk - 1)];
  }

  // Every write before the first one later than `freed` now has its occupancy known:
  // all frees up to it are in (frees come in time order), later ones are after it.
  void account_free(std::uint64_t freed_index, Cycle freed) noexcept {
    std::uint64_t tail = tail_.load(std::memory_order_acquire);
    while (pending_ < tail) {
      const Slot<T>& w = bounded_ ? ring_[pending_ & mask_]
                                  : pending_chunk_->slots[pending_ & (kChunk - 1)];
      if (w.written >= freed) break;
      peak_ = std::max(peak_, pending_ + 1 - freed_index);
      if (!bounded_ && (pending_ & (kChunk - 1)) == kChunk - 1) pending_chunk_ = pending_chunk_->next;
      ++pending_;
    }
  }

  std::unique_ptr<Slot<T>[]> ring_;
  std::uint64_t mask_ = 0;
  Chunk* tail_chunk_ = nullptr;
  Chunk* head_chunk_ = nullptr;
  Chunk* pending_chunk_ = nullptr;
};

}  // namespace dfsim::detail
