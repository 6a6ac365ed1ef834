#pragma once
// What each kind of wait means in terms of channels, in one place. Every part of the
// scheduler that asks about a blocked context (can it proceed, where it registers to be
// woken, the earliest cycle it can act, the deadlock report) visits one of five shapes here
// instead of switching on WaitKind itself: a new kind is one case in visit_wait, and every
// visitor that does not handle its shape then fails to compile.
#include <span>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/engine/detail/context_core.hpp"

namespace dfsim::detail {

struct NotWaiting {};
// dequeue, peek: an element on the channel, or its close.
struct ReceiveWait {
  ChannelCore* channel;
};
// enqueue: a slot of credit on the channel.
struct CreditWait {
  ChannelCore* channel;
};
// An atomic fan-out: a slot on every output at once; `lacking` is the one last seen full.
struct CreditAllWait {
  std::span<ChannelCore* const> channels;
  ChannelCore* lacking;
};
// A select: an element on any of the inputs that is not closed.
struct SelectWait {
  std::span<ChannelCore* const> channels;
};

// A visitor made of lambdas, one per shape: visit_wait(w, Overloaded{[](NotWaiting) {...}, ...}).
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

// Calls `on` with the shape of the wait `w` stands for. Inline: the scheduler asks before
// every resume, and each visitor compiles to the switch it replaces.
// The receiving kinds first, in one comparison: most waits of a streaming graph are for an
// element, and a switch tested three other kinds before them.
template <class Visitor>
DFSIM_HOT decltype(auto) visit_wait(const WaitState& w, Visitor&& on) {
  if (w.kind == WaitKind::dequeue || w.kind == WaitKind::peek) [[likely]]
    return on(ReceiveWait{w.channel});
  switch (w.kind) {
    case WaitKind::dequeue:
    case WaitKind::peek:
      return on(ReceiveWait{w.channel});
    case WaitKind::enqueue:
      return on(CreditWait{w.channel});
    case WaitKind::credit_all:
      return on(CreditAllWait{w.channels, w.channel});
    case WaitKind::select:
      return on(SelectWait{w.channels});
    case WaitKind::none:
      break;
  }
  return on(NotWaiting{});
}

}  // namespace dfsim::detail
