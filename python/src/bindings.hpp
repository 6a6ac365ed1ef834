#pragma once
// The extension dfsim._dfsim: one bind_xxx per bound area, each in the file of its name, called
// by module.cpp. The bindings only translate between Python and the C++ API; the pure-Python
// package (python/dfsim/) shapes the results into DataFrames and exceptions.
#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>
#include <string>

#include "dfsim/sdpa/attention.hpp"

namespace dfsim::python {

// RunResult, and the exceptions for input the C++ side refuses (results.cpp).
void bind_results(pybind11::module_& m);
// Attention: simulate and the min-depth search (sdpa.cpp), the sweep (sweep.cpp; after sdpa).
void bind_sdpa(pybind11::module_& m);
// Graphs of your own: the spec, Python steps and generator contexts, runs (graph.cpp).
void bind_graph(pybind11::module_& m);
void bind_sweep(pybind11::module_& m);

// A JSON value as the Python object json.loads would give (integers exact).
pybind11::object to_python(const nlohmann::json& value);
pybind11::object to_python(const nlohmann::ordered_json& value);

}  // namespace dfsim::python
