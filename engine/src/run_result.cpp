#include "dfsim/engine/run_result.hpp"

#include <stdexcept>

namespace dfsim {

const char* to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::completed: return "completed";
    case RunStatus::deadlock: return "deadlock";
    case RunStatus::failed: return "failed";
    case RunStatus::cycle_limit: return "cycle_limit";
  }
  return "?";
}

const ChannelStats& RunResult::channel(std::string_view name) const {
  for (const auto& c : channels)
    if (c.name == name) return c;
  throw std::out_of_range("no channel named '" + std::string(name) + "' in this run");
}

const ContextStats& RunResult::context(std::string_view name) const {
  for (const auto& c : contexts)
    if (c.name == name) return c;
  throw std::out_of_range("no context named '" + std::string(name) + "' in this run");
}

std::uint64_t RunResult::transfers() const noexcept {
  std::uint64_t n = 0;
  for (const auto& c : channels) n += c.elements;
  return n;
}

std::string DeadlockReport::to_string() const {
  std::string text = "simulated deadlock: " + std::to_string(blocked.size()) +
                     (blocked.size() == 1 ? " context is" : " contexts are") + " blocked";
  for (const auto& b : blocked) {
    text += "\n  " + b.context + " at cycle " + std::to_string(b.clock) + ": " + b.operation;
    if (!b.channel.empty()) {
      bool sending = b.operation == "enqueue" || b.operation == "fan-out credit";
      text += (sending ? " to '" : " from '") + b.channel + "' (" + b.channel_state + "), " +
              (sending ? "receiver '" : "sender '") + b.other_end + "'" +
              (b.other_end_finished ? " has finished" : "");
    }
  }
  return text;
}

std::string RunResult::describe_problem() const {
  if (deadlock) return deadlock->to_string();
  if (failure)
    return "context '" + failure->context + "' failed at cycle " +
           std::to_string(failure->clock) + ": " + failure->message;
  if (status == RunStatus::cycle_limit)
    return "stopped at the cycle limit: a context's clock reached " +
           std::to_string(elapsed_cycles) + ", past RunOptions::cycle_limit";
  return {};
}

}  // namespace dfsim
