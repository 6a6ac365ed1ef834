#pragma once
// Channels join exactly one sender context to one receiver context. Each element carries
// the cycle at which it becomes visible; capacity is enforced by credits that the receiver
// frees R cycles after each dequeue (docs/semantics.md, "Channels").
#include <coroutine>
#include <optional>
#include <string>
#include <utility>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/engine/detail/block.hpp"
#include "dfsim/engine/detail/channel_state.hpp"

namespace dfsim {

struct ChannelOptions {
  // Slots in flight; std::nullopt for an unbounded channel.
  std::optional<std::uint64_t> capacity = 2;
  Cycle latency = 1;           // L: an enqueue at t is visible at t + L at the earliest
  Cycle response_latency = 1;  // R: a dequeue at t frees its slot at t + R
};

inline constexpr std::optional<std::uint64_t> unbounded = std::nullopt;

// A unit's pipeline depth P (not the channel's latency L): `push(v, PipelineDepth{P})` stamps
// v P cycles after the clock at which the write is issued.
struct PipelineDepth {
  Cycle cycles = 0;
};
// The old name of PipelineDepth, kept so that code written against it still compiles. It
// read as the channel's latency L, which it is not: write PipelineDepth.
using Latency = PipelineDepth;

namespace detail {
struct EndBinder;

// What a Sender and a Receiver are alike in: a move-only handle on one end of a channel,
// which the Program binds to the context it is given to (EndBinder); a moved-from end is
// empty, so that only one context can ever use it.
template <class T>
class ChannelEnd {
 public:
  ChannelEnd(ChannelEnd&& other) noexcept
      : ch_(std::exchange(other.ch_, nullptr)), ctx_(std::exchange(other.ctx_, nullptr)) {}
  ChannelEnd& operator=(ChannelEnd&& other) noexcept {
    ch_ = std::exchange(other.ch_, nullptr);
    ctx_ = std::exchange(other.ctx_, nullptr);
    return *this;
  }
  ChannelEnd(const ChannelEnd&) = delete;
  ChannelEnd& operator=(const ChannelEnd&) = delete;

  const std::string& name() const noexcept { return ch_->name(); }
  explicit operator bool() const noexcept { return ch_ != nullptr; }
  ChannelState<T>* state() const noexcept { return ch_; }
  ContextCore* owner() const noexcept { return ctx_; }

 protected:
  ChannelEnd() = default;
  explicit ChannelEnd(ChannelState<T>* ch) noexcept : ch_(ch) {}
  ChannelState<T>* ch_ = nullptr;
  ContextCore* ctx_ = nullptr;

 private:
  friend struct EndBinder;
};
}  // namespace detail

template <class T>
class Sender : public detail::ChannelEnd<T> {
 public:
  Sender() = default;

  // A write and a credit wait wait for the same slot of credit.
  struct CreditWaitBase {
    detail::ChannelState<T>* ch;
    detail::ContextCore* ctx;
    DFSIM_HOT bool await_ready() const noexcept { return ch->sender_may_proceed(); }
    // await_ready said no: on an unbounded channel that is a pause, not a wait; on a bounded
    // one the credit it just looked for is not there (a slot another thread frees meanwhile is
    // caught by block_on's re-check), so it is not asked for again.
    void await_suspend(std::coroutine_handle<>) noexcept {
      if (!ch->bounded()) return detail::yield(*ctx);
      ctx->wait_on(detail::WaitKind::enqueue, ch);
      detail::block_on(*ctx, ch->waiting_sender);
    }
  };
  struct PushAwaiter : CreditWaitBase {
    T value;
    Cycle stamp;
    DFSIM_HOT void await_resume() noexcept {
      this->ch->enqueue(*this->ctx, std::move(value), stamp);
    }
  };
  struct CreditAwaiter : CreditWaitBase {
    Cycle issued;
    // The clock when the write was issued, before the wait: stamps count from it.
    Cycle await_resume() noexcept {
      this->ch->take_credit(*this->ctx);
      return issued;
    }
  };

  // Visible at (clock after credit) + L.
  [[nodiscard("co_await it")]] PushAwaiter push(T value) noexcept {
    return {{ch_, ctx_}, std::move(value), 0};
  }
  // A unit with pipeline depth P: stamped (clock now, at the call) + P, before any wait for
  // credit; visible at max(that stamp, clock after credit + L) (docs/semantics.md, step 2).
  [[nodiscard("co_await it")]] PushAwaiter push(T value, PipelineDepth depth) noexcept {
    return {{ch_, ctx_}, std::move(value), detail::rules::stamp_after(ctx_->clock, depth.cycles)};
  }
  // An explicit stamp: visible at max(stamp, clock after credit + L).
  [[nodiscard("co_await it")]] PushAwaiter push_at(T value, Cycle stamp) noexcept {
    return {{ch_, ctx_}, std::move(value), stamp};
  }
  // Waits for a free slot without writing; the next push uses that same slot. Returns the
  // clock at the call, from which a stamp counts:
  //   Cycle issued = co_await out.credit();  out.push_now_at(v, issued + P);
  [[nodiscard("co_await it")]] CreditAwaiter credit() noexcept {
    return {{ch_, ctx_}, ctx_->clock};
  }
  // Writes without waiting, visible at max(stamp, clock + L). Precondition: credit is held
  // (after credit() or all_credit()).
  DFSIM_HOT void push_now(T value) noexcept { ch_->enqueue(*ctx_, std::move(value), 0); }
  DFSIM_HOT void push_now_at(T value, Cycle stamp) noexcept { ch_->enqueue(*ctx_, std::move(value), stamp); }

  // Whether a write could go now without suspending: a slot is free, or the receiver has
  // already dequeued the element that frees one. The cycles a write waits do not depend on
  // it; when the receiver runs on another thread, whether it has dequeued yet depends on
  // wall-clock time, so the answer may differ from run to run (the timing does not).
  bool has_credit() const noexcept { return ch_->sender_has_credit(); }

 private:
  friend struct detail::EndBinder;
  using detail::ChannelEnd<T>::ChannelEnd;
  using detail::ChannelEnd<T>::ch_;
  using detail::ChannelEnd<T>::ctx_;
};

template <class T>
class Receiver : public detail::ChannelEnd<T> {
 public:
  Receiver() = default;

  struct WaitBase {
    detail::ChannelState<T>* ch;
    detail::ContextCore* ctx;
    DFSIM_HOT bool await_ready() const noexcept { return ch->receiver_can_act(); }
  };
  struct PopAwaiter : WaitBase {
    void await_suspend(std::coroutine_handle<>) noexcept {
      this->ctx->wait_on(detail::WaitKind::dequeue, this->ch);
      detail::block_on(*this->ctx, this->ch->waiting_receiver);
    }
    // std::nullopt at end of stream.
    DFSIM_HOT std::optional<T> await_resume() noexcept {
      if (!this->ch->receiver_has_element()) return std::nullopt;
      return this->ch->dequeue(*this->ctx);
    }
  };
  struct PeekAwaiter : WaitBase {
    void await_suspend(std::coroutine_handle<>) noexcept {
      this->ctx->wait_on(detail::WaitKind::peek, this->ch);
      detail::block_on(*this->ctx, this->ch->waiting_receiver);
    }
    // nullptr at end of stream; the element stays in the channel.
    DFSIM_HOT const T* await_resume() noexcept {
      if (!this->ch->receiver_has_element()) return nullptr;
      return &this->ch->peek(*this->ctx);
    }
  };

  struct WaitAwaiter : WaitBase {
    void await_suspend(std::coroutine_handle<>) noexcept {
      // A dequeue wait: what the deadlock report shows for the pop this wait stands for.
      this->ctx->wait_on(detail::WaitKind::dequeue, this->ch);
      detail::block_on(*this->ctx, this->ch->waiting_receiver);
    }
    // false at end of stream; the element stays in the channel.
    DFSIM_HOT bool await_resume() noexcept {
      if (!this->ch->receiver_has_element()) return false;
      this->ch->peek(*this->ctx);
      return true;
    }
  };

  [[nodiscard("co_await it")]] PopAwaiter pop() noexcept { return {{ch_, ctx_}}; }
  // Waits for an element, as pop() would, without dequeuing it: the clock moves to its visible
  // time, so that a pop (or a bulk move) right after moves it no further. true when one is
  // there, false at end of stream.
  [[nodiscard("co_await it")]] WaitAwaiter wait() noexcept { return {{ch_, ctx_}}; }
  [[nodiscard("co_await it")]] PeekAwaiter peek() noexcept { return {{ch_, ctx_}}; }
  // Dequeues without waiting. Precondition: the element is there (a peek or a wait returned
  // it), so the clock does not move:
  //   const T* x = co_await in.peek();  use(*x);  in.pop_now();
  DFSIM_HOT T pop_now() noexcept { return ch_->dequeue(*ctx_); }

 private:
  friend struct detail::EndBinder;
  using detail::ChannelEnd<T>::ChannelEnd;
  using detail::ChannelEnd<T>::ch_;
  using detail::ChannelEnd<T>::ctx_;
};

}  // namespace dfsim
