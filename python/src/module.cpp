// The extension module dfsim._dfsim (python/dfsim/__init__.py re-exports what users need).
#include "bindings.hpp"

PYBIND11_MODULE(_dfsim, m) {
  m.doc() = "dfsim's C++ layers, bound for the dfsim package (docs/python.md)";
  dfsim::python::bind_results(m);
  dfsim::python::bind_sdpa(m);
  dfsim::python::bind_graph(m);
  dfsim::python::bind_sweep(m);
}
