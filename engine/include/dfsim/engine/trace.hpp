#pragma once
// Element-level tracing: the life of every element on every channel (written, visible,
// dequeued, freed), written as a Chrome trace that Perfetto (ui.perfetto.dev) or
// chrome://tracing opens: one track per channel, one slice per element, and a counter of
// each channel's occupancy. One microsecond of trace time is one cycle.
//
//   Tracer tracer({.max_elements = 100'000});
//   RunResult r = run(g, {.tracer = &tracer});
//   tracer.write_chrome_trace("run.trace.json");
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"

namespace dfsim {

struct TraceOptions {
  // Per channel; the first elements are kept, later ones are counted as dropped.
  std::uint64_t max_elements = 100'000;
};

struct ElementRecord {
  std::uint64_t index;  // the element's number on its channel
  Cycle written;        // the sender's clock at the write (after credit)
  Cycle visible;        // when the receiver could see it
  Cycle dequeued;       // the receiver's clock after the dequeue
  Cycle freed;          // when its slot came back to the sender
};

struct ChannelTrace {
  std::string name;
  std::string sender, receiver;
  std::vector<ElementRecord> elements;
  std::uint64_t dropped = 0;

  // Called by the receiver's thread only: a channel has one receiver.
  void record(const ElementRecord& e) {
    if (elements.size() < limit) elements.push_back(e);
    else ++dropped;
  }
  std::uint64_t limit = 0;
};

class Tracer {
 public:
  explicit Tracer(TraceOptions options = {}) : options_(options) {}
  const TraceOptions& options() const noexcept { return options_; }

  // Filled by run(): one entry per channel, in the program's order.
  std::vector<std::unique_ptr<ChannelTrace>>& channels() noexcept { return channels_; }
  const std::vector<std::unique_ptr<ChannelTrace>>& channels() const noexcept { return channels_; }

  // Throws std::runtime_error naming the file if it cannot be written.
  void write_chrome_trace(const std::string& path) const;

 private:
  TraceOptions options_;
  std::vector<std::unique_ptr<ChannelTrace>> channels_;
};

}  // namespace dfsim
