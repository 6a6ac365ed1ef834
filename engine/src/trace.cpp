#include "dfsim/engine/trace.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace dfsim {

void Tracer::write_chrome_trace(const std::string& path) const {
  nlohmann::json events = nlohmann::json::array();
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    const ChannelTrace& ch = *channels_[c];
    const int tid = static_cast<int>(c) + 1;
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", tid},
                      {"args", {{"name", ch.name + " (" + ch.sender + " -> " + ch.receiver + ")"}}}});
    // Occupancy: +1 at each write, -1 at each free; frees first at equal times, as in the
    // definition of peak occupancy.
    std::vector<std::pair<Cycle, int>> steps;
    for (const ElementRecord& e : ch.elements) {
      events.push_back({{"ph", "X"}, {"name", "#" + std::to_string(e.index)}, {"pid", 1},
                        {"tid", tid}, {"ts", e.written}, {"dur", e.freed - e.written},
                        {"args", {{"visible", e.visible}, {"dequeued", e.dequeued}}}});
      steps.emplace_back(e.written, +1);
      steps.emplace_back(e.freed, -1);
    }
    std::sort(steps.begin(), steps.end());
    long occupancy = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      occupancy += steps[i].second;
      if (i + 1 < steps.size() && steps[i + 1].first == steps[i].first) continue;
      events.push_back({{"ph", "C"}, {"name", ch.name + " occupancy"}, {"pid", 1},
                        {"ts", steps[i].first}, {"args", {{"elements", occupancy}}}});
    }
    if (ch.dropped > 0)
      events.push_back({{"ph", "i"}, {"name", std::to_string(ch.dropped) + " more elements not traced"},
                        {"pid", 1}, {"tid", tid}, {"s", "t"},
                        {"ts", ch.elements.empty() ? 0 : ch.elements.back().freed}});
  }
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write the trace to '" + path + "'");
  out << nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ns"},
                        {"otherData", {{"time_unit", "1 us = 1 simulated cycle"}}}};
  if (!out) throw std::runtime_error("writing the trace to '" + path + "' failed");
}

}  // namespace dfsim
