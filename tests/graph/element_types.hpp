// The element types the graph tests name most, in one place: the test files share a
// translation unit in unity builds, where two definitions of one name would clash.
#pragma once

#include "dfsim/graph/value.hpp"

namespace dfsim::graph::test {

inline const ElementType kF64{ScalarType::float64};
inline const ElementType kF32{ScalarType::float32};
inline const ElementType kI64{ScalarType::int64};

}  // namespace dfsim::graph::test
