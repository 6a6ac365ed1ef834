#include "dfsim/engine/trace.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "dfsim/engine/run_result_json.hpp"

namespace dfsim {

bool TraceOptions::traces(const std::string& name) const {
  if (only.empty()) return true;
  return std::any_of(only.begin(), only.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), name.c_str(), 0) == 0;
  });
}

namespace {

// Process 1 holds the contexts' tracks (tid = context index + 1), process 2 the channels'.
constexpr int kContextsPid = 1;
constexpr int kChannelsPid = 2;

std::string json_string(const std::string& s) { return nlohmann::json(s).dump(); }

struct Slice {
  Cycle begin, end;
  int kind;  // 0 busy, 1 starved, 2 back-pressured
  std::uint32_t channel;
};

// A context's time in the window: its waits, and busy slices in the gaps up to where its
// clock is known (the final clock, or the first wait not recorded).
std::vector<Slice> context_slices(const ContextTrace& c, const TraceOptions& o) {
  std::vector<Slice> out;
  Cycle cursor = o.from;
  auto busy_until = [&](Cycle t) {
    if (t > cursor) out.push_back({cursor, t, 0, 0});
  };
  for (const WaitRecord& w : c.waits.records) {
    const Cycle begin = std::max(w.begin, o.from), end = std::min(w.end, o.until);
    busy_until(begin);
    out.push_back({begin, end, w.starved ? 1 : 2, w.channel});
    cursor = end;
  }
  busy_until(std::min({o.until, c.final_clock, c.waits.first_dropped}));
  return out;
}

// Occupancy after every change: +1 at each write, -1 at each free, all changes at one cycle
// applied before its sample (#{k : w_k <= x < f_k}, docs/semantics.md). Changes before the
// window are folded into a sample at its start.
std::vector<std::pair<Cycle, std::uint64_t>> occupancy_samples(const ChannelTrace& ch,
                                                               const TraceOptions& o) {
  std::vector<std::pair<Cycle, int>> steps;
  for (const ElementRecord& e : ch.elements.records) {
    steps.emplace_back(std::max(e.written, o.from), +1);
    steps.emplace_back(std::max(e.freed, o.from), -1);
  }
  std::sort(steps.begin(), steps.end());
  std::vector<std::pair<Cycle, std::uint64_t>> samples;
  std::int64_t occupancy = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    occupancy += steps[i].second;
    if (i + 1 < steps.size() && steps[i + 1].first == steps[i].first) continue;
    if (steps[i].first < o.until)
      samples.emplace_back(steps[i].first, static_cast<std::uint64_t>(occupancy));
  }
  return samples;
}

struct Prepared {
  std::vector<std::vector<Slice>> slices;  // per context
  std::vector<std::vector<std::pair<Cycle, std::uint64_t>>> samples;  // per channel
  std::uint64_t events = 0;                // before any cut
  std::uint64_t dropped = 0;               // records past a track's limit
  Cycle cut = kNever;
};

// The cycle before which everything fits in max_events, and before which every track is whole.
Cycle cut_cycle(const Tracer& t, const Prepared& p) {
  std::vector<std::pair<Cycle, std::uint32_t>> starts;  // (cycle, events starting there)
  for (const auto& track : p.slices)
    for (const Slice& s : track) starts.emplace_back(s.begin, 1);
  for (const auto& ch : t.channels())
    for (const ElementRecord& e : ch->elements.records) starts.emplace_back(e.written, 2);
  for (const auto& track : p.samples)
    for (const auto& s : track) starts.emplace_back(s.first, 1);
  std::sort(starts.begin(), starts.end());
  Cycle cut = kNever;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    total += starts[i].second;
    if (total > t.options().max_events) {
      cut = starts[i].first;
      break;
    }
  }
  for (const auto& c : t.contexts()) cut = std::min(cut, c->waits.first_dropped);
  for (const auto& ch : t.channels()) cut = std::min(cut, ch->elements.first_dropped);
  return cut;
}

Prepared prepare(const Tracer& t) {
  Prepared p;
  for (const auto& c : t.contexts()) {
    p.slices.push_back(c->traced ? context_slices(*c, t.options()) : std::vector<Slice>{});
    p.events += p.slices.back().size();
    p.dropped += c->waits.dropped;
  }
  for (const auto& ch : t.channels()) {
    p.samples.push_back(occupancy_samples(*ch, t.options()));
    p.events += p.samples.back().size() + 2 * ch->elements.records.size();
    p.dropped += ch->elements.dropped;
  }
  p.cut = cut_cycle(t, p);
  return p;
}

void event(std::ostream& os, bool& first, const std::string& body) {
  os << (first ? "\n" : ",\n") << '{' << body << '}';
  first = false;
}

std::string head(const char* ph, const std::string& name, int pid, std::size_t tid, Cycle ts) {
  return std::string("\"ph\":\"") + ph + "\",\"name\":" + name + ",\"pid\":" + std::to_string(pid) +
         ",\"tid\":" + std::to_string(tid) + ",\"ts\":" + std::to_string(ts);
}

void write_metadata(std::ostream& os, bool& first, const Tracer& t) {
  event(os, first, head("M", "\"process_name\"", kContextsPid, 0, 0) + ",\"args\":{\"name\":\"contexts\"}");
  event(os, first, head("M", "\"process_name\"", kChannelsPid, 0, 0) + ",\"args\":{\"name\":\"channels\"}");
  for (std::size_t i = 0; i < t.contexts().size(); ++i) {
    if (!t.contexts()[i]->traced) continue;
    event(os, first, head("M", "\"thread_name\"", kContextsPid, i + 1, 0) +
                         ",\"args\":{\"name\":" + json_string(t.contexts()[i]->name) + "}");
    event(os, first, head("M", "\"thread_sort_index\"", kContextsPid, i + 1, 0) +
                         ",\"args\":{\"sort_index\":" + std::to_string(i) + "}");
  }
}

// Returns the events written.
std::uint64_t write_contexts(std::ostream& os, bool& first, const Tracer& t, const Prepared& p) {
  static const char* const kNames[] = {"busy", "starved on ", "back-pressured on "};
  static const char* const kCategories[] = {"busy", "starved", "backpressured"};
  std::uint64_t written = 0;
  for (std::size_t i = 0; i < p.slices.size(); ++i)
    for (const Slice& s : p.slices[i]) {
      if (s.begin >= p.cut) break;
      const std::string channel = s.kind == 0 ? "" : t.channels()[s.channel]->name;
      std::string body = head("X", json_string(kNames[s.kind] + channel), kContextsPid, i + 1, s.begin) +
                         ",\"dur\":" + std::to_string(s.end - s.begin) + ",\"cat\":\"" +
                         kCategories[s.kind] + "\"";
      if (s.kind != 0) body += ",\"args\":{\"channel\":" + json_string(channel) + "}";
      event(os, first, body);
      ++written;
    }
  return written;
}

// Elements as nestable async slices, one id each: the lives of elements in flight overlap,
// which slices on one thread track may not (they must nest), while async slices of different
// ids need not nest; the viewers lay them out in rows under the channel's name.
std::uint64_t write_channels(std::ostream& os, bool& first, const Tracer& t, const Prepared& p) {
  std::uint64_t written = 0, id = 0;
  for (std::size_t c = 0; c < t.channels().size(); ++c) {
    const ChannelTrace& ch = *t.channels()[c];
    const std::string name = json_string(ch.name);
    for (const ElementRecord& e : ch.elements.records) {
      if (e.written >= p.cut) break;
      const std::string ids = ",\"cat\":\"element\",\"id\":" + std::to_string(++id);
      event(os, first, head("b", name, kChannelsPid, 0, e.written) + ids +
                           ",\"args\":{\"index\":" + std::to_string(e.index) +
                           ",\"visible\":" + std::to_string(e.visible) + ",\"dequeued\":" +
                           std::to_string(e.dequeued) + ",\"freed\":" + std::to_string(e.freed) + "}");
      event(os, first, head("e", name, kChannelsPid, 0, e.freed) + ids);
      written += 2;
    }
    const std::string counter = json_string(ch.name + " occupancy");
    for (const auto& [ts, value] : p.samples[c]) {
      if (ts >= p.cut) break;
      event(os, first, head("C", counter, kChannelsPid, 0, ts) +
                           ",\"args\":{\"elements\":" + std::to_string(value) + "}");
      ++written;
    }
  }
  return written;
}

nlohmann::json other_data(const Tracer& t, const TraceWriteSummary& s) {
  const TraceOptions& o = t.options();
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& ch : t.channels())
    if (ch->traced)
      channels.push_back({{"name", ch->name},
                          {"sender", ch->sender},
                          {"receiver", ch->receiver},
                          {"capacity", capacity_json(ch->capacity)},
                          {"counter", ch->name + " occupancy"}});
  return {{"generator", "dfsim"},
          {"time_unit", "1 us of trace time = 1 simulated cycle"},
          {"only", o.only},
          {"from_cycle", o.from},
          {"until_cycle", o.until == kNever ? nlohmann::json(nullptr) : nlohmann::json(o.until)},
          {"max_events", o.max_events},
          {"events", s.events},
          {"truncated", s.truncated()},
          {"complete_before_cycle", s.truncated() ? nlohmann::json(s.complete_before) : nlohmann::json(nullptr)},
          {"events_left_out", s.left_out},
          {"channels", channels}};
}

}  // namespace

TraceWriteSummary Tracer::write_chrome_trace(const std::string& path) const {
  const Prepared p = prepare(*this);
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write the trace to '" + path + "'");
  out << "{\"traceEvents\":[";
  bool first = true;
  write_metadata(out, first, *this);
  TraceWriteSummary s;
  s.events = write_contexts(out, first, *this, p) + write_channels(out, first, *this, p);
  s.complete_before = p.cut;
  s.left_out = p.events - s.events + p.dropped;
  if (s.truncated())
    event(out, first,
          head("i", json_string("trace cut at cycle " + std::to_string(s.complete_before) + ": " +
                           std::to_string(s.left_out) +
                           " events left out (raise the limit on events, or narrow the trace "
                           "with a filter or a cycle window)"),
               kContextsPid, 0, s.complete_before) +
              ",\"s\":\"g\"");
  out << "\n],\n\"otherData\":" << other_data(*this, s).dump() << "}\n";
  if (!out) throw std::runtime_error("writing the trace to '" + path + "' failed");
  return s;
}

}  // namespace dfsim
