#include "stall.hpp"

#include <functional>
#include <iterator>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "dfsim/engine/detail/channel_core.hpp"
#include "dfsim/engine/select.hpp"
#include "wait.hpp"
#include "worker.hpp"

namespace dfsim::detail {
namespace {

// A lower bound of the clock at which `ctx` can next act, given lower bounds of the others
// (kNever where nothing is known yet). Every term that depends on another context adds at
// least one cycle (L, R >= 1): resolve_stall relies on that.
Cycle next_bound(const ContextCore& ctx, const std::vector<Cycle>& bound) {
  auto sender_bound = [&](const ChannelCore* ch) {
    return rules::earliest_visible(bound[ch->sender->index], ch->latency());
  };
  auto credit_bound = [&](const ChannelCore* ch) -> Cycle {
    if (ch->has_credit()) return 0;
    if (ch->receiver->finished) return kNever;
    // The slot comes back when the receiver dequeues the oldest element.
    Cycle deq = std::max(bound[ch->receiver->index], ch->front_visible_time());
    return rules::earliest_free(deq, ch->response_latency());
  };
  const Cycle clock = ctx.clock;
  return visit_wait(
      ctx.wait,
      Overloaded{
          [&](NotWaiting) { return clock; },
          [&](ReceiveWait r) {
            const ChannelCore* ch = r.channel;
            return ch->empty() && !ch->closed() ? std::max(clock, sender_bound(ch)) : clock;
          },
          [&](CreditWait c) { return std::max(clock, credit_bound(c.channel)); },
          [&](CreditAllWait c) {
            Cycle v = clock;
            for (const ChannelCore* ch : c.channels) v = std::max(v, credit_bound(ch));
            return v;
          },
          [&](SelectWait s) {
            Cycle earliest = kNever;
            bool any = false;
            for (const ChannelCore* ch : s.channels) {
              if (!ch->empty()) {
                earliest = std::min(earliest, ch->front_visible_time());
                any = true;
              } else if (!ch->closed()) {
                earliest = std::min(earliest, sender_bound(ch));
                any = true;
              }
            }
            return any ? std::max(clock, earliest) : clock;
          },
      });
}

// The contexts whose next_bound reads `ctx`'s bound: receivers of its outputs (dequeue,
// select) and senders of its inputs (credit).
template <class F>
void for_each_dependent(const ContextCore& ctx, F&& f) {
  for (const ChannelCore* ch : ctx.outputs) f(*ch->receiver);
  for (const ChannelCore* ch : ctx.inputs) f(*ch->sender);
}

}  // namespace

// The bounds are the least fixed point of next_bound above the clocks: the best lower bounds
// the blocked state proves (the true next-action times are a fixed point too, so the least
// one is below them). Every dependency adds at least one cycle, so the least fixed point is
// found in increasing order, as Dijkstra finds shortest paths: with every context not yet
// settled taken as kNever, the smallest next_bound among them is exact, since any context it
// still waits on is at least as late and adds a cycle. A cycle of waits that nothing caps
// stays at kNever (it can never move again); a select on the cycle caps it at its head.
std::vector<Cycle> least_bounds(std::span<ContextCore* const> contexts) {
  const std::size_t n = contexts.size();
  std::vector<Cycle> bound(n, kNever);  // settled values; kNever while unsettled
  std::vector<Cycle> estimate(n, kNever);
  std::vector<bool> settled(n, false);
  using Entry = std::pair<Cycle, std::size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  for (const ContextCore* ctx : contexts) {
    if (ctx->finished) {
      settled[ctx->index] = true;
      continue;
    }
    estimate[ctx->index] = next_bound(*ctx, bound);
    if (estimate[ctx->index] != kNever) queue.push({estimate[ctx->index], ctx->index});
  }
  while (!queue.empty()) {
    auto [value, i] = queue.top();
    queue.pop();
    if (settled[i] || value != estimate[i]) continue;  // settled, or a stale entry
    settled[i] = true;
    bound[i] = value;
    for_each_dependent(*contexts[i], [&](const ContextCore& d) {
      if (settled[d.index]) return;
      Cycle e = next_bound(d, bound);
      if (e < estimate[d.index]) {
        estimate[d.index] = e;
        queue.push({e, d.index});
      }
    });
  }
  return bound;
}

std::vector<ContextCore*> resolve_stall(std::span<ContextCore* const> contexts) {
  const std::vector<Cycle> bound = least_bounds(contexts);
  std::vector<ContextCore*> decided;
  for (ContextCore* ctx : contexts) {
    if (ctx->finished || ctx->wait.kind != WaitKind::select) continue;
    int choice = decide_select(ctx->wait.channels, [&](const ChannelCore* ch) {
      return rules::earliest_visible(bound[ch->sender->index], ch->latency());
    });
    if (choice == kUndecided) continue;
    ctx->wait.choice = choice;
    decided.push_back(ctx);
  }
  return decided;
}

bool queue_after_stall(std::span<ContextCore* const> contexts) {
  const std::vector<ContextCore*> decided = resolve_stall(contexts);
  for (ContextCore* ctx : decided) {
    ctx->queued.store(true, std::memory_order_relaxed);
    ctx->worker->push_local(ctx);
  }
  return !decided.empty();
}

// A context whose bound stays kNever waits only on contexts that wait on it in turn: no
// context that can still run is on its path, so nothing will ever wake it.
bool some_context_stuck(std::span<ContextCore* const> contexts) {
  const std::vector<Cycle> bound = least_bounds(contexts);
  for (const ContextCore* ctx : contexts)
    if (!ctx->finished && bound[ctx->index] == kNever) return true;
  return false;
}

// The deadlock report's word for each kind of wait.
const char* wait_kind_name(WaitKind kind) noexcept {
  static constexpr const char* kNames[] = {"running", "dequeue",        "peek",
                                           "enqueue", "fan-out credit", "select"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(WaitKind::select) + 1,
                "a name for each WaitKind, in its order");
  return kNames[static_cast<std::size_t>(kind)];
}

DeadlockReport make_deadlock_report(std::span<ContextCore* const> contexts) {
  DeadlockReport report;
  for (const ContextCore* ctx : contexts) {
    if (ctx->finished) continue;
    BlockedContext b;
    b.context = ctx->name;
    b.clock = ctx->clock;
    b.operation = wait_kind_name(ctx->wait.kind);
    auto describe = [&](const ChannelCore* ch, bool as_sender) {
      b.channel = ch->name();
      b.channel_state = as_sender ? "full (" + std::to_string(ch->capacity()) + " of " +
                                        std::to_string(ch->capacity()) + ")"
                                  : "empty";
      const ContextCore* other = as_sender ? ch->receiver : ch->sender;
      b.other_end = other->name;
      b.other_end_finished = other->finished;
    };
    visit_wait(ctx->wait, Overloaded{
                              [&](NotWaiting) { b.channel_state = "not blocked"; },
                              [&](ReceiveWait r) { describe(r.channel, false); },
                              [&](CreditWait c) { describe(c.channel, true); },
                              [&](CreditAllWait c) { describe(c.lacking, true); },
                              [&](SelectWait s) {
                                std::string names, senders;
                                for (const ChannelCore* ch : s.channels) {
                                  if (!ch->empty() || ch->closed()) continue;
                                  names += (names.empty() ? "" : ", ") + ch->name();
                                  senders += (senders.empty() ? "" : ", ") + ch->sender->name;
                                }
                                b.channel = names;
                                b.channel_state = "empty";
                                b.other_end = senders;
                              },
                          });
    report.blocked.push_back(std::move(b));
  }
  return report;
}

}  // namespace dfsim::detail
