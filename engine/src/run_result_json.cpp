#include "dfsim/engine/run_result_json.hpp"

namespace dfsim {

nlohmann::json to_json(const RunResult& r) {
  nlohmann::json j;
  j["status"] = to_string(r.status);
  j["cycles"] = r.elapsed_cycles;
  j["wall_seconds"] = r.wall_seconds;
  j["threads"] = r.threads;
  j["transfers"] = r.transfers();
  auto& contexts = j["contexts"] = nlohmann::json::array();
  for (const auto& c : r.contexts)
    contexts.push_back({{"name", c.name},
                        {"final_clock", c.final_clock},
                        {"starved_cycles", c.starved_cycles},
                        {"backpressured_cycles", c.backpressured_cycles},
                        {"finished", c.finished}});
  auto& channels = j["channels"] = nlohmann::json::array();
  for (const auto& c : r.channels)
    channels.push_back({{"name", c.name},
                        {"capacity", c.capacity ? nlohmann::json(*c.capacity) : nlohmann::json("unbounded")},
                        {"latency", c.latency},
                        {"response_latency", c.response_latency},
                        {"elements", c.elements},
                        {"peak_occupancy", c.peak_occupancy},
                        {"sender", c.sender},
                        {"receiver", c.receiver}});
  if (r.deadlock) {
    auto& blocked = j["deadlock"] = nlohmann::json::array();
    for (const auto& b : r.deadlock->blocked)
      blocked.push_back({{"context", b.context},
                         {"clock", b.clock},
                         {"operation", b.operation},
                         {"channel", b.channel},
                         {"channel_state", b.channel_state},
                         {"other_end", b.other_end},
                         {"other_end_finished", b.other_end_finished}});
  }
  if (r.failure)
    j["failure"] = {{"context", r.failure->context},
                    {"clock", r.failure->clock},
                    {"message", r.failure->message}};
  return j;
}

}  // namespace dfsim
