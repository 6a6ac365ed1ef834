// Attention from Python (python/dfsim/sdpa.py): simulate and the min-depth search over
// dfsim::sdpa. sdpa.py checks the arrays' dtypes and shapes and hands over float64 (N, d)
// arrays, one (q, k, v) per head; the config arrives as the keyword arguments users typed.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "bindings.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/npy.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

template <class T>
std::string join_names(const std::vector<T>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + std::string(to_string(item));
  return text;
}

sdpa::Variant variant_arg(const std::string& text) {
  if (auto v = sdpa::parse_variant(text)) return *v;
  throw std::invalid_argument("unknown variant '" + text + "': valid variants are " +
                              join_names(sdpa::all_variants()));
}

sdpa::Preset preset_arg(const std::string& text) {
  if (auto p = sdpa::parse_preset(text)) return *p;
  throw std::invalid_argument("unknown preset '" + text + "': valid presets are " +
                              join_names(std::vector{sdpa::Preset::unit,
                                                     sdpa::Preset::spatial_calibrated}));
}

sdpa::Precision precision_arg(const std::string& text) {
  if (auto p = sdpa::parse_precision(text)) return *p;
  throw std::invalid_argument("unknown precision '" + text +
                              "': valid precisions are fp64, fp32");
}

// The keyword arguments of dfsim.sdpa.simulate that make the config (sdpa.py has checked
// their Python types): units maps a unit's name to (latency, ii, startup, per_row).
sdpa::AttentionConfig make_config(const py::dict& args) {
  sdpa::AttentionConfig c;
  c.variant = variant_arg(args["variant"].cast<std::string>());
  c.n = args["n"].cast<std::size_t>();
  c.d = args["d"].cast<std::size_t>();
  c.preset = preset_arg(args["preset"].cast<std::string>());
  c.precision = precision_arg(args["precision"].cast<std::string>());
  c.heads = args["heads"].cast<unsigned>();
  c.unbounded = args["unbounded"].cast<bool>();
  c.depths = args["depths"].cast<std::map<std::string, std::optional<std::uint64_t>>>();
  for (const auto& [name, t] : args["units"].cast<std::map<std::string, std::array<Cycle, 4>>>())
    c.unit_timing[name] = {.latency = t[0], .initiation_interval = t[1], .startup_delay = t[2],
                           .per_row_delay = t[3]};
  return c;
}

std::vector<double> values_of(const Array& a, const char* name, unsigned head,
                              bool allow_non_finite) {
  sdpa::Matrix m{.rows = static_cast<std::size_t>(a.shape(0)),
                 .cols = static_cast<std::size_t>(a.shape(1)),
                 .values = std::vector<double>(a.data(), a.data() + a.size())};
  if (!allow_non_finite)
    if (auto bad = sdpa::find_non_finite(m))
      throw std::invalid_argument(std::string(name) + " (head " + std::to_string(head) + "): " +
                                  sdpa::to_string(*bad) +
                                  "; Q, K and V must be finite: fix them, or pass "
                                  "allow_non_finite=True to simulate them as they are");
  return std::move(m.values);
}

// One (q, k, v) per head, or none: random from `seed` (head h: seed + h), as the CLI does.
std::vector<sdpa::Tensors> make_inputs(const sdpa::AttentionConfig& c, const py::list& arrays,
                                       std::uint64_t seed, double scale, bool allow_non_finite) {
  sdpa::check_memory(c.n, c.d, c.heads);  // before a copy for every head
  std::vector<sdpa::Tensors> inputs;
  if (arrays.empty()) {
    for (unsigned h = 0; h < c.heads; ++h) inputs.push_back(sdpa::random_tensors(c.n, c.d, seed + h, scale));
    return inputs;
  }
  unsigned head = 0;
  for (const auto& item : arrays) {
    auto [q, k, v] = item.cast<std::tuple<Array, Array, Array>>();
    inputs.push_back({.n = c.n, .d = c.d, .q = values_of(q, "q", head, allow_non_finite),
                      .k = values_of(k, "k", head, allow_non_finite),
                      .v = values_of(v, "v", head, allow_non_finite)});
    ++head;
  }
  return inputs;
}

py::dict capacity_dict(const std::map<std::string, std::optional<std::uint64_t>>& depths) {
  py::dict d;
  for (const auto& [name, depth] : depths)
    d[py::str(name)] = depth ? py::object(py::int_(*depth)) : py::object(py::str("unbounded"));
  return d;
}

// Head h's output rows, NaN past those that reached the sink (all of them when it completed).
py::array_t<double> outputs_array(const sdpa::AttentionConfig& c,
                                  const std::vector<std::vector<double>>& outputs) {
  py::array_t<double> a({static_cast<py::ssize_t>(c.heads), static_cast<py::ssize_t>(c.n),
                         static_cast<py::ssize_t>(c.d)});
  double* out = a.mutable_data();
  std::fill(out, out + a.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t h = 0; h < outputs.size(); ++h)
    std::copy(outputs[h].begin(), outputs[h].end(), out + h * c.n * c.d);
  return a;
}

// The config as `dfsim sdpa --json` shows it ("config").
py::dict config_dict(const sdpa::AttentionConfig& c, const sdpa::ResolvedConfig& resolved,
                     unsigned threads, const std::string& inputs_text) {
  py::dict j;
  j["variant"] = std::string(to_string(c.variant));
  j["n"] = c.n;
  j["d"] = c.d;
  j["precision"] = std::string(to_string(c.precision));
  j["preset"] = std::string(to_string(c.preset));
  j["heads"] = c.heads;
  j["threads"] = threads;
  j["unbounded"] = c.unbounded;
  j["inputs"] = inputs_text;
  j["max_initiation_interval"] = resolved.max_initiation_interval;
  j["depths"] = capacity_dict(resolved.depths);
  py::dict units;
  for (const auto& [name, t] : resolved.units) {
    py::dict timing;
    timing["latency"] = t.latency;
    timing["initiation_interval"] = t.initiation_interval;
    timing["startup_delay"] = t.startup_delay;
    timing["per_row_delay"] = t.per_row_delay;
    units[py::str(name)] = timing;
  }
  j["units"] = units;
  return j;
}

// The measures as `dfsim sdpa --json` prints them, but the wall time of the whole command.
py::dict measures(const sdpa::AttentionRun& r) {
  py::dict j;
  j["status"] = to_string(r.run.status);
  j["cycles"] = r.run.elapsed_cycles;
  j["ideal_cycles"] = r.ideal_cycles;
  j["throughput"] = r.throughput;
  j["intermediate_memory_elements"] = r.intermediate_memory_elements;
  j["intermediate_memory_bytes"] = r.intermediate_memory_bytes;
  j["max_abs_error"] = r.max_abs_error;
  j["non_finite"] = r.non_finite;
  j["depths"] = "preset";
  py::list fifos;
  for (const auto& f : r.fifos) {
    py::dict row;
    row["name"] = f.name;
    row["capacity"] = f.capacity ? py::object(py::int_(*f.capacity)) : py::object(py::str("unbounded"));
    row["peak_occupancy"] = f.peak_occupancy;
    row["elements"] = f.elements;
    row["internal"] = f.internal;
    row["element_bytes"] = f.element_bytes;
    fifos.append(row);
  }
  j["fifos"] = fifos;
  j["simulation_wall_seconds"] = r.run.wall_seconds;
  if (!r.run.ok()) j["problem"] = r.run.describe_problem();
  return j;
}

std::string inputs_text(const sdpa::AttentionConfig& c, const py::list& arrays, std::uint64_t seed,
                        double scale) {
  if (!arrays.empty()) return "NumPy arrays";
  std::ostringstream text;  // as the CLI says it
  text << "random, uniform in [-" << scale << ", " << scale << ") (seed " << seed
       << (c.heads > 1 ? "; head h: seed + h)" : ")");
  return text.str();
}

py::dict simulate(const py::dict& config_args, const py::list& arrays, std::uint64_t seed,
                  double scale, bool allow_non_finite, unsigned threads) {
  auto config = make_config(config_args);
  check_threads(threads);
  auto resolved = sdpa::resolve(config);
  auto inputs = make_inputs(config, arrays, seed, scale, allow_non_finite);
  sdpa::AttentionRun r;
  {
    py::gil_scoped_release unlocked;  // other Python threads run while this one simulates
    r = sdpa::simulate_attention(config, inputs, {.threads = threads});
  }
  py::dict result;
  result["measures"] = measures(r);
  result["measures"]["config"] = config_dict(config, resolved, threads, inputs_text(config, arrays, seed, scale));
  result["outputs"] = outputs_array(config, r.outputs);
  result["rows_out"] = [&] {
    py::list rows;
    for (const auto& head : r.outputs) rows.append(head.size() / config.d);
    return rows;
  }();
  result["run"] = py::cast(std::move(r.run));
  return result;
}

py::dict min_depths(const py::dict& config_args, const py::list& arrays, std::uint64_t seed,
                    double scale, bool allow_non_finite) {
  auto config = make_config(config_args);
  auto resolved = sdpa::resolve(config);
  auto inputs = make_inputs(config, arrays, seed, scale, allow_non_finite);
  sdpa::MinDepths m;
  {
    py::gil_scoped_release unlocked;
    m = sdpa::find_min_depths(config, inputs);
  }
  py::dict result;
  py::dict depths;  // graph order, as `dfsim sdpa-min-depth` prints them
  for (const auto& name : sdpa::fifo_names(config.variant))
    if (m.depth.count(name)) depths[py::str(name)] = m.depth.at(name);
  result["min_depths"] = depths;
  result["unbounded_cycles"] = m.unbounded_cycles;
  result["cycles_with_min_depths"] = m.cycles_with_min_depths;
  result["ideal_cycles"] = resolved.max_initiation_interval * config.n * config.n;
  return result;
}

}  // namespace

void bind_sdpa(py::module_& m) {
  py::module_ s = m.def_submodule("sdpa", "dfsim::sdpa, for python/dfsim/sdpa.py");
  s.def("simulate", &simulate, py::arg("config"), py::arg("inputs"), py::arg("seed"),
        py::arg("scale"), py::arg("allow_non_finite"), py::arg("threads"));
  s.def("min_depths", &min_depths, py::arg("config"), py::arg("inputs"), py::arg("seed"),
        py::arg("scale"), py::arg("allow_non_finite"));
  s.def("variants", [] {
    std::vector<std::string> names;
    for (auto v : sdpa::all_variants()) names.emplace_back(to_string(v));
    return names;
  });
  s.def("fifo_names", [](const std::string& v) { return sdpa::fifo_names(variant_arg(v)); });
  s.def("unit_names", [](const std::string& v) { return sdpa::unit_names(variant_arg(v)); });
}

}  // namespace dfsim::python
