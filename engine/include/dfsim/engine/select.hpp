#pragma once
// Arbitration: wait for the earliest element across several inputs (semantics.md, "Select").
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
template <class Bound>
int decide_select(std::span<ChannelCore* const> inputs, Bound&& bound) noexcept {
  int best = kAllEnded;
  Cycle best_time = kNever;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i]->empty()) continue;
    Cycle t = inputs[i]->front_visible_time();
    if (best == kAllEnded || t < best_time) {
      best = static_cast<int>(i);
      best_time = t;
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    ChannelCore* ch = inputs[i];
    bool closed = ch->closed();  // read before empty(): a closed channel's tail is final
    if (!ch->empty() || closed) continue;
    if (best == kAllEnded) return kUndecided;
    Cycle b = bound(ch);
    if (b < best_time || (b == best_time && static_cast<int>(i) < best)) return kUndecided;
  }
  return best;
}

inline Cycle published_bound(const ChannelCore* ch) noexcept {
  return add_cycles(ch->sender->published_clock.load(std::memory_order_acquire), ch->latency());
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
    ctx->wait = {WaitKind::select, nullptr, std::span<ChannelCore* const>(inputs), kUndecided};
    suspended = true;
    block(*ctx);
  }
  // The index of the input whose next element is earliest; std::nullopt once all ended.
  // The clock moves to that element's time; the element itself is still to be popped.
  std::optional<std::size_t> await_resume() noexcept {
    if (suspended) choice = ctx->wait.choice;
    if (choice < 0) return std::nullopt;
    ctx->move_clock_to(inputs[static_cast<std::size_t>(choice)]->front_visible_time(),
                       ctx->starved);
    return static_cast<std::size_t>(choice);
  }
};

}  // namespace detail

// co_await select(a, b, c): the index (0, 1, 2) of the input with the earliest next element.
template <class... T>
auto select(Receiver<T>&... inputs) noexcept {
  using Storage = std::array<detail::ChannelCore*, sizeof...(T)>;
  detail::ContextCore* ctx = nullptr;
  ((ctx = inputs.owner()), ...);
  return detail::SelectAwaiter<Storage>{Storage{inputs.state()...}, ctx};
}

template <class T>
auto select(std::span<Receiver<T>> inputs) {
  std::vector<detail::ChannelCore*> storage;
  storage.reserve(inputs.size());
  for (auto& in : inputs) storage.push_back(in.state());
  detail::ContextCore* ctx = inputs.empty() ? nullptr : inputs.front().owner();
  return detail::SelectAwaiter<std::vector<detail::ChannelCore*>>{std::move(storage), ctx};
}

}  // namespace dfsim
