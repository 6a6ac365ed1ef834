#pragma once
// The bodies of the bulk moves (dfsim/engine/bulk.hpp): the rules of channel_rules.hpp, as
// ChannelState::enqueue_as / dequeue_as apply them, for a run of elements that need no wait, with the
// channels' counters, the ring pointers and the clock in registers.
//
// Why it is exact: a bulk move applies only to channels on the fast path (bounded, untraced,
// both ends on this thread: bounded_untraced_one_thread_), so the context at the other end of
// each channel is suspended for the whole move: what is in the input and the credit of the
// output cannot change meanwhile, and the number of elements the element-at-a-time loop would move before its first wait is known
// up front. Its wakes are made once, at the end, in the loop's order: they only queue the
// woken context, which runs after this one suspends either way.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

#include "dfsim/engine/detail/channel_state.hpp"

namespace dfsim::detail {

struct Bulk {
  template <class In, class Out>
  static bool applies(const ChannelState<In>& in, const ChannelState<Out>& out) noexcept {
    // A context that feeds itself sees its own pushes: the count known up front would be wrong.
    return in.bounded_untraced_one_thread_ && out.bounded_untraced_one_thread_ &&
           static_cast<const ChannelCore*>(&in) != static_cast<const ChannelCore*>(&out);
  }
  template <class T>
  static bool applies(const ChannelState<T>& ch) noexcept {
    return ch.bounded_untraced_one_thread_;
  }

  // The receiver's end of a run: every element it may dequeue now, without waiting.
  template <class T>
  static std::uint64_t ready_elements(ChannelState<T>& in) noexcept {
    in.r_tail_seen_ = in.tail_.load(std::memory_order_acquire);
    return in.r_tail_seen_ - in.r_head_;
  }
  // The sender's: every enqueue it has credit for now.
  template <class T>
  static std::uint64_t ready_credits(ChannelState<T>& out) noexcept {
    out.s_credit_end_ = out.credit_end(out.head_.load(std::memory_order_acquire));
    return out.s_credit_end_ - out.s_tail_;
  }

  // The clock of a context, in a register for the length of a move. The wait counters stay in
  // the channels: they change only when an element makes the loop wait, and two registers
  // fewer spare the loop its spills. (A bulk move is never traced: fast-path channels only.)
  struct Clock {
    ContextCore& ctx;
    Cycle now = ctx.clock;
    void wait_until(Cycle t, Cycle& counter) noexcept {
      if (t > now) [[unlikely]] {
        counter += t - now;
        now = t;
      }
    }
    void store() const noexcept { ctx.clock = now; }
  };

  // Positions in a ring, scaled by the slot's size where that is a power of two: x86 scales an
  // index by at most 8, so `ring[i & mask]` over 32-byte slots costs a shift and an add per
  // access that a byte offset does not (with a count-down loop: 39 -> 36 instructions per
  // element of a pipeline stage).
  template <class T>
  struct Ring {
    static constexpr std::uint64_t kStep =
        std::has_single_bit(sizeof(Slot<T>)) ? sizeof(Slot<T>) : 1;
    Slot<T>* const slots;
    const std::uint64_t mask;  // of a scaled position

    explicit Ring(ChannelState<T>& ch) noexcept
        : slots(ch.ring_.get()), mask((ch.mask_ + 1) * kStep - 1) {}
    static std::uint64_t scaled(std::uint64_t index) noexcept { return index * kStep; }
    static std::uint64_t elements(std::uint64_t scaled_count) noexcept {
      return scaled_count / kStep;
    }
    Slot<T>& at(std::uint64_t position) const noexcept {
      if constexpr (kStep > 1)
        return *reinterpret_cast<Slot<T>*>(reinterpret_cast<char*>(slots) + (position & mask));
      else
        return slots[position & mask];
    }
  };

  // Dequeue rules (dequeue_as, bounded): the clock moves to the element's visible time, its
  // slot frees R later, and dequeue h decides whether write h raised the peak.
  template <class T>
  struct ReadCursor {
    static constexpr std::uint64_t kStep = Ring<T>::kStep;
    ChannelState<T>& ch;
    const Ring<T> ring{ch};
    const Cycle response = ch.response_latency_;
    const std::uint64_t start = Ring<T>::scaled(ch.r_head_);
    std::uint64_t head = start;
    // Element head - peak, whose free decides the next write's peak: it moves with head,
    // except where the peak rises.
    const std::uint64_t behind_start = Ring<T>::scaled(ch.r_head_ - ch.peak_);
    std::uint64_t behind = behind_start;

    DFSIM_HOT T pop(Clock& clock) noexcept {
      Slot<T>& slot = ring.at(head);
      clock.wait_until(slot.visible, ch.starved_);
      const Cycle written = slot.written;
      slot.freed = rules::free_time(clock.now, response);
      if (!rules::raises_peak(ring.at(behind).freed, written)) behind += kStep;
      head += kStep;
      return std::move(slot.value);
    }
    DFSIM_HOT void commit() noexcept {
      const std::uint64_t moved = Ring<T>::elements(head - start);
      ch.peak_ += moved - Ring<T>::elements(behind - behind_start);
      ch.r_head_ += moved;
      ch.head_.store(ch.r_head_, std::memory_order_release);
      if (moved > 0) wake_waiter(ch.waiting_sender, false);
    }
  };

  // Enqueue rules (enqueue_as, bounded, a latency P): the clock moves to the time the slot of
  // dequeue t - C frees, and the element is stamped P after the clock before that wait.
  // kStamped is P > L: otherwise t + P <= t' + L and the stamp never decides, which spares the
  // loop an add and a max per element (5% of a pipeline stage).
  template <class T, bool kStamped>
  struct WriteCursor {
    static constexpr std::uint64_t kStep = Ring<T>::kStep;
    ChannelState<T>& ch;
    const Ring<T> ring{ch};
    const std::uint64_t capacity = Ring<T>::scaled(ch.capacity_);
    const Cycle latency;
    const Cycle depth;
    const std::uint64_t start = Ring<T>::scaled(ch.s_tail_);
    std::uint64_t tail = start;

    WriteCursor(ChannelState<T>& c, Cycle delay) noexcept
        : ch(c), latency(c.latency_), depth(delay) {}
    static bool stamped(const ChannelState<T>& c, Cycle delay) noexcept {
      return delay > c.latency_;
    }

    DFSIM_HOT void push(Clock& clock, T&& value) noexcept {
      const Cycle stamp = kStamped ? rules::stamp_after(clock.now, depth) : 0;
      clock.wait_until(ring.at(tail - capacity).freed, ch.backpressured_);
      Slot<T>& slot = ring.at(tail);
      slot.value = std::move(value);
      slot.visible = rules::visible_time(stamp, clock.now, latency);
      slot.written = clock.now;
      tail += kStep;
    }
    DFSIM_HOT void commit() noexcept {
      const std::uint64_t moved = Ring<T>::elements(tail - start);
      ch.s_tail_ += moved;
      ch.tail_.store(ch.s_tail_, std::memory_order_release);
      if (moved > 0) wake_waiter(ch.waiting_receiver, false);
    }
  };

  // What the loops have done is committed even when the user's function throws: the
  // element-at-a-time loop would have made those same moves before the throw.
  template <class Body, class Commit>
  static std::uint64_t run(std::uint64_t count, Body&& body, Commit&& commit) {
    try {
      for (std::uint64_t left = count; left != 0; --left) body();
    } catch (...) {
      commit();
      throw;
    }
    commit();
    return count;
  }

  template <class In, class Out, class Fn>
  static std::uint64_t transfer_ready(ContextCore& ctx, ChannelState<In>& in, ChannelState<Out>& out,
                                Fn& fn, Cycle delay, Cycle interval) {
    if (!applies(in, out)) return 0;
    const std::uint64_t count = std::min(ready_elements(in), ready_credits(out));
    if (count == 0) return 0;
    if (WriteCursor<Out, true>::stamped(out, delay))
      return transfer_ready_run<In, Out, true>(ctx, in, out, fn, delay, interval, count);
    return transfer_ready_run<In, Out, false>(ctx, in, out, fn, delay, interval, count);
  }

  template <class In, class Out, bool kStamped, class Fn>
  static std::uint64_t transfer_ready_run(ContextCore& ctx, ChannelState<In>& in,
                                    ChannelState<Out>& out, Fn& fn, Cycle delay, Cycle interval,
                                    std::uint64_t count) {
    Clock clock{ctx};
    ReadCursor<In> reader{in};
    WriteCursor<Out, kStamped> writer(out, delay);
    // fn runs after the pop and before the push, as in `co_await out.push(fn(*x))`: a throw
    // from it leaves the element dequeued and nothing written.
    return run(
        count,
        [&] {
          In x = reader.pop(clock);
          clock.store();  // for fn: now() is the clock of its element's pop
          writer.push(clock, fn(std::move(x)));
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store();
          reader.commit();
          writer.commit();
        });
  }

  // Inlined in the caller's loop: where the move is too short, the test is all it costs.
  template <class T, class Next>
  DFSIM_HOT static std::uint64_t push_ready(ContextCore& ctx, ChannelState<T>& out, Next& next,
                                            Cycle delay, Cycle interval, std::uint64_t limit,
                                            std::uint64_t shortest) {
    if (!applies(out)) return 0;
    const std::uint64_t count = std::min(ready_credits(out), limit);
    if (count == 0 || count < std::min(shortest, limit)) return 0;
    if (WriteCursor<T, true>::stamped(out, delay))
      return push_ready_run<T, true>(ctx, out, next, delay, interval, count);
    return push_ready_run<T, false>(ctx, out, next, delay, interval, count);
  }

  template <class T, bool kStamped, class Next>
  static std::uint64_t push_ready_run(ContextCore& ctx, ChannelState<T>& out, Next& next, Cycle delay,
                                Cycle interval, std::uint64_t count) {
    Clock clock{ctx};
    WriteCursor<T, kStamped> writer(out, delay);
    return run(
        count,
        [&] {
          clock.store();  // for next: now() is the clock before its push
          writer.push(clock, next());
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store();
          writer.commit();
        });
  }

  template <class T, class Consume>
  static std::uint64_t pop_ready(ContextCore& ctx, ChannelState<T>& in, Consume& consume,
                              Cycle interval, std::uint64_t limit) {
    if (!applies(in)) return 0;
    const std::uint64_t count = std::min(ready_elements(in), limit);
    if (count == 0) return 0;
    Clock clock{ctx};
    ReadCursor<T> reader{in};
    // The element is dequeued before consume sees it, as after `co_await in.pop()`.
    return run(
        count,
        [&] {
          T x = reader.pop(clock);
          clock.store();  // for consume: now() is the clock of its element's pop
          consume(std::move(x));
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store();
          reader.commit();
        });
  }
};

}  // namespace dfsim::detail
