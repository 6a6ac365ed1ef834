// Attention from Python (python/dfsim/sdpa.py): simulate and the min-depth search.
#include "bindings.hpp"

namespace py = pybind11;

namespace dfsim::python {

void bind_sdpa(py::module_&) {}

}  // namespace dfsim::python
