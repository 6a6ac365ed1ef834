// Attention from Python (python/dfsim/sdpa.py): one run and the min-depth search, through the
// experiments layer as `dfsim sdpa` and `dfsim sdpa-min-depth` do. sdpa.py checks the arrays'
// dtypes and shapes and hands over float64 (N, d) arrays, one (q, k, v) per head; the config
// arrives as the keyword arguments users typed.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <limits>

#include "bindings.hpp"
#include "dfsim/experiments/arguments.hpp"
#include "dfsim/experiments/attention_run.hpp"
#include "dfsim/experiments/min_depth.hpp"
#include "dfsim/experiments/setup.hpp"
#include "dfsim/sdpa/attention.hpp"
#include "dfsim/sdpa/npy.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

// The keyword arguments of dfsim.sdpa.simulate that make the config (sdpa.py has checked
// their Python types): units maps a unit's name to (latency, ii, startup, per_row).
sdpa::AttentionConfig make_config(const py::dict& args) {
  sdpa::AttentionConfig c;
  c.variant = experiments::variant_argument(args["variant"].cast<std::string>());
  c.n = args["n"].cast<std::size_t>();
  c.d = args["d"].cast<std::size_t>();
  c.preset = experiments::preset_argument(args["preset"].cast<std::string>());
  c.precision = experiments::precision_argument(args["precision"].cast<std::string>());
  c.heads = args["heads"].cast<unsigned>();
  c.causal = experiments::causal_argument(args["causal"].cast<std::string>());
  c.decode_rows = args["decode"].cast<std::size_t>();
  c.kv_heads = args["kv_heads"].cast<unsigned>();
  c.lanes = args["lanes"].cast<unsigned>();
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

// One (q, k, v) per head, or none: random from `seed` (head h: seed + h), as the CLI's.
experiments::Inputs make_inputs(const sdpa::AttentionConfig& c, const py::list& arrays,
                                std::uint64_t seed, double scale, bool allow_non_finite) {
  sdpa::check_memory(c.n, c.d, c.heads);  // before a copy for every head
  if (arrays.empty())
    return experiments::random_inputs(c.n, c.d, c.heads, seed, scale, c.decode_rows, c.kv_heads);
  experiments::Inputs inputs{.text = "NumPy arrays"};
  unsigned head = 0;
  for (const auto& item : arrays) {
    auto [q, k, v] = item.cast<std::tuple<Array, Array, Array>>();
    inputs.tensors.push_back({.n = c.n, .d = c.d, .q = values_of(q, "q", head, allow_non_finite),
                              .k = values_of(k, "k", head, allow_non_finite),
                              .v = values_of(v, "v", head, allow_non_finite)});
    ++head;
  }
  return inputs;
}

// Head h's output rows, NaN past those that reached the sink (all of them when it completed).
py::array_t<double> outputs_array(const sdpa::AttentionConfig& c,
                                  const std::vector<std::vector<double>>& outputs) {
  const std::size_t rows = sdpa::query_rows(c);
  py::array_t<double> a({static_cast<py::ssize_t>(c.heads), static_cast<py::ssize_t>(rows),
                         static_cast<py::ssize_t>(c.d)});
  double* out = a.mutable_data();
  std::fill(out, out + a.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t h = 0; h < outputs.size(); ++h)
    std::copy(outputs[h].begin(), outputs[h].end(), out + h * rows * c.d);
  return a;
}

py::dict simulate(const py::dict& config_args, const py::list& arrays, std::uint64_t seed,
                  double scale, bool allow_non_finite, unsigned threads, bool auto_depths) {
  auto config = make_config(config_args);
  check_threads(threads);
  auto setup = experiments::make_setup(
      config, make_inputs(config, arrays, seed, scale, allow_non_finite), threads);
  experiments::AttentionOutcome outcome;
  {
    py::gil_scoped_release unlocked;  // other Python threads run while this one simulates
    outcome = experiments::run_attention(setup, {.auto_depths = auto_depths});
  }
  const auto& r = outcome.result;
  py::dict result;
  result["measures"] = to_python(experiments::to_json(setup, outcome));
  result["outputs"] = outputs_array(config, r.outputs);
  py::list rows;
  for (const auto& head : r.outputs) rows.append(head.size() / config.d);
  result["rows_out"] = rows;
  result["run"] = py::cast(std::move(outcome.result.run));
  return result;
}

// As `dfsim sdpa-min-depth --json`, but its wall time and config.
py::dict min_depths(const py::dict& config_args, const py::list& arrays, std::uint64_t seed,
                    double scale, bool allow_non_finite, unsigned probe_threads) {
  auto config = make_config(config_args);
  auto inputs = make_inputs(config, arrays, seed, scale, allow_non_finite);
  sdpa::resolve(config);  // a bad config is refused before the search starts
  std::optional<experiments::MinDepths> m;
  {
    py::gil_scoped_release unlocked;
    m = experiments::find_min_depths(config, inputs.tensors, {.probe_threads = probe_threads});
  }
  py::dict result;
  py::dict depths;  // graph order, as `dfsim sdpa-min-depth` prints them
  for (const auto& name : sdpa::fifo_names(config))
    if (m->depth.count(name)) depths[py::str(name)] = m->depth.at(name);
  result["min_depths"] = depths;
  result["unbounded_cycles"] = m->unbounded_cycles;
  result["cycles_with_min_depths"] = m->cycles_with_min_depths;
  result["ideal_cycles"] = m->ideal_cycles;
  result["runs"] = m->runs;
  return result;
}

}  // namespace

void bind_sdpa(py::module_& m) {
  py::module_ s = m.def_submodule("sdpa", "dfsim::sdpa, for python/dfsim/sdpa.py");
  s.def("simulate", &simulate, py::arg("config"), py::arg("inputs"), py::arg("seed"),
        py::arg("scale"), py::arg("allow_non_finite"), py::arg("threads"),
        py::arg("auto_depths"));
  s.def("min_depths", &min_depths, py::arg("config"), py::arg("inputs"), py::arg("seed"),
        py::arg("scale"), py::arg("allow_non_finite"), py::arg("probe_threads"));
  s.def("variants", [] {
    std::vector<std::string> names;
    for (auto v : sdpa::all_variants()) names.emplace_back(to_string(v));
    return names;
  });
  s.def("fifo_names", [](const std::string& v) { return sdpa::fifo_names(experiments::variant_argument(v)); });
  s.def("unit_names", [](const std::string& v) { return sdpa::unit_names(experiments::variant_argument(v)); });
}

}  // namespace dfsim::python
