// The extension module dfsim._dfsim (python/dfsim/__init__.py re-exports what users need).
#include "bindings.hpp"

#include <string>

#include "dfsim/engine/version.hpp"

PYBIND11_MODULE(_dfsim, m) {
  m.doc() = "dfsim's C++ layers, bound for the dfsim package (docs/python.md)";
  m.attr("__version__") = std::string(dfsim::version());
  dfsim::python::bind_results(m);
  dfsim::python::bind_sdpa(m);
  dfsim::python::bind_graph(m);
  dfsim::python::bind_sweep(m);
}
