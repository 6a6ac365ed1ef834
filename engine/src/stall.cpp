#include "stall.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/select.hpp"

namespace dfsim::detail {
namespace {

// A lower bound of the clock at which `ctx` can next act, given bounds of the others.
Cycle next_bound(const ContextCore& ctx, const std::vector<Cycle>& bound) {
  auto sender_bound = [&](const ChannelCore* ch) {
    return add_cycles(bound[ch->sender->index], ch->latency());
  };
  Cycle v = ctx.clock;
  const WaitState& w = ctx.wait;
  switch (w.kind) {
    case WaitKind::none:
      break;
    case WaitKind::dequeue:
    case WaitKind::peek:
      if (w.channel->empty() && !w.channel->closed()) v = std::max(v, sender_bound(w.channel));
      break;
    case WaitKind::enqueue:
    case WaitKind::credit_all: {
      auto full_bound = [&](const ChannelCore* ch) -> Cycle {
        if (ch->has_credit()) return 0;
        if (ch->receiver->finished) return kNever;
        // The slot comes back when the receiver dequeues the oldest element.
        Cycle deq = std::max(bound[ch->receiver->index], ch->front_visible_time());
        return add_cycles(deq, ch->response_latency());
      };
      if (w.kind == WaitKind::enqueue) {
        v = std::max(v, full_bound(w.channel));
      } else {
        for (const ChannelCore* ch : w.channels) v = std::max(v, full_bound(ch));
      }
      break;
    }
    case WaitKind::select: {
      Cycle earliest = kNever;
      for (const ChannelCore* ch : w.channels) {
        if (!ch->empty())
          earliest = std::min(earliest, ch->front_visible_time());
        else if (!ch->closed())
          earliest = std::min(earliest, sender_bound(ch));
      }
      v = std::max(v, earliest);
      break;
    }
  }
  return v;
}

}  // namespace

std::vector<ContextCore*> resolve_stall(std::span<ContextCore* const> contexts) {
  std::vector<Cycle> bound(contexts.size());
  for (const ContextCore* ctx : contexts) bound[ctx->index] = ctx->finished ? kNever : ctx->clock;
  // One round applies every context's rule once; bounds only rise, and each step is sound.
  auto round = [&](bool narrowing) {
    std::vector<std::size_t> changed;
    for (const ContextCore* ctx : contexts) {
      if (ctx->finished) continue;
      Cycle v = next_bound(*ctx, bound);
      Cycle& b = bound[ctx->index];
      if (narrowing ? v < b : v > b) {
        b = v;
        changed.push_back(ctx->index);
      }
    }
    return changed;
  };
  // Every wait adds at least one cycle (L, R >= 1), so bounds still rising after as many
  // rounds as there are contexts climb around a cycle of waits. They rise until a select's
  // other input caps them (its next element's time), or forever (a true deadlock), one
  // latency per round: far too slow to iterate. Widen them to kNever, then narrow: re-apply
  // the rules downwards until the cap they meet settles them.
  std::vector<std::size_t> changed;
  for (std::size_t r = 0; r < contexts.size() + 2; ++r) {
    changed = round(false);
    if (changed.empty()) break;
  }
  if (!changed.empty()) {
    for (std::size_t i : changed) bound[i] = kNever;
    for (std::size_t r = 0; r < contexts.size() + 2; ++r)
      if (round(true).empty()) break;
  }
  std::vector<ContextCore*> decided;
  for (ContextCore* ctx : contexts) {
    if (ctx->finished || ctx->wait.kind != WaitKind::select) continue;
    int choice = decide_select(ctx->wait.channels, [&](const ChannelCore* ch) {
      return add_cycles(bound[ch->sender->index], ch->latency());
    });
    if (choice == kUndecided) continue;
    ctx->wait.choice = choice;
    decided.push_back(ctx);
  }
  return decided;
}

DeadlockReport make_deadlock_report(std::span<ContextCore* const> contexts) {
  DeadlockReport report;
  for (const ContextCore* ctx : contexts) {
    if (ctx->finished) continue;
    BlockedContext b;
    b.context = ctx->name;
    b.clock = ctx->clock;
    b.operation = wait_kind_name(ctx->wait.kind);
    const WaitState& w = ctx->wait;
    auto describe = [&](const ChannelCore* ch, bool as_sender) {
      b.channel = ch->name();
      b.channel_state = as_sender ? "full (" + std::to_string(ch->capacity()) + " of " +
                                        std::to_string(ch->capacity()) + ")"
                                  : "empty";
      const ContextCore* other = as_sender ? ch->receiver : ch->sender;
      b.other_end = other->name;
      b.other_end_finished = other->finished;
    };
    switch (w.kind) {
      case WaitKind::dequeue:
      case WaitKind::peek:
        describe(w.channel, false);
        break;
      case WaitKind::enqueue:
      case WaitKind::credit_all:
        describe(w.channel, true);
        break;
      case WaitKind::select: {
        std::string names, senders;
        for (const ChannelCore* ch : w.channels) {
          if (!ch->empty() || ch->closed()) continue;
          names += (names.empty() ? "" : ", ") + ch->name();
          senders += (senders.empty() ? "" : ", ") + ch->sender->name;
        }
        b.channel = names;
        b.channel_state = "empty";
        b.other_end = senders;
        break;
      }
      case WaitKind::none:
        b.channel_state = "not blocked";
        break;
    }
    report.blocked.push_back(std::move(b));
  }
  return report;
}

}  // namespace dfsim::detail
