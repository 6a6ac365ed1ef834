#pragma once
// Broadcast: copies every input element to any number of outputs, chosen when the graph is
// built, one element per cycle, written together (an atomic fan-out: credit on every output
// first, docs/semantics.md "Several outputs").
//
//   std::vector<Sender<int>> outs;  // one per consumer
//   g.add("fan", units::broadcast<int>(), std::move(x_rx), std::move(outs));
#include <span>
#include <vector>

#include "dfsim/engine/channel.hpp"
#include "dfsim/engine/context.hpp"
#include "dfsim/engine/fan_out.hpp"
#include "dfsim/engine/process.hpp"

namespace dfsim::units {

template <class T>
auto broadcast() {
  return [](Context& ctx, Receiver<T> in, std::vector<Sender<T>> outs) -> Process {
    SenderGroup group;  // gathered once: a wait allocates nothing
    group.add(std::span<Sender<T>>(outs));
    while (auto v = co_await in.pop()) {
      co_await all_credit(group);
      push_all(std::span<Sender<T>>(outs), *v);
      ctx.advance(1);
    }
  };
}

}  // namespace dfsim::units
