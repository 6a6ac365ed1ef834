#pragma once
// Arbitration: wait for the earliest element across several inputs (docs/semantics.md, "Select").
// An empty input can be ruled out only when its sender's clock proves that anything it
// sends later is visible after the candidate; ties go to the lower input index. The
// decision never depends on wall-clock order.
#include <array>
#include <coroutine>
#include <optional>
#include <span>
#include <vector>

#include "dfsim/engine/channel.hpp"

namespace dfsim {
namespace detail {

inline constexpr int kUndecided = -2;
inline constexpr int kAllEnded = -1;

// `bound(ch)` is a lower bound of the visible time of anything ch's sender enqueues later.
// Each input is looked at once, in an order that keeps the answer sound while its sender
// runs on another thread: closed before the counters (a closed channel's count is final),
// the bound before emptiness (an element enqueued after the bound was read is visible no
// earlier than it; one enqueued before is seen). Looking twice could miss an element that
// arrives in between and pick a later one.
template <class Bound>
int decide_select(std::span<ChannelCore* const> inputs, Bound&& bound) noexcept {
  int best = kAllEnded;
  Cycle best_time = kNever;
  // The earliest bound among open, empty inputs, and the first input that has it.
  int blocker = -1;
  Cycle blocker_bound = kNever;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    ChannelCore* ch = inputs[i];
    const bool closed = ch->closed();
    const Cycle b = closed ? kNever : bound(ch);
    if (!ch->empty()) {
      Cycle t = ch->front_visible_time();
      if (best == kAllEnded || t < best_time) {
        best = static_cast<int>(i);
        best_time = t;
      }
    } else if (!closed && (blocker < 0 || b < blocker_bound)) {
      blocker = static_cast<int>(i);
      blocker_bound = b;
    }
  }
  if (blocker < 0) return best;
  if (best == kAllEnded) return kUndecided;
  if (blocker_bound < best_time || (blocker_bound == best_time && blocker < best))
    return kUndecided;
  return best;
}

inline Cycle published_bound(const ChannelCore* ch) noexcept {
  return rules::earliest_visible(ch->sender->published_clock.load(std::memory_order_acquire),
                                 ch->latency());
}

template <class Storage>
struct SelectAwaiter {
  Storage inputs;
  ContextCore* ctx;
  int choice = kUndecided;
  bool suspended = false;

  bool await_ready() noexcept {
    choice = decide_select(std::span<ChannelCore* const>(inputs), published_bound);
    return choice != kUndecided;
  }
  void await_suspend(std::coroutine_handle<>) noexcept {
    ctx->wait = {WaitKind::select, kUndecided, nullptr, std::span<ChannelCore* const>(inputs)};
    suspended = true;
    block(*ctx);
  }
  // The index of the input whose next element is earliest; std::nullopt once all ended.
  // The clock moves to that element's time; the element itself is still to be popped.
  std::optional<std::size_t> await_resume() noexcept {
    if (suspended) choice = ctx->wait.choice;
    if (choice < 0) return std::nullopt;
    ChannelCore* chosen = inputs[static_cast<std::size_t>(choice)];
    chosen->receiver_waits_until(*ctx, chosen->front_visible_time());
    return static_cast<std::size_t>(choice);
  }
};

}  // namespace detail

// co_await select(a, b, c): the index (0, 1, 2) of the input with the earliest next element.
template <class... T>
[[nodiscard("co_await it")]] auto select(Receiver<T>&... inputs) noexcept {
  using Storage = std::array<detail::ChannelCore*, sizeof...(T)>;
  detail::ContextCore* ctx = nullptr;
  ((ctx = inputs.owner()), ...);
  return detail::SelectAwaiter<Storage>{Storage{inputs.state()...}, ctx};
}

template <class T>
[[nodiscard("co_await it")]] auto select(std::span<Receiver<T>> inputs) {
  std::vector<detail::ChannelCore*> storage;
  storage.reserve(inputs.size());
  for (auto& in : inputs) storage.push_back(in.state());
  detail::ContextCore* ctx = inputs.empty() ? nullptr : inputs.front().owner();
  return detail::SelectAwaiter<std::vector<detail::ChannelCore*>>{std::move(storage), ctx};
}

}  // namespace dfsim
