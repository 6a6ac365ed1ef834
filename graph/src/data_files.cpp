#include "data_files.hpp"

#include <stdexcept>

#include "dfsim/io/npy.hpp"

namespace dfsim::graph::detail {
namespace {

// A .npy file's values for a channel of type `type`: a column (or 1-D array) of scalars, or
// a count x d matrix of vectors.
std::vector<double> read_file(const NodeSpec& node, const ElementType& type,
                              const std::filesystem::path& file) {
  const std::string who = "node '" + node.name + "'";
  if (type.scalar == ScalarType::int64)
    throw std::runtime_error(who + ": its channel is int64: give its values inline (.npy files "
                                   "are read as float64 or float32)");
  io::Matrix m = io::read_npy(file);
  const std::size_t width = type.is_vector() ? type.dims : 1;
  if (m.cols != width && !(width == 1 && m.rows == 1))
    throw std::runtime_error(who + ": " + file.string() + " holds a " + std::to_string(m.rows) + " x " +
                             std::to_string(m.cols) + " array; a channel of " + type.to_string() +
                             " needs " + (width == 1 ? "a 1-D array or one column" :
                                          std::to_string(width) + " columns"));
  return std::move(m.values);
}

}  // namespace

Data load_data(const NodeSpec& node, const ElementType& type, const std::filesystem::path& base_dir) {
  Data d = node.data;
  if (!d.file.empty()) {
    d.reals = read_file(node, type, d.file.is_absolute() ? d.file : base_dir / d.file);
    d.integers.clear();
  }
  const std::size_t width = type.is_vector() ? type.dims : 1;
  const std::size_t n = type.scalar == ScalarType::int64 ? d.integers.size() : d.reals.size();
  if (n % width != 0)
    throw std::runtime_error("node '" + node.name + "': " + std::to_string(n) +
                             " values are not whole vectors of " + std::to_string(width));
  if (node.kind == NodeKind::source && !node.rows && node.row_length && (n / width) % node.row_length != 0)
    throw std::runtime_error("node '" + node.name + "': " + std::to_string(n / width) +
                             " elements are not whole rows of " + std::to_string(node.row_length) +
                             " (give rows to repeat them)");
  if (type.scalar == ScalarType::float32)
    for (double& x : d.reals) x = static_cast<float>(x);
  return d;
}

}  // namespace dfsim::graph::detail
