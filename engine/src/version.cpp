#include "dfsim/engine/version.hpp"

namespace dfsim {

// DFSIM_VERSION comes from CMake (engine/CMakeLists.txt), only here: a new version rebuilds
// this one file.
std::string_view version() noexcept { return DFSIM_VERSION; }

}  // namespace dfsim
