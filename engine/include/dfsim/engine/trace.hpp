#pragma once
// Tracing a run: when each context computed and when (and on which channel) it waited, and
// the life of every element on every channel, written as a Chrome trace (JSON) that Perfetto
// (ui.perfetto.dev) and chrome://tracing open. One microsecond of trace time is one simulated
// cycle. docs/observing-a-run.md shows what the file holds and how to read it.
//
//   Tracer tracer({.only = {"divide", "long"}, .from = 1000, .until = 2000});
//   RunResult r = run(g, {.tracer = &tracer});
//   TraceWriteSummary w = tracer.write_chrome_trace("run.trace.json");
//   if (w.truncated()) ...  // w.complete_before: the file holds everything before that cycle
//
// A run without a tracer records nothing and keeps every channel on its hot path. Tracing
// takes each traced channel off it (bulk moves included), so it is slower (about 20 times on
// a pipeline), but never changes a cycle or a statistic.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dfsim/engine/cycle.hpp"

namespace dfsim {

struct TraceOptions {
  // Glob patterns (fnmatch: `*`, `?`, `[...]`) naming the contexts and channels to trace; a
  // context or channel is traced when its name matches one of them. Empty: everything.
  std::vector<std::string> only;
  // The cycle window [from, until): waits and elements that overlap it are kept.
  Cycle from = 0;
  Cycle until = kNever;
  // The most events the file holds. A longer trace is cut at a cycle: the file holds every
  // event before it and says where it was cut (TraceWriteSummary, and in the file). Each track
  // also stops recording after this many events, so memory stays bounded too.
  std::uint64_t max_events = 1'000'000;

  bool traces(const std::string& name) const;
  bool in_window(Cycle begin, Cycle end) const noexcept { return end > from && begin < until; }
};

// One element's life on its channel.
struct ElementRecord {
  std::uint64_t index;  // the element's number on its channel
  Cycle written;        // the sender's clock at the write (after credit): occupancy starts
  Cycle visible;        // when the receiver could see it
  Cycle dequeued;       // the receiver's clock after the dequeue
  Cycle freed;          // when its slot came back to the sender: occupancy ends
};

// A jump of a context's clock inside a channel operation: [begin, end) spent waiting.
struct WaitRecord {
  Cycle begin;
  Cycle end;
  std::uint32_t channel;  // index into Tracer::channels()
  bool starved;           // waiting for an element; otherwise for credit (back-pressured)
};

// Records kept in time order, at most `limit`; later ones are only counted. Only the thread
// running the track's context writes it.
template <class Record>
struct TraceTrack {
  std::vector<Record> records;
  std::uint64_t dropped = 0;
  Cycle first_dropped = kNever;  // the start of the first record not kept
  std::uint64_t limit = 0;

  void record(const Record& r, Cycle start) {
    if (records.size() < limit) {
      records.push_back(r);
    } else if (dropped++ == 0) {
      first_dropped = start;
    }
  }
};

struct ContextTrace {
  std::string name;
  bool traced = false;  // its name passes the filter
  TraceTrack<WaitRecord> waits;
  // Filled when the run ends: the busy time between waits runs up to the final clock.
  Cycle final_clock = 0;
};

struct ChannelTrace {
  std::string name;
  std::string sender, receiver;
  std::optional<std::uint64_t> capacity;
  std::uint32_t index = 0;
  bool traced = false;  // its name passes the filter: elements and occupancy are recorded
  TraceTrack<ElementRecord> elements;
  // The tracks of its two ends, or null for an end not traced.
  ContextTrace* sender_track = nullptr;
  ContextTrace* receiver_track = nullptr;
  Cycle from = 0, until = kNever;

  // Called by the receiver's thread only: a channel has one receiver.
  void record(const ElementRecord& e) {
    if (traced && e.freed > from && e.written < until) elements.record(e, e.written);
  }
  void receiver_waited(Cycle begin, Cycle end) { wait(receiver_track, begin, end, true); }
  void sender_waited(Cycle begin, Cycle end) { wait(sender_track, begin, end, false); }

 private:
  void wait(ContextTrace* track, Cycle begin, Cycle end, bool starved) {
    if (track && end > from && begin < until)
      track->waits.record({begin, end, index, starved}, begin);
  }
};

// What write_chrome_trace wrote.
struct TraceWriteSummary {
  std::uint64_t events = 0;  // written (metadata aside)
  // The trace holds every event that starts before this cycle; kNever when nothing was cut.
  Cycle complete_before = kNever;
  std::uint64_t left_out = 0;  // events not written: beyond max_events, or past a track's limit
  bool truncated() const noexcept { return complete_before != kNever; }
};

class Tracer {
 public:
  explicit Tracer(TraceOptions options = {}) : options_(std::move(options)) {}
  const TraceOptions& options() const noexcept { return options_; }

  // Filled by run(): one entry per channel and per context, in the program's order.
  std::vector<std::unique_ptr<ChannelTrace>>& channels() noexcept { return channels_; }
  const std::vector<std::unique_ptr<ChannelTrace>>& channels() const noexcept { return channels_; }
  std::vector<std::unique_ptr<ContextTrace>>& contexts() noexcept { return contexts_; }
  const std::vector<std::unique_ptr<ContextTrace>>& contexts() const noexcept { return contexts_; }

  // The Chrome trace event format (JSON object form): process 1 has a track per context
  // (slices "busy", "starved on CH", "back-pressured on CH"), process 2 an occupancy counter
  // per channel and each element's life as an async slice. Throws std::runtime_error naming
  // the file if it cannot be written.
  TraceWriteSummary write_chrome_trace(const std::string& path) const;

 private:
  TraceOptions options_;
  std::vector<std::unique_ptr<ChannelTrace>> channels_;
  std::vector<std::unique_ptr<ContextTrace>> contexts_;
};

}  // namespace dfsim
