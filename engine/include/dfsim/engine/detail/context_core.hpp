#pragma once
// The engine's view of a context: clock, statistics and what it waits on.
// Users see the same object through dfsim::Context, which exposes only the clock.
#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"

namespace dfsim::detail {

class ChannelCore;
class Worker;

enum class WaitKind : std::uint8_t { none, dequeue, peek, enqueue, credit_all, select };

const char* wait_kind_name(WaitKind kind) noexcept;

// What a suspended context waits for (stale while it runs: only its worker reads it, and
// only while it is suspended). `channels` lists the inputs of a select or the
// outputs of an atomic fan-out; `channel` is the single channel of the other kinds.
struct WaitState {
  WaitKind kind = WaitKind::none;
  // A select's decision, made by whoever proved it (the context itself or the stall resolver).
  int choice = -1;
  ChannelCore* channel = nullptr;
  std::span<ChannelCore* const> channels;
};

// The fields every resume, wake and wait touches come first and share one cache line (the
// whole object is line-aligned): a 64-stage pipeline's contexts do not all fit in L1, and
// spread over three lines they cost it 4% (farm-bench, 16 pairs).
struct alignas(64) ContextCore {
  Cycle clock = 0;
  Worker* worker = nullptr;
  std::coroutine_handle<> handle;
  // The clock as other threads may read it: a lower bound of `clock`, refreshed when the
  // context blocks or finishes. Selects use it to rule out earlier arrivals.
  std::atomic<Cycle> published_clock{0};
  // Another thread may wake it: one of its channels crosses to a context on another worker.
  bool remote_wakeable = false;
  std::atomic<bool> queued{false};
  bool finished = false;
  WaitState wait;  // its `channels`, read only by selects and fan-outs, start the next line

  // Its waiting cycles are counted by the channel it waited on (ChannelCore::receiver_waits_until,
  // sender_waits_until); starved() and backpressured() sum them.
  std::string name;
  std::size_t index = 0;
  std::exception_ptr error;
  std::vector<ChannelCore*> outputs;
  std::vector<ChannelCore*> inputs;

  // A wait on one channel. `wait.channels` and `wait.choice` are read only for the kinds that
  // set them (fan-out credit, select): two stores instead of five on every blocking await.
  void wait_on(WaitKind kind, ChannelCore* channel) noexcept {
    wait.kind = kind;
    wait.channel = channel;
  }

  // Cycles spent waiting for inputs (dequeue, peek, select) and for output credit, so far.
  Cycle starved() const noexcept;
  Cycle backpressured() const noexcept;
};

}  // namespace dfsim::detail
