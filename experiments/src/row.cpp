// The sweep's result schema (row.hpp): one table of columns read by the CSV and the JSON.
#include "dfsim/experiments/row.hpp"

#include <functional>

#include "dfsim/engine/run_result_json.hpp"

namespace dfsim::experiments {
namespace {

using json = nlohmann::ordered_json;

template <class T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json();
}
template <class T>
std::optional<T> optional_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<T>();
}

json fifos_json(const std::vector<FifoRow>& fifos) {
  json a = json::array();
  for (const auto& f : fifos) a.push_back(to_json(f));
  return a;
}

std::vector<FifoRow> fifos_from(const json& a) {
  std::vector<FifoRow> fifos;
  for (const auto& f : a)
    fifos.push_back({.name = f.at("name").get<std::string>(),
                     .capacity = f.at("capacity").is_string()
                                     ? std::nullopt
                                     : std::optional(f.at("capacity").get<std::uint64_t>()),
                     .peak_occupancy = f.at("peak_occupancy").get<std::uint64_t>(),
                     .elements = f.at("elements").get<std::uint64_t>(),
                     .internal = f.at("internal").get<bool>()});
  return fifos;
}

std::string depth_list(const std::map<std::string, std::uint64_t>& depths) {
  std::string list;
  for (const auto& [fifo, depth] : depths)
    list += (list.empty() ? "" : ";") + fifo + "=" + std::to_string(depth);
  return list;
}

// The keys of each part, in CSV order; a part's keys are written only when the part is there.
void put_identity(json& j, const Row& r) {
  j["variant"] = r.variant;
  j["n"] = r.n;
  j["d"] = r.d;
  j["preset"] = r.preset;
  j["precision"] = r.precision;
  j["causal"] = r.causal;
  j["decode_rows"] = r.decode_rows;
  j["heads"] = r.heads;
  j["kv_heads"] = r.kv_heads;
  j["lanes"] = r.lanes;
  j["ii_max"] = r.ii_max;
  j["ideal_cycles"] = r.ideal_cycles;
  j["status"] = r.status;
}

void put(json& j, const PresetRun& p) {
  j["cycles"] = p.cycles;
  j["throughput"] = p.throughput;
  j["overhead_cycles"] = p.overhead_cycles;
  j["max_abs_error"] = p.max_abs_error;
  j["non_finite"] = p.non_finite;
  j["default_memory_elements"] = p.default_memory_elements;
}

void put(json& j, const UnboundedRun& u) {
  j["unbounded_unit_cycles"] = u.cycles;
  j["intermediate_memory_elements"] = u.intermediate_memory_elements;
  j["intermediate_memory_bytes"] = u.intermediate_memory_bytes;
  j["long_fifo_peak"] = optional_json(u.long_fifo_peak);
  j["max_fifo_peak"] = u.max_fifo_peak;
}

void put(json& j, const MinDepthRun& m) {
  j["unbounded_cycles"] = m.unbounded_cycles;
  j["min_depth_cycles"] = m.min_depth_cycles;
  j["min_depth_long"] = optional_json(m.min_depth_long);
  j["min_depth_max"] = m.min_depth_max;
  j["min_depth_sum"] = m.min_depth_sum;
  j["min_depths"] = depth_list(m.depths);
}

// Every column: the CSV's cells and the JSON's keys.
json flat(const Row& r) {
  json j;
  put_identity(j, r);
  if (r.preset_run) put(j, *r.preset_run);
  if (r.unbounded_run) put(j, *r.unbounded_run);
  if (r.min_depth_run) put(j, *r.min_depth_run);
  j["wall_seconds"] = r.wall_seconds;
  j["runs_done"] = r.runs_done;
  return j;
}

// RFC 4180 quoting: an error message in a status may hold commas or quotes.
std::string csv_field(const json& v) {
  std::string text = csv_cell(v);
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

json to_json(const FifoRow& f) {
  return {{"name", f.name},
          {"capacity", capacity_json(f.capacity)},
          {"peak_occupancy", f.peak_occupancy},
          {"elements", f.elements},
          {"internal", f.internal}};
}

std::vector<FifoRow> fifo_rows(const std::vector<sdpa::FifoStats>& fifos) {
  std::vector<FifoRow> rows;
  for (const auto& f : fifos)
    rows.push_back({.name = f.name,
                    .capacity = f.capacity,
                    .peak_occupancy = f.peak_occupancy,
                    .elements = f.elements,
                    .internal = f.internal});
  return rows;
}

const std::vector<std::string>& columns() {
  static const std::vector<std::string> kColumns = {
      "variant", "n", "d", "preset", "precision", "causal", "decode_rows", "heads", "kv_heads",
      "lanes", "ii_max", "ideal_cycles",
      // run 1: the preset's FIFO depths
      "status", "cycles", "throughput", "overhead_cycles", "max_abs_error", "non_finite",
      "default_memory_elements",
      // run 2: every FIFO unbounded, one-cycle preset
      "unbounded_unit_cycles", "intermediate_memory_elements", "intermediate_memory_bytes",
      "long_fifo_peak", "max_fifo_peak",
      // run 3: minimal depths, the preset's timing
      "unbounded_cycles", "min_depth_cycles", "min_depth_long", "min_depth_max", "min_depth_sum",
      "min_depths", "wall_seconds",
      // which runs ended (a row stopped by a signal has fewer)
      "runs_done"};
  return kColumns;
}

json to_json(const Row& r) {
  json j = flat(r);
  if (r.preset_run) {
    j["fifos_default"] = fifos_json(r.preset_run->fifos);
    if (r.preset_run->problem) j["problem"] = *r.preset_run->problem;
  }
  if (r.unbounded_run) j["fifos_unbounded_unit"] = fifos_json(r.unbounded_run->fifos);
  if (r.min_depth_run) j["min_depths_by_fifo"] = r.min_depth_run->depths;
  if (r.depth_curve) {
    json points = json::array();
    for (const auto& p : r.depth_curve->points)
      points.push_back({{"depth", p.depth}, {"status", p.status}, {"cycles", p.cycles},
                        {"throughput", p.throughput}});
    j["depth_curve"] = {{"fifo", r.depth_curve->fifo}, {"points", points}};
  }
  return j;
}

Row row_from_json(const json& j) {
  Row r{.variant = j.at("variant").get<std::string>(),
        .n = j.at("n").get<std::size_t>(),
        .d = j.at("d").get<std::size_t>(),
        .preset = j.at("preset").get<std::string>(),
        .precision = j.at("precision").get<std::string>(),
        .causal = j.at("causal").get<std::string>(),
        .decode_rows = j.at("decode_rows").get<std::size_t>(),
        .heads = j.at("heads").get<unsigned>(),
        .kv_heads = j.at("kv_heads").get<unsigned>(),
        .lanes = j.at("lanes").get<unsigned>(),
        .ii_max = j.at("ii_max").get<Cycle>(),
        .ideal_cycles = j.at("ideal_cycles").get<Cycle>(),
        .status = j.at("status").get<std::string>()};
  r.wall_seconds = j.value("wall_seconds", 0.0);
  r.runs_done = j.value("runs_done", std::string());
  if (j.contains("cycles"))
    r.preset_run = PresetRun{
        .cycles = j.at("cycles").get<Cycle>(),
        .throughput = j.at("throughput").get<double>(),
        .overhead_cycles = j.at("overhead_cycles").get<std::int64_t>(),
        .max_abs_error = j.at("max_abs_error").get<double>(),
        .non_finite = j.at("non_finite").get<bool>(),
        .default_memory_elements = j.at("default_memory_elements").get<std::uint64_t>(),
        .fifos = fifos_from(j.value("fifos_default", json::array())),
        .problem = j.contains("problem") ? std::optional(j["problem"].get<std::string>())
                                         : std::nullopt};
  if (j.contains("intermediate_memory_elements"))
    r.unbounded_run = UnboundedRun{
        .cycles = j.at("unbounded_unit_cycles").get<Cycle>(),
        .intermediate_memory_elements = j.at("intermediate_memory_elements").get<std::uint64_t>(),
        .intermediate_memory_bytes = j.at("intermediate_memory_bytes").get<std::uint64_t>(),
        .long_fifo_peak = optional_from<std::uint64_t>(j.at("long_fifo_peak")),
        .max_fifo_peak = j.at("max_fifo_peak").get<std::uint64_t>(),
        .fifos = fifos_from(j.value("fifos_unbounded_unit", json::array()))};
  if (j.contains("min_depth_max"))
    r.min_depth_run = MinDepthRun{
        .unbounded_cycles = j.at("unbounded_cycles").get<Cycle>(),
        .min_depth_cycles = j.at("min_depth_cycles").get<Cycle>(),
        .min_depth_long = optional_from<std::uint64_t>(j.at("min_depth_long")),
        .min_depth_max = j.at("min_depth_max").get<std::uint64_t>(),
        .min_depth_sum = j.at("min_depth_sum").get<std::uint64_t>(),
        .depths = j.at("min_depths_by_fifo").get<std::map<std::string, std::uint64_t>>()};
  if (j.contains("depth_curve")) {
    const json& c = j["depth_curve"];
    r.depth_curve = DepthCurve{.fifo = c.at("fifo").get<std::string>()};
    for (const json& p : c.at("points"))
      r.depth_curve->points.push_back({.depth = p.at("depth").get<std::uint64_t>(),
                                       .status = p.at("status").get<std::string>(),
                                       .cycles = p.at("cycles").get<Cycle>(),
                                       .throughput = p.at("throughput").get<double>()});
  }
  return r;
}

std::string csv_header() {
  std::string line;
  for (const auto& c : columns()) line += (line.empty() ? "" : ",") + c;
  return line + "\n";
}

std::string csv_line(const Row& r) {
  const json j = flat(r);
  std::string line;
  bool first = true;
  for (const auto& c : columns()) {
    line += (first ? "" : ",") + csv_field(j.contains(c) ? j[c] : json());
    first = false;
  }
  return line + "\n";
}

}  // namespace dfsim::experiments
