// RunResult as seen from Python, and the exceptions for input the C++ side refuses: a
// dfsim::GraphError becomes dfsim.GraphError, any other std::invalid_argument
// dfsim.InvalidArgument; both are ValueErrors with the C++ message. python/dfsim/results.py
// turns a RunResult into DataFrames, and a deadlock or failure into dfsim.Deadlock or
// dfsim.UnitError.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "dfsim/engine/errors.hpp"
#include "dfsim/engine/run_result.hpp"
#include "dfsim/engine/run_result_json.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

void bind_exceptions(py::module_& m) {
  // Leaked on purpose, as pybind11's register_exception does: the translator may run until
  // the interpreter exits.
  static py::handle invalid_argument =
      py::exception<std::invalid_argument>(m, "InvalidArgument", PyExc_ValueError).release();
  static py::handle graph_error =
      py::exception<GraphError>(m, "GraphError", invalid_argument.ptr()).release();
  invalid_argument.attr("__doc__") =
      "Input the simulator refuses (a bad config, shape or name); the message says how to fix it.";
  graph_error.attr("__doc__") =
      "A graph that cannot run; `.problems` lists every problem found, each naming its channel "
      "or context.";
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const GraphError& e) {
      py::object error = graph_error(e.what());
      error.attr("problems") = py::cast(e.problems());
      PyErr_SetObject(graph_error.ptr(), error.ptr());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(invalid_argument.ptr(), e.what());
    }
  });
}

}  // namespace

void bind_results(py::module_& m) {
  bind_exceptions(m);
  py::class_<RunResult>(m, "RunResult",
                        "What a run returned (engine/include/dfsim/engine/run_result.hpp); "
                        "dfsim.results.RunResult wraps it.")
      .def_property_readonly("status", [](const RunResult& r) { return to_string(r.status); })
      .def_property_readonly("cycles", [](const RunResult& r) { return r.elapsed_cycles; })
      .def_property_readonly("ok", &RunResult::ok)
      .def("describe_problem", &RunResult::describe_problem)
      .def("to_dict", [](const RunResult& r) { return to_python(to_json(r)); },
           "The run as the JSON object of run_result_json.hpp: status, cycles, wall_seconds, "
           "threads, transfers, contexts, channels, and deadlock or failure when they apply.");
}

}  // namespace dfsim::python
