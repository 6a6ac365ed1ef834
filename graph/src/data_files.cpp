#include "data_files.hpp"

#include <stdexcept>

namespace dfsim::graph::detail {

Data load_data(const NodeSpec& node, const ElementType& type, const std::filesystem::path& base_dir) {
  Data d = node.data;
  if (!d.file.empty())
    throw std::runtime_error(node.name + ": data file '" + (base_dir / d.file).string() +
                             "': .npy data is not supported yet: give the values inline");
  const std::size_t width = type.is_vector() ? type.dims : 1;
  const std::size_t n = type.scalar == ScalarType::int64 ? d.integers.size() : d.reals.size();
  if (n % width != 0)
    throw std::runtime_error(node.name + ": " + std::to_string(n) + " values are not whole vectors of " +
                             std::to_string(width));
  if (type.scalar == ScalarType::float32)
    for (double& x : d.reals) x = static_cast<float>(x);
  return d;
}

}  // namespace dfsim::graph::detail
