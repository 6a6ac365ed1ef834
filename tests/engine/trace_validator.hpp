#pragma once
// A checker of Chrome trace event files, written from the format's rules (the "Trace Event
// Format" document that chrome://tracing and Perfetto implement), independent of the writer:
//   - the file is an object with a "traceEvents" array (or is that array);
//   - every event has "ph", "pid", "tid", "ts" (a number >= 0) and, except metadata, a "name";
//   - complete events ("X") have a "dur" >= 0, and on one track (pid, tid) the slices, X and
//     B/E alike, nest or are disjoint: never a partial overlap; every E closes a B;
//   - nestable async events ("b"/"e") carry "cat" and "id" and pair by (cat, id), begin first;
//   - counters ("C") have "args" of numbers, never negative and, for a channel listed in
//     otherData.channels with a numeric capacity, never above it.
// Used by the engine's tests and the command line's.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace dfsim::testing {

struct TraceCheck {
  std::vector<std::string> problems;  // empty: a valid trace
  std::map<std::string, std::size_t> phases;  // events per "ph"
  nlohmann::json document;
};

namespace trace_validator_detail {

struct Slice {
  double begin, end;
  std::string name;
};

inline std::string where(std::size_t i, const nlohmann::json& e) {
  return "event " + std::to_string(i) + " " + e.dump().substr(0, 160);
}

// Slices of one track nest or are disjoint: sorted by start (longer first at equal starts),
// each must end by the end of every open slice it starts inside.
inline void check_nesting(std::vector<Slice> slices, const std::string& track,
                          std::vector<std::string>& problems) {
  std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Slice> open;
  for (const Slice& s : slices) {
    while (!open.empty() && open.back().end <= s.begin) open.pop_back();
    if (!open.empty() && s.end > open.back().end) {
      problems.push_back("track " + track + ": '" + s.name + "' [" + std::to_string(s.begin) +
                         ", " + std::to_string(s.end) + ") overlaps '" + open.back().name + "' [" +
                         std::to_string(open.back().begin) + ", " +
                         std::to_string(open.back().end) + ") without nesting");
      return;
    }
    open.push_back(s);
  }
}

inline std::map<std::string, double> capacities(const nlohmann::json& doc) {
  std::map<std::string, double> caps;
  if (!doc.is_object() || !doc.contains("otherData")) return caps;
  const auto& other = doc["otherData"];
  if (!other.contains("channels")) return caps;
  for (const auto& ch : other["channels"])
    if (ch.contains("counter") && ch.contains("capacity") && ch["capacity"].is_number())
      caps[ch["counter"].get<std::string>()] = ch["capacity"].get<double>();
  return caps;
}

}  // namespace trace_validator_detail

inline TraceCheck check_chrome_trace(const std::string& text) {
  using namespace trace_validator_detail;
  TraceCheck check;
  auto& problems = check.problems;
  try {
    check.document = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    problems.push_back(std::string("not JSON: ") + e.what());
    return check;
  }
  const nlohmann::json& doc = check.document;
  const nlohmann::json* events = doc.is_array() ? &doc : nullptr;
  if (doc.is_object() && doc.contains("traceEvents")) events = &doc["traceEvents"];
  if (!events || !events->is_array()) {
    problems.push_back("no traceEvents array");
    return check;
  }
  const auto caps = capacities(doc);
  static const std::set<std::string> kPhases = {"B", "E", "X", "i", "I", "C", "b", "e", "n",
                                                "M", "s", "t", "f", "P", "N", "O", "D"};
  std::map<std::string, std::vector<Slice>> slices;                // per track
  std::map<std::string, std::vector<Slice>> open_b;                // B awaiting E, per track
  std::map<std::tuple<std::string, std::string>, std::vector<double>> open_async;  // (cat, id)
  for (std::size_t i = 0; i < events->size(); ++i) {
    const nlohmann::json& e = (*events)[i];
    if (!e.is_object() || !e.contains("ph") || !e["ph"].is_string()) {
      problems.push_back(where(i, e) + ": no \"ph\"");
      continue;
    }
    const std::string ph = e["ph"];
    ++check.phases[ph];
    if (!kPhases.count(ph)) problems.push_back(where(i, e) + ": unknown phase '" + ph + "'");
    for (const char* key : {"pid", "tid"})
      if (!e.contains(key) || !e[key].is_number_integer())
        problems.push_back(where(i, e) + ": \"" + key + "\" missing or not an integer");
    if (!e.contains("ts") || !e["ts"].is_number() || e["ts"].get<double>() < 0) {
      problems.push_back(where(i, e) + ": \"ts\" missing or negative");
      continue;
    }
    if (ph != "M" && ph != "E" && (!e.contains("name") || !e["name"].is_string()))
      problems.push_back(where(i, e) + ": no \"name\"");
    if (!e.contains("pid") || !e.contains("tid")) continue;
    const double ts = e["ts"];
    const std::string track = e["pid"].dump() + "/" + e["tid"].dump();
    const std::string name = e.value("name", "");
    if (ph == "X") {
      if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0)
        problems.push_back(where(i, e) + ": a complete event needs \"dur\" >= 0");
      else
        slices[track].push_back({ts, ts + e["dur"].get<double>(), name});
    } else if (ph == "B") {
      open_b[track].push_back({ts, ts, name});
    } else if (ph == "E") {
      auto& stack = open_b[track];
      if (stack.empty() || stack.back().begin > ts) {
        problems.push_back(where(i, e) + ": E without a B before it on track " + track);
      } else {
        slices[track].push_back({stack.back().begin, ts, stack.back().name});
        stack.pop_back();
      }
    } else if (ph == "b" || ph == "e" || ph == "n") {
      if (!e.contains("cat") || !e.contains("id")) {
        problems.push_back(where(i, e) + ": an async event needs \"cat\" and \"id\"");
        continue;
      }
      auto& stack = open_async[{e["cat"].dump(), e["id"].dump()}];
      if (ph == "b") {
        stack.push_back(ts);
      } else if (ph == "e") {
        if (stack.empty() || stack.back() > ts)
          problems.push_back(where(i, e) + ": async end without its begin (same cat and id)");
        else
          stack.pop_back();
      }
    } else if (ph == "C") {
      if (!e.contains("args") || !e["args"].is_object() || e["args"].empty()) {
        problems.push_back(where(i, e) + ": a counter needs \"args\"");
        continue;
      }
      for (const auto& [series, value] : e["args"].items()) {
        if (!value.is_number() || value.get<double>() < 0)
          problems.push_back(where(i, e) + ": counter value not a number >= 0");
        else if (caps.count(name) && value.get<double>() > caps.at(name))
          problems.push_back(where(i, e) + ": counter above the channel's capacity " +
                             std::to_string(caps.at(name)));
      }
    }
  }
  for (const auto& [track, stack] : open_b)
    if (!stack.empty()) problems.push_back("track " + track + ": B '" + stack.back().name + "' never ended");
  for (const auto& [key, stack] : open_async)
    if (!stack.empty())
      problems.push_back("async " + std::get<0>(key) + "/" + std::get<1>(key) + " never ended");
  for (auto& [track, list] : slices) check_nesting(std::move(list), track, problems);
  return check;
}

}  // namespace dfsim::testing
