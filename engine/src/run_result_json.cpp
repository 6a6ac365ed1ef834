#include "dfsim/engine/run_result_json.hpp"

namespace dfsim {

nlohmann::json capacity_json(std::optional<std::uint64_t> capacity) {
  return capacity ? nlohmann::json(*capacity) : nlohmann::json("unbounded");
}

namespace {

const char* kind_name(ThroughputBound::Kind kind) {
  switch (kind) {
    case ThroughputBound::Kind::none: return "none";
    case ThroughputBound::Kind::unit: return "unit";
    case ThroughputBound::Kind::full_channel: return "full_channel";
    case ThroughputBound::Kind::empty_channel: return "empty_channel";
  }
  return "?";
}

nlohmann::json waits_json(const std::vector<ChannelWait>& waits) {
  nlohmann::json j = nlohmann::json::object();
  for (const ChannelWait& w : waits) j[w.channel] = w.cycles;
  return j;
}

nlohmann::json context_json(const ContextStats& c) {
  return {{"name", c.name},
          {"final_clock", c.final_clock},
          {"finished", c.finished},
          {"busy_cycles", c.busy_cycles()},
          {"starved_cycles", c.starved_cycles},
          {"starved_on", waits_json(c.starved_on)},
          {"backpressured_cycles", c.backpressured_cycles},
          {"backpressured_on", waits_json(c.backpressured_on)}};
}

}  // namespace

nlohmann::json to_json(const ThroughputBound& b) {
  nlohmann::json j = {{"kind", kind_name(b.kind)}, {"context", b.context}};
  j["channel"] = b.channel.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.channel);
  j["cycles"] = b.cycles;
  j["elapsed"] = b.elapsed;
  j["text"] = b.to_string();
  return j;
}

nlohmann::json stall_summary_json(const RunResult& r) {
  nlohmann::json contexts = nlohmann::json::array();
  for (const auto& c : r.contexts) {
    nlohmann::json j = context_json(c);
    j.erase("final_clock");
    j.erase("finished");
    contexts.push_back(std::move(j));
  }
  return {{"bound", to_json(find_bound(r))}, {"contexts", contexts}};
}

nlohmann::json to_json(const RunResult& r) {
  nlohmann::json j;
  j["status"] = to_string(r.status);
  j["cycles"] = r.elapsed_cycles;
  j["wall_seconds"] = r.wall_seconds;
  j["threads"] = r.threads;
  j["transfers"] = r.transfers();
  auto& contexts = j["contexts"] = nlohmann::json::array();
  for (const auto& c : r.contexts) contexts.push_back(context_json(c));
  auto& channels = j["channels"] = nlohmann::json::array();
  for (const auto& c : r.channels)
    channels.push_back({{"name", c.name},
                        {"capacity", capacity_json(c.capacity)},
                        {"latency", c.latency},
                        {"response_latency", c.response_latency},
                        {"elements", c.elements},
                        {"peak_occupancy", c.peak_occupancy},
                        {"sender", c.sender},
                        {"receiver", c.receiver},
                        {"receiver_starved_cycles", c.receiver_starved_cycles},
                        {"sender_backpressured_cycles", c.sender_backpressured_cycles}});
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
  j["bound"] = to_json(find_bound(r));
  if (r.failure)
    j["failure"] = {{"context", r.failure->context},
                    {"clock", r.failure->clock},
                    {"message", r.failure->message}};
  return j;
}

}  // namespace dfsim
