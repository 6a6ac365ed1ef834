#include "dfsim/graph/json.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "dfsim/engine/run_result_json.hpp"

namespace dfsim::graph {

GraphFileError::GraphFileError(std::string json_path, const std::string& message)
    : std::invalid_argument(json_path.empty() ? message : json_path + ": " + message),
      json_path_(std::move(json_path)) {}

namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : ", ") + w;
  return s;
}

// A JSON object being read: every key it holds must be read (or it is unknown).
struct Reader {
  const json& j;
  std::string path;
  std::vector<std::string> allowed;

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw GraphFileError(key.empty() ? path : (path.empty() ? key : path + "." + key), message);
  }
  std::string at(const std::string& key) const { return path.empty() ? key : path + "." + key; }

  void check_keys(const std::string& what) const {
    if (!j.is_object()) throw GraphFileError(path, "expected an object (" + what + "), got " + j.dump());
    for (const auto& [key, _] : j.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail("", "unknown key '" + key + "' in " + what + ": allowed keys are " + join(allowed));
  }
  bool has(const std::string& key) const { return j.contains(key); }
  const json& need(const std::string& key) const {
    if (!j.contains(key)) fail("", "missing key '" + key + "'");
    return j.at(key);
  }
  std::string string(const std::string& key) const {
    const json& v = need(key);
    if (!v.is_string()) fail(key, "expected a string, got " + v.dump());
    return v.get<std::string>();
  }
  std::uint64_t count(const std::string& key, std::uint64_t fallback) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_number_unsigned()) fail(key, "expected a whole number >= 0, got " + v.dump());
    return v.get<std::uint64_t>();
  }
  double real(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
    return v.get<double>();
  }
  template <class E>
  E choice(const std::string& key, E fallback, const std::vector<std::pair<std::string, E>>& options) const {
    if (!has(key)) return fallback;
    const json& v = j.at(key);
    std::vector<std::string> names;
    for (const auto& [name, value] : options) {
      if (v.is_string() && v.get<std::string>() == name) return value;
      names.push_back(name);
    }
    fail(key, v.dump() + " is not allowed: one of " + join(names));
  }
  std::vector<std::string> strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    const json& v = j.at(key);
    if (!v.is_array()) fail(key, "expected an array of strings, got " + v.dump());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) fail(key + "[" + std::to_string(i) + "]", "expected a string, got " + v[i].dump());
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }
};

const std::vector<std::pair<std::string, units::Discipline>> kDisciplines = {
    {"together", units::Discipline::together}, {"in_order", units::Discipline::in_order}};
const std::vector<std::pair<std::string, NodeKind>> kKinds = {
    {"source", NodeKind::source}, {"map", NodeKind::map},       {"reduce", NodeKind::reduce},
    {"scan", NodeKind::scan},     {"repeat", NodeKind::repeat}, {"sink", NodeKind::sink}};
const std::vector<std::pair<std::string, SinkMode>> kModes = {
    {"keep", SinkMode::keep}, {"check", SinkMode::check}, {"discard", SinkMode::discard}};

ElementType parse_type(const Reader& r, const std::string& key) {
  const std::string text = r.string(key);
  try {
    return parse_element_type(text);
  } catch (const std::invalid_argument& e) {
    r.fail(key, e.what());
  }
}

ChannelSpec parse_channel(const json& j, const std::string& path) {
  Reader r{j, path, {"name", "type", "capacity", "latency", "response_latency"}};
  r.check_keys("a channel");
  ChannelSpec c{.name = r.string("name"), .type = parse_type(r, "type")};
  if (r.has("capacity")) {
    const json& v = j.at("capacity");
    if (v.is_string() && v.get<std::string>() == "unbounded") c.capacity = std::nullopt;
    else if (v.is_number_unsigned()) c.capacity = v.get<std::uint64_t>();
    else r.fail("capacity", v.dump() + " is not a capacity: a whole number >= 1, or \"unbounded\"");
  }
  c.latency = r.count("latency", 1);
  c.response_latency = r.count("response_latency", 1);
  return c;
}

// Numbers, or arrays of numbers (a vector's values), flattened.
void read_values(const Reader& r, const std::string& key, bool integers, Data& d) {
  const json& v = r.need(key);
  if (!v.is_array()) r.fail(key, "expected an array of numbers, got " + v.dump());
  auto one = [&](const json& x, const std::string& where) {
    if (integers) {
      if (!x.is_number_integer()) r.fail(where, "expected an integer (the channel is int64), got " + x.dump());
      d.integers.push_back(x.get<std::int64_t>());
    } else {
      if (!x.is_number()) r.fail(where, "expected a number, got " + x.dump());
      d.reals.push_back(x.get<double>());
    }
  };
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    if (v[i].is_array())
      for (std::size_t k = 0; k < v[i].size(); ++k) one(v[i][k], where + "[" + std::to_string(k) + "]");
    else
      one(v[i], where);
  }
}

std::vector<std::string> keys_for(NodeKind k) {
  std::vector<std::string> keys = {"name", "kind", "inputs", "outputs"};
  const std::vector<std::string> timing = {"latency", "initiation_interval", "startup_delay", "per_row_delay"};
  auto add = [&](std::initializer_list<std::string> more) { keys.insert(keys.end(), more); };
  switch (k) {
    case NodeKind::source:
      keys.insert(keys.end(), timing.begin(), timing.end());
      add({"row_length", "rows", "output_discipline", "values", "file"});
      break;
    case NodeKind::repeat:
      keys.insert(keys.end(), timing.begin(), timing.end());
      add({"count", "rows"});
      break;
    case NodeKind::sink:
      add({"mode", "values", "file", "abs_tolerance", "rel_tolerance"});
      break;
    case NodeKind::custom:
      break;
    default:
      keys.insert(keys.end(), timing.begin(), timing.end());
      add({"row_length", "rows", "per_row_inputs", "input_discipline", "output_discipline",
           "variables"});
      if (k == NodeKind::map) add({"expressions"});
      if (k == NodeKind::scan) add({"expressions", "update", "init", "state_type"});
      if (k == NodeKind::reduce) add({"update", "init", "state_type"});
      break;
  }
  return keys;
}

NodeSpec parse_node(const json& j, const std::string& path, const GraphSpec& spec) {
  if (!j.is_object()) throw GraphFileError(path, "expected an object (a node), got " + j.dump());
  Reader kind_reader{j, path, {}};
  NodeSpec n;
  n.kind = kind_reader.choice("kind", NodeKind::map, kKinds);
  if (!j.contains("kind")) kind_reader.fail("", "missing key 'kind': one of source, map, reduce, scan, repeat, sink");
  Reader r{j, path, keys_for(n.kind)};
  r.check_keys("a " + std::string(to_string(n.kind)) + " node");
  n.name = r.string("name");
  n.inputs = r.strings("inputs");
  if (r.has("outputs")) {
    const json& v = j.at("outputs");
    if (!v.is_array()) r.fail("outputs", "expected an array of ports (a channel name, or an array of names for a fan-out)");
    for (std::size_t p = 0; p < v.size(); ++p) {
      const std::string where = "outputs[" + std::to_string(p) + "]";
      if (v[p].is_string()) {
        n.outputs.push_back({v[p].get<std::string>()});
      } else if (v[p].is_array()) {
        std::vector<std::string> port;
        for (std::size_t k = 0; k < v[p].size(); ++k) {
          if (!v[p][k].is_string())
            r.fail(where + "[" + std::to_string(k) + "]", "expected a channel name, got " + v[p][k].dump());
          port.push_back(v[p][k].get<std::string>());
        }
        n.outputs.push_back(std::move(port));
      } else {
        r.fail(where, "expected a channel name, or an array of names for a fan-out, got " + v[p].dump());
      }
    }
  }
  n.timing.latency = r.count("latency", 1);
  n.timing.initiation_interval = r.count("initiation_interval", 1);
  n.timing.startup_delay = r.count("startup_delay", 0);
  n.timing.per_row_delay = r.count("per_row_delay", 0);
  n.row_length = r.count("row_length", 1);
  if (r.has("rows")) n.rows = r.count("rows", 0);
  if (r.has("per_row_inputs")) {
    const json& v = j.at("per_row_inputs");
    if (!v.is_array()) r.fail("per_row_inputs", "expected an array of input indices, got " + v.dump());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_number_unsigned())
        r.fail("per_row_inputs[" + std::to_string(i) + "]", "expected an input index (from 0), got " + v[i].dump());
      n.per_row_inputs.push_back(v[i].get<std::size_t>());
    }
  }
  n.input_discipline = r.choice("input_discipline", units::Discipline::together, kDisciplines);
  n.output_discipline = r.choice("output_discipline", units::Discipline::together, kDisciplines);
  n.compute.outputs = r.strings("expressions");
  if (r.has("update")) n.compute.update = r.string("update");
  n.compute.variables = r.strings("variables");
  if (r.has("state_type")) n.compute.state_type = parse_type(r, "state_type");
  if (r.has("init")) {
    const json& v = j.at("init");
    if (v.is_number()) {
      n.compute.init = {v.get<double>()};
    } else {
      Data d;
      read_values(r, "init", false, d);
      n.compute.init = d.reals;
    }
  }
  n.repeat_count = r.count("count", 1);
  n.sink = r.choice("mode", SinkMode::keep, kModes);
  n.abs_tolerance = r.real("abs_tolerance", 0);
  n.rel_tolerance = r.real("rel_tolerance", 0);
  if (r.has("values") && r.has("file")) r.fail("", "give 'values' or 'file', not both");
  if (r.has("file")) n.data.file = r.string("file");
  if (r.has("values")) {
    // Integers for an int64 channel (the channel the node writes or, a sink, reads).
    const std::string channel = n.kind == NodeKind::source ? (n.outputs.empty() || n.outputs[0].empty() ? "" : n.outputs[0][0])
                                                           : (n.inputs.empty() ? "" : n.inputs[0]);
    bool integers = false;
    for (const auto& c : spec.channels)
      if (c.name == channel) integers = c.type.scalar == ScalarType::int64;
    read_values(r, "values", integers, n.data);
  }
  return n;
}

json type_json(const ElementType& t) { return t.to_string(); }

const char* name_of(units::Discipline d) { return d == units::Discipline::together ? "together" : "in_order"; }

json node_json(const NodeSpec& n, const GraphSpec& spec) {
  if (n.kind == NodeKind::custom || n.custom)
    throw std::invalid_argument("node '" + n.name + "' is a custom node: its body is code, which a graph file cannot hold");
  if (n.compute.foreign)
    throw std::invalid_argument("node '" + n.name + "' computes with a foreign step: a graph file holds only expressions");
  json j = {{"name", n.name}, {"kind", to_string(n.kind)}};
  if (!n.inputs.empty()) j["inputs"] = n.inputs;
  if (!n.outputs.empty()) {
    json ports = json::array();
    for (const auto& p : n.outputs) ports.push_back(p.size() == 1 ? json(p[0]) : json(p));
    j["outputs"] = ports;
  }
  const auto keys = keys_for(n.kind);
  auto allowed = [&](const char* key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
  auto put = [&](const char* key, json value) {
    if (allowed(key)) j[key] = std::move(value);
  };
  put("latency", n.timing.latency);
  put("initiation_interval", n.timing.initiation_interval);
  put("startup_delay", n.timing.startup_delay);
  put("per_row_delay", n.timing.per_row_delay);
  put("row_length", n.row_length);
  if (n.rows) put("rows", *n.rows);
  if (!n.per_row_inputs.empty()) put("per_row_inputs", n.per_row_inputs);
  put("input_discipline", name_of(n.input_discipline));
  put("output_discipline", name_of(n.output_discipline));
  if (!n.compute.variables.empty()) put("variables", n.compute.variables);
  if (!n.compute.outputs.empty()) put("expressions", n.compute.outputs);
  if (n.kind == NodeKind::reduce || n.kind == NodeKind::scan) {
    put("update", n.compute.update);
    if (!n.compute.init.empty()) put("init", n.compute.init);
    if (n.compute.state_type) put("state_type", type_json(*n.compute.state_type));
  }
  put("count", n.repeat_count);
  if (n.kind == NodeKind::sink) {
    put("mode", n.sink == SinkMode::keep ? "keep" : n.sink == SinkMode::check ? "check" : "discard");
    if (n.sink == SinkMode::check) {
      put("abs_tolerance", n.abs_tolerance);
      put("rel_tolerance", n.rel_tolerance);
    }
  }
  const bool has_data = n.kind == NodeKind::source || (n.kind == NodeKind::sink && n.sink == SinkMode::check);
  if (has_data && !n.data.file.empty()) put("file", n.data.file.generic_string());
  else if (has_data) put("values", n.data.integers.empty() ? json(n.data.reals) : json(n.data.integers));
  (void)spec;
  return j;
}

}  // namespace

GraphSpec from_json(const json& j, const std::filesystem::path& base_dir) {
  Reader r{j, "", {"version", "channels", "nodes"}};
  r.check_keys("a graph file");
  const json& version = r.need("version");
  if (!version.is_number_integer() || version.get<std::int64_t>() != kGraphFileVersion)
    r.fail("version", version.dump() + " is not a version this dfsim reads: " + std::to_string(kGraphFileVersion));
  GraphSpec spec;
  spec.base_dir = base_dir;
  const json& channels = r.need("channels");
  if (!channels.is_array()) r.fail("channels", "expected an array of channels");
  for (std::size_t i = 0; i < channels.size(); ++i)
    spec.channels.push_back(parse_channel(channels[i], "channels[" + std::to_string(i) + "]"));
  const json& nodes = r.need("nodes");
  if (!nodes.is_array()) r.fail("nodes", "expected an array of nodes");
  for (std::size_t i = 0; i < nodes.size(); ++i)
    spec.nodes.push_back(parse_node(nodes[i], "nodes[" + std::to_string(i) + "]", spec));
  return spec;
}

json to_json(const GraphSpec& spec) {
  json channels = json::array(), nodes = json::array();
  for (const ChannelSpec& c : spec.channels) {
    channels.push_back({{"name", c.name},
                        {"type", type_json(c.type)},
                        {"capacity", capacity_json(c.capacity)},
                        {"latency", c.latency},
                        {"response_latency", c.response_latency}});
  }
  for (const NodeSpec& n : spec.nodes) nodes.push_back(node_json(n, spec));
  return {{"version", kGraphFileVersion}, {"channels", channels}, {"nodes", nodes}};
}

GraphSpec load_graph(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw GraphFileError("", "cannot read " + file.string() + ": no such file, or not readable");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw GraphFileError("", std::string("not valid JSON: ") + e.what());
  }
  return from_json(j, file.parent_path());
}

void save_graph(const GraphSpec& spec, const std::filesystem::path& file) {
  const json j = to_json(spec);
  std::ofstream out(file);
  out << j.dump(2) << '\n';
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace dfsim::graph
