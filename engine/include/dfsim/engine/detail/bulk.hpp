#pragma once
// The bodies of the bulk moves (dfsim/engine/bulk.hpp): the element-at-a-time rules of
// ChannelState::enqueue_as / dequeue_as, for a run of elements that need no wait, with the
// channels' counters, the ring pointers and the clock in registers.
//
// Why it is exact: a bulk move applies only to plain channels (bounded, untraced, both ends
// on this thread), so the context at the other end of each channel is suspended for the whole
// move: what is in the input and the credit of the output cannot change meanwhile, and the
// number of elements the element-at-a-time loop would move before its first wait is known
// up front. Its wakes are made once, at the end, in the loop's order: they only queue the
// woken context, which runs after this one suspends either way.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "dfsim/engine/detail/channel_state.hpp"

namespace dfsim::detail {

struct Bulk {
  template <class In, class Out>
  static bool applies(const ChannelState<In>& in, const ChannelState<Out>& out) noexcept {
    // A context that feeds itself sees its own pushes: the count known up front would be wrong.
    return in.plain_ && out.plain_ &&
           static_cast<const ChannelCore*>(&in) != static_cast<const ChannelCore*>(&out);
  }
  template <class T>
  static bool applies(const ChannelState<T>& ch) noexcept { return ch.plain_; }

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

  // The clock and wait counters of a context, in registers for the length of a move.
  struct Clock {
    Cycle now, starved, backpressured;
    explicit Clock(const ContextCore& ctx) noexcept
        : now(ctx.clock), starved(ctx.starved), backpressured(ctx.backpressured) {}
    void store(ContextCore& ctx) const noexcept {
      ctx.clock = now;
      ctx.starved = starved;
      ctx.backpressured = backpressured;
    }
  };

  // Dequeue rules (dequeue_as, bounded): the clock moves to the element's visible time, its
  // slot frees R later, and dequeue h decides whether write h raised the peak.
  template <class T>
  struct ReadCursor {
    ChannelState<T>& ch;
    Slot<T>* const ring = ch.ring_.get();
    const std::uint64_t mask = ch.mask_;
    const Cycle response = ch.response_latency_;
    std::uint64_t head = ch.r_head_;
    std::uint64_t peak = ch.peak_;

    DFSIM_HOT T pop(Clock& clock) noexcept {
      Slot<T>& slot = ring[head & mask];
      const Cycle visible = slot.visible;
      if (visible > clock.now) {
        clock.starved += visible - clock.now;
        clock.now = visible;
      }
      const Cycle written = slot.written;
      slot.freed = clock.now + response;
      if (ring[(head - peak) & mask].freed > written) ++peak;
      ++head;
      return std::move(slot.value);
    }
    void commit() noexcept {
      const std::uint64_t moved = head - ch.r_head_;
      ch.r_head_ = head;
      ch.peak_ = peak;
      ch.head_.store(head, std::memory_order_release);
      if (moved > 0) wake_waiter(ch.waiting_sender, false);
    }
  };

  // Enqueue rules (enqueue_as, bounded, no stamp): the clock moves to the time the slot of
  // dequeue t - C frees, and the element is visible max(L, depth) later.
  template <class T>
  struct WriteCursor {
    ChannelState<T>& ch;
    Slot<T>* const ring = ch.ring_.get();
    const std::uint64_t mask = ch.mask_;
    const std::uint64_t capacity = ch.capacity_;
    const Cycle depth;
    std::uint64_t tail = ch.s_tail_;

    WriteCursor(ChannelState<T>& c, Cycle delay) noexcept
        : ch(c), depth(std::max(c.latency_, delay)) {}

    DFSIM_HOT void push(Clock& clock, T&& value) noexcept {
      const Cycle credit = ring[(tail - capacity) & mask].freed;
      if (credit > clock.now) {
        clock.backpressured += credit - clock.now;
        clock.now = credit;
      }
      Slot<T>& slot = ring[tail & mask];
      slot.value = std::move(value);
      slot.visible = clock.now + depth;
      slot.written = clock.now;
      ++tail;
    }
    void commit() noexcept {
      const std::uint64_t moved = tail - ch.s_tail_;
      ch.s_tail_ = tail;
      ch.tail_.store(tail, std::memory_order_release);
      if (moved > 0) wake_waiter(ch.waiting_receiver, false);
    }
  };

  // What the loops have done is committed even when the user's function throws: the
  // element-at-a-time loop would have made those same moves before the throw.
  template <class Body, class Commit>
  static std::uint64_t run(std::uint64_t count, Body&& body, Commit&& commit) {
    try {
      for (std::uint64_t i = 0; i < count; ++i) body();
    } catch (...) {
      commit();
      throw;
    }
    commit();
    return count;
  }

  template <class In, class Out, class Fn>
  static std::uint64_t transfer(ContextCore& ctx, ChannelState<In>& in, ChannelState<Out>& out,
                                Fn& fn, Cycle delay, Cycle interval) {
    if (!applies(in, out)) return 0;
    const std::uint64_t count = std::min(ready_elements(in), ready_credits(out));
    if (count == 0) return 0;
    Clock clock(ctx);
    ReadCursor<In> reader{in};
    WriteCursor<Out> writer(out, delay);
    // fn runs after the pop and before the push, as in `co_await out.push(fn(*x))`: a throw
    // from it leaves the element dequeued and nothing written.
    return run(
        count,
        [&] {
          In x = reader.pop(clock);
          ctx.clock = clock.now;  // for fn: now() is the clock of its element's pop
          writer.push(clock, fn(std::move(x)));
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store(ctx);
          reader.commit();
          writer.commit();
        });
  }

  template <class T, class Next>
  static std::uint64_t emit(ContextCore& ctx, ChannelState<T>& out, Next& next, Cycle delay,
                            Cycle interval, std::uint64_t limit) {
    if (!applies(out)) return 0;
    const std::uint64_t count = std::min(ready_credits(out), limit);
    if (count == 0) return 0;
    Clock clock(ctx);
    WriteCursor<T> writer(out, delay);
    return run(
        count,
        [&] {
          ctx.clock = clock.now;  // for next: now() is the clock before its push
          writer.push(clock, next());
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store(ctx);
          writer.commit();
        });
  }

  template <class T, class Consume>
  static std::uint64_t absorb(ContextCore& ctx, ChannelState<T>& in, Consume& consume,
                              Cycle interval, std::uint64_t limit) {
    if (!applies(in)) return 0;
    const std::uint64_t count = std::min(ready_elements(in), limit);
    if (count == 0) return 0;
    Clock clock(ctx);
    ReadCursor<T> reader{in};
    // The element is dequeued before consume sees it, as after `co_await in.pop()`.
    return run(
        count,
        [&] {
          T x = reader.pop(clock);
          ctx.clock = clock.now;  // for consume: now() is the clock of its element's pop
          consume(std::move(x));
          clock.now = add_cycles(clock.now, interval);
        },
        [&] {
          clock.store(ctx);
          reader.commit();
        });
  }
};

}  // namespace dfsim::detail
