#pragma once
// Atomic fan-out ("together"): a sender that writes one step's outputs to several channels
// waits until every output has credit before it writes any of them, all stamped from the
// clock at which the write was issued (docs/semantics.md, "Several outputs"). Writing them
// "in order" is a sequence of plain pushes with one stamp: push_at(v, issued + P) each.
#include <array>
#include <coroutine>
#include <span>
#include <tuple>
#include <vector>

#include "dfsim/engine/channel.hpp"

namespace dfsim {
namespace detail {

template <class Storage>
struct CreditAllAwaiter {
  Storage outputs;
  ContextCore* ctx;
  Cycle issued;  // the clock at the call: the stamps of the writes count from it

  DFSIM_HOT bool await_ready() const noexcept {
    for (ChannelCore* ch : outputs)
      if (!ch->sender_may_proceed()) return false;
    return true;
  }
  void await_suspend(std::coroutine_handle<>) noexcept {
    ChannelCore* full = nullptr;
    for (ChannelCore* ch : outputs)
      if (!ch->sender_has_credit()) { full = ch; break; }
    // Every output has credit: an unbounded output's pause (sender_may_proceed), or credit
    // that a receiver on another thread returned since await_ready. Either way, go on later.
    // (A void await_suspend keeps wrappers that forward it from suspending unregistered.)
    if (full == nullptr) return yield(*ctx);
    ctx->wait = {WaitKind::credit_all, -1, full, std::span<ChannelCore* const>(outputs)};
    block(*ctx);
  }
  Cycle await_resume() noexcept {
    for (ChannelCore* ch : outputs) ch->take_credit(*ctx);
    return issued;
  }
};

// all_credit(a, b, ...) on typed Senders: the same, with each channel's credit taken through
// its ChannelState (final, so inlined) rather than a virtual call: in the attention units'
// fan-outs (qk, exp) that call was 31 instructions an output (callgrind: 7% of naive-stable's
// bounded run).
template <class... T>
struct TypedCreditAllAwaiter : CreditAllAwaiter<std::array<ChannelCore*, sizeof...(T)>> {
  std::tuple<ChannelState<T>*...> typed;

  Cycle await_resume() noexcept {
    std::apply([this](auto*... ch) { (ch->take_credit(*this->ctx), ...); }, typed);
    return this->issued;
  }
};

}  // namespace detail

// Cycle issued = co_await all_credit(a, b): afterwards every push to a or b proceeds without
// waiting, and all of them are written at the same clock. `issued` is the clock at the call,
// before the wait: a pipelined unit stamps its writes issued + P.
template <class... T>
[[nodiscard("co_await it")]] auto all_credit(Sender<T>&... outputs) noexcept {
  using Storage = std::array<detail::ChannelCore*, sizeof...(T)>;
  detail::ContextCore* ctx = nullptr;
  ((ctx = outputs.owner()), ...);
  return detail::TypedCreditAllAwaiter<T...>{{Storage{outputs.state()...}, ctx, ctx ? ctx->clock : 0},
                                             {outputs.state()...}};
}

// The same for a tuple of Sender references (a unit's ports, flattened).
template <class... T>
[[nodiscard("co_await it")]] auto all_credit(const std::tuple<Sender<T>&...>& outputs) noexcept {
  return std::apply([](Sender<T>&... s) { return all_credit(s...); }, outputs);
}

// Senders of any number and element types, known only when the graph is built, gathered once
// so that waiting for credit on all of them allocates nothing per wait (a unit whose fan-out
// width is a run-time value waits every step). It refers to the Senders' channels, not to
// the Senders: keep it beside them, in the context's body.
//   SenderGroup group;
//   group.add(std::span<Sender<int>>(outs));
//   while (...) { Cycle issued = co_await all_credit(group); push_all(...); }
class SenderGroup {
 public:
  template <class T>
  void add(Sender<T>& output) {
    channels_.push_back(output.state());
    ctx_ = output.owner();
  }
  template <class T>
  void add(std::span<Sender<T>> outputs) {
    for (auto& out : outputs) add(out);
  }
  std::span<detail::ChannelCore* const> channels() const noexcept { return channels_; }
  detail::ContextCore* owner() const noexcept { return ctx_; }

 private:
  std::vector<detail::ChannelCore*> channels_;
  detail::ContextCore* ctx_ = nullptr;
};

// Credit on every Sender of `group`, as all_credit(a, b); allocates nothing.
[[nodiscard("co_await it")]] inline auto all_credit(const SenderGroup& group) noexcept {
  detail::ContextCore* ctx = group.owner();
  return detail::CreditAllAwaiter<std::span<detail::ChannelCore* const>>{group.channels(), ctx,
                                                                          ctx ? ctx->clock : 0};
}

// Credit on every Sender of a span. It gathers their channels on each call (an allocation):
// a loop that waits every element gathers them once, in a SenderGroup.
template <class T>
[[nodiscard("co_await it")]] auto all_credit(std::span<Sender<T>> outputs) {
  std::vector<detail::ChannelCore*> storage;
  storage.reserve(outputs.size());
  for (auto& out : outputs) storage.push_back(out.state());
  detail::ContextCore* ctx = outputs.empty() ? nullptr : outputs.front().owner();
  return detail::CreditAllAwaiter<std::vector<detail::ChannelCore*>>{std::move(storage), ctx,
                                                                     ctx ? ctx->clock : 0};
}

// Writes `value` to every output, credit held on all of them, visible at
// max(stamp, clock + L). Use as:
//   Cycle issued = co_await all_credit(outs);  push_all(outs, v, issued + P);
template <class T>
void push_all(std::span<Sender<T>> outputs, const T& value, Cycle stamp = 0) noexcept {
  for (auto& out : outputs) out.push_now_at(value, stamp);
}

}  // namespace dfsim
