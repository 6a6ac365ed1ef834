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
  // Bounds only rise, and every step is sound, so stopping early is safe; on a cycle of
  // waits they may rise forever, hence the cap.
  for (std::size_t round = 0; round < contexts.size() + 2; ++round) {
    bool changed = false;
    for (const ContextCore* ctx : contexts) {
      if (ctx->finished) continue;
      Cycle v = next_bound(*ctx, bound);
      if (v > bound[ctx->index]) {
        bound[ctx->index] = v;
        changed = true;
      }
    }
    if (!changed) break;
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
