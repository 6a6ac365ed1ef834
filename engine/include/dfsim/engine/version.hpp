#pragma once
// Which dfsim this is: the project's version (CMakeLists.txt's project()), as `dfsim --version`,
// Python's dfsim.__version__ and a sweep's results.json report it, so that a result kept for
// later says which simulator measured it.
//
//   std::string_view v = dfsim::version();   // "0.1.0"
#include <string_view>

namespace dfsim {

std::string_view version() noexcept;

}  // namespace dfsim
