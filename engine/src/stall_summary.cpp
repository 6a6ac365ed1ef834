#include "dfsim/engine/stall_summary.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>
#include <vector>

namespace dfsim {
namespace {

// The longest of a context's waits on one channel (the first of equals), or none.
const ChannelWait* longest(const std::vector<ChannelWait>& waits) {
  const ChannelWait* best = nullptr;
  for (const ChannelWait& w : waits)
    if (!best || w.cycles > best->cycles) best = &w;
  return best;
}

struct Step {
  std::size_t context;
  ThroughputBound::Kind kind;
  const ChannelWait* wait;
};

ThroughputBound bound_of(const RunResult& r, const Step& s) {
  ThroughputBound b;
  b.kind = s.kind;
  b.context = r.contexts[s.context].name;
  b.elapsed = r.elapsed_cycles;
  if (s.wait) {
    b.channel = s.wait->channel;
    b.cycles = s.wait->cycles;
  } else {
    b.cycles = r.contexts[s.context].busy_cycles();
  }
  return b;
}

// The steps from `from` on form a loop of waits: the full FIFO with the longest wait closes
// it (its capacity is what keeps the loop from running ahead), else the longest wait.
const Step& loop_bound(const std::vector<Step>& steps, std::size_t from) {
  const Step* best = nullptr;
  for (bool full_only : {true, false}) {
    for (std::size_t i = from; i < steps.size(); ++i) {
      if (full_only && steps[i].kind != ThroughputBound::Kind::full_channel) continue;
      if (!best || steps[i].wait->cycles > best->wait->cycles) best = &steps[i];
    }
    if (best) break;
  }
  return *best;
}

}  // namespace

std::string ThroughputBound::to_string() const {
  const std::string out_of = "out of " + std::to_string(elapsed) + " cycles, ";
  switch (kind) {
    case Kind::none: return "no context ran";
    case Kind::unit: return out_of + context + " was busy " + std::to_string(cycles);
    case Kind::full_channel:
      return out_of + context + " waited " + std::to_string(cycles) + " on `" + channel + "`, full";
    case Kind::empty_channel:
      return out_of + context + " waited " + std::to_string(cycles) + " on `" + channel + "`, empty";
  }
  return {};
}

// A unit busy this share of the run or more is what bounds it: the rest is fill and drain.
constexpr double kBusyEnough = 0.9;

ThroughputBound find_bound(const RunResult& r) {
  if (r.contexts.empty()) return {};
  std::map<std::string, const ChannelStats*> channels;
  for (const ChannelStats& ch : r.channels) channels[ch.name] = &ch;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < r.contexts.size(); ++i) index[r.contexts[i].name] = i;
  const auto busy_enough = [&](const ContextStats& c) {
    return static_cast<double>(c.busy_cycles()) >= kBusyEnough * static_cast<double>(r.elapsed_cycles);
  };

  std::size_t busiest = 0, last = 0;
  for (std::size_t i = 1; i < r.contexts.size(); ++i) {
    if (r.contexts[i].busy_cycles() > r.contexts[busiest].busy_cycles()) busiest = i;
    if (r.contexts[i].final_clock > r.contexts[last].final_clock) last = i;
  }
  if (busy_enough(r.contexts[busiest]))
    return bound_of(r, {busiest, ThroughputBound::Kind::unit, nullptr});
  std::size_t at = last;
  std::vector<Step> steps;
  std::vector<std::size_t> seen_at(r.contexts.size(), steps.max_size());
  std::string arrived_by;  // the channel the walk came by
  for (;;) {
    if (seen_at[at] != steps.max_size()) return bound_of(r, loop_bound(steps, seen_at[at]));
    seen_at[at] = steps.size();
    const ContextStats& c = r.contexts[at];
    const Step* best = nullptr;
    Step candidate;
    // Its longest wait, on another channel than the one the walk came by if it has any: a
    // sender starved on by its receiver cannot have been late because that same FIFO was
    // full, nor a receiver slow to drain because it was empty.
    for (bool other_channel : {true, false}) {
      for (const auto* waits : {&c.starved_on, &c.backpressured_on})
        for (const ChannelWait& w : *waits) {
          if (other_channel && w.channel == arrived_by) continue;
          if (w.cycles == 0 || (best && w.cycles <= best->wait->cycles)) continue;
          candidate = {at,
                       waits == &c.starved_on ? ThroughputBound::Kind::empty_channel
                                              : ThroughputBound::Kind::full_channel,
                       &w};
          best = &candidate;
        }
      if (best) break;
    }
    if (!best || busy_enough(c)) return bound_of(r, {at, ThroughputBound::Kind::unit, nullptr});
    steps.push_back(*best);
    arrived_by = best->wait->channel;
    const ChannelStats& ch = *channels.at(arrived_by);
    at = index.at(best->kind == ThroughputBound::Kind::empty_channel ? ch.sender : ch.receiver);
  }
}

std::string stall_table(const RunResult& r, std::size_t max_rows) {
  std::vector<std::size_t> rows(r.contexts.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  auto waited = [&](std::size_t i) {
    return r.contexts[i].starved_cycles + r.contexts[i].backpressured_cycles;
  };
  if (rows.size() > max_rows) {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](std::size_t a, std::size_t b) { return waited(a) > waited(b); });
    rows.resize(max_rows);
    std::sort(rows.begin(), rows.end());
  }
  std::size_t width = 7;
  for (std::size_t i : rows) width = std::max(width, r.contexts[i].name.size());
  std::ostringstream os;
  os << "  " << std::left << std::setw(static_cast<int>(width)) << "context" << std::right
     << std::setw(12) << "busy" << std::setw(12) << "starved" << "  " << std::left
     << std::setw(14) << "(most on)" << std::right << std::setw(15) << "back-pressured"
     << "  (most on)\n";
  for (std::size_t i : rows) {
    const ContextStats& c = r.contexts[i];
    const ChannelWait* starved = longest(c.starved_on);
    const ChannelWait* full = longest(c.backpressured_on);
    os << "  " << std::left << std::setw(static_cast<int>(width)) << c.name << std::right
       << std::setw(12) << c.busy_cycles() << std::setw(12) << c.starved_cycles << "  "
       << std::left << std::setw(14) << (starved ? starved->channel : "") << std::right
       << std::setw(15) << c.backpressured_cycles << "  " << (full ? full->channel : "") << "\n";
  }
  if (rows.size() < r.contexts.size())
    os << "  (" << r.contexts.size() - rows.size()
       << " more contexts, which waited less: the JSON output has them all)\n";
  os << "  bound: " << find_bound(r).to_string() << "\n";
  return os.str();
}

}  // namespace dfsim
