#pragma once
// A context: one sequential process of the graph, with its own clock.
#include <string>

#include "dfsim/engine/cycle.hpp"
#include "dfsim/engine/detail/channel_core.hpp"

namespace dfsim {

// Handed to every context body. Time moves only forward, explicitly through advance()
// and implicitly inside channel operations.
//
//   Process stage(Context& ctx, Receiver<int> in, Sender<int> out) {
//     while (auto x = co_await in.pop()) { co_await out.push(*x + 1); ctx.advance(1); }
//   }
class Context : private detail::ContextCore {
 public:
  Cycle now() const noexcept { return clock; }
  void advance(Cycle cycles) noexcept { clock = add_cycles(clock, cycles); }
  void advance_to(Cycle t) noexcept {
    if (t > clock) clock = t;
  }
  const std::string& name() const noexcept { return ContextCore::name; }
  // Its waiting cycles so far, summed over its channels.
  Cycle starved_cycles() const noexcept { return starved(); }
  Cycle backpressured_cycles() const noexcept { return backpressured(); }

 private:
  friend detail::ContextCore& core_of(Context& ctx) noexcept;
  friend Context& context_of(detail::ContextCore& core) noexcept;
};

inline detail::ContextCore& core_of(Context& ctx) noexcept { return ctx; }
inline Context& context_of(detail::ContextCore& core) noexcept {
  return static_cast<Context&>(core);
}

}  // namespace dfsim
