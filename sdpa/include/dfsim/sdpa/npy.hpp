#pragma once
// The .npy reader and writer live in the io layer (io/include/dfsim/io/npy.hpp), below the
// graph files that read them too; attention keeps its names for them.
#include "dfsim/io/npy.hpp"

namespace dfsim::sdpa {
using io::find_non_finite;
using io::Matrix;
using io::NonFinite;
using io::read_npy;
using io::to_string;
using io::write_npy;
}  // namespace dfsim::sdpa
