#include "dfsim/graph/value.hpp"

#include <cstdlib>
#include <map>
#include <new>
#include <stdexcept>
#include <unordered_set>

namespace dfsim::graph {

const char* to_string(ScalarType t) noexcept {
  switch (t) {
    case ScalarType::float64: return "float64";
    case ScalarType::float32: return "float32";
    case ScalarType::int64: return "int64";
  }
  return "?";
}

std::string ElementType::to_string() const {
  std::string s = graph::to_string(scalar);
  if (dims > 0) s += "[" + std::to_string(dims) + "]";
  return s;
}

ElementType parse_element_type(std::string_view text) {
  const std::string allowed = "float64, float32, int64, or float64[d] / float32[d] for a vector of d values";
  const std::string quoted = "'" + std::string(text) + "'";
  ElementType t;
  std::string_view scalar = text;
  if (auto open = text.find('['); open != std::string_view::npos) {
    if (text.back() != ']') throw std::invalid_argument(quoted + " is not a type: " + allowed);
    scalar = text.substr(0, open);
    const std::string digits(text.substr(open + 1, text.size() - open - 2));
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 9 || std::stoul(digits) == 0)
      throw std::invalid_argument(quoted + ": the vector size d is a whole number >= 1");
    t.dims = static_cast<std::uint32_t>(std::stoul(digits));
  }
  if (scalar == "float64") t.scalar = ScalarType::float64;
  else if (scalar == "float32") t.scalar = ScalarType::float32;
  else if (scalar == "int64" && t.dims == 0) t.scalar = ScalarType::int64;
  else throw std::invalid_argument(quoted + " is not a type: " + allowed);
  return t;
}

// Freed blocks are kept per size for reuse (a unit that makes a vector per step then finds
// one ready); every block ever made is known, so the pool frees what channels still hold.
struct VectorPool::Impl {
  std::mutex mutex;
  std::map<std::uint32_t, std::vector<VectorData*>> free_blocks;
  std::unordered_set<VectorData*> all;
  std::size_t live = 0;
};

VectorPool::VectorPool() : impl_(std::make_unique<Impl>()) {}

VectorPool::~VectorPool() {
  for (VectorData* v : impl_->all) {
    v->~VectorData();
    ::operator delete(v);
  }
}

Value VectorPool::make(std::uint32_t dims) {
  std::lock_guard lock(impl_->mutex);
  ++impl_->live;
  auto& blocks = impl_->free_blocks[dims];
  if (!blocks.empty()) {
    VectorData* v = blocks.back();
    blocks.pop_back();
    v->refs.store(1, std::memory_order_relaxed);
    return Value::vector(v);
  }
  void* raw = ::operator new(sizeof(VectorData) + sizeof(double) * dims);
  auto* v = new (raw) VectorData;
  v->dims = dims;
  impl_->all.insert(v);
  return Value::vector(v);
}

Value VectorPool::make(std::span<const double> values) {
  Value v = make(static_cast<std::uint32_t>(values.size()));
  std::copy(values.begin(), values.end(), v.vector()->values());
  return v;
}

void VectorPool::release(Value v) noexcept {
  VectorData* data = v.vector();
  if (data->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::lock_guard lock(impl_->mutex);
  --impl_->live;
  try {
    impl_->free_blocks[data->dims].push_back(data);
  } catch (...) {
    // Out of memory for the free list: the block stays allocated until the pool goes.
  }
}

std::size_t VectorPool::live() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->live;
}

}  // namespace dfsim::graph
