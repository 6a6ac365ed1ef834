#pragma once
// The elements that flow through a graph built from a spec (graph_spec.hpp), and their types.
//
// Every channel of such a graph is a Channel<Value>: one 8-byte, trivially copyable element
// type for every unit, so that one instantiation of the units' step loop serves any node, and
// a channel's slot stays 32 bytes (a power of two, which the bulk moves' ring addressing needs
// for full speed). What the 8 bytes mean is the channel's ElementType, known from the spec:
//   float64: a double;  float32: a double already rounded to float;  int64: an int64;
//   a vector of d values: a pointer to a VectorData of a VectorPool (see below).
//
//   Value x = Value::real(2.5);      x.real()    == 2.5
//   Value n = Value::integer(-3);    n.integer() == -3
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dfsim::graph {

enum class ScalarType : std::uint8_t { float64, float32, int64 };

// "float64", "float32", "int64".
const char* to_string(ScalarType t) noexcept;

// A channel's elements: a scalar (dims 0), or a vector of `dims` values of `scalar`
// (float64 or float32 only).
//   ElementType{ScalarType::float32, 64}.to_string() == "float32[64]"
struct ElementType {
  ScalarType scalar = ScalarType::float64;
  std::uint32_t dims = 0;

  bool is_vector() const noexcept { return dims > 0; }
  std::string to_string() const;
  friend bool operator==(const ElementType&, const ElementType&) = default;
};

// "float64", "float32", "int64", "float64[d]", "float32[d]" (d >= 1), as ElementType::to_string
// writes them. Throws std::invalid_argument saying what is allowed.
//   parse_element_type("float32[64]") == ElementType{ScalarType::float32, 64}
ElementType parse_element_type(std::string_view text);

// The reference-counted storage of one vector element.
struct VectorData {
  std::atomic<std::uint32_t> refs{1};
  std::uint32_t dims = 0;
  double* values() noexcept { return reinterpret_cast<double*>(this + 1); }
  const double* values() const noexcept { return reinterpret_cast<const double*>(this + 1); }
  std::span<const double> view() const noexcept { return {values(), dims}; }
};

class Value {
 public:
  Value() = default;
  static Value real(double v) noexcept { return Value(std::bit_cast<std::uint64_t>(v)); }
  static Value integer(std::int64_t v) noexcept { return Value(static_cast<std::uint64_t>(v)); }
  static Value vector(VectorData* v) noexcept {
    return Value(reinterpret_cast<std::uintptr_t>(v));
  }

  double real() const noexcept { return std::bit_cast<double>(bits_); }
  std::int64_t integer() const noexcept { return static_cast<std::int64_t>(bits_); }
  VectorData* vector() const noexcept { return reinterpret_cast<VectorData*>(bits_); }
  std::uint64_t bits() const noexcept { return bits_; }

  friend bool operator==(const Value&, const Value&) = default;

 private:
  explicit Value(std::uint64_t bits) noexcept : bits_(bits) {}
  std::uint64_t bits_ = 0;
};
static_assert(sizeof(Value) == 8);

// Where a built graph's vectors live. Values are copied bit for bit through channels, so a
// vector's references are counted by the code that knows a channel's type (the built units,
// the hooks): whoever holds a vector Value holds one reference and either hands it on (a push
// hands its reference to the channel) or releases it. Everything still allocated (elements
// left in channels by a deadlock, say) is freed with the pool, so nothing leaks.
// Thread-safe: units on different threads make and release vectors.
//
//   Value v = pool.make(std::vector{1.0, 2.0});   // one reference
//   pool.retain(v);                               // two: e.g. for a fan-out to two channels
//   pool.release(v); pool.release(v);             // storage back to the pool
class VectorPool {
 public:
  VectorPool();
  ~VectorPool();
  VectorPool(const VectorPool&) = delete;
  VectorPool& operator=(const VectorPool&) = delete;

  // A new vector of `dims` values (uninitialized), holding one reference.
  Value make(std::uint32_t dims);
  // A new vector holding a copy of `values`, one reference.
  Value make(std::span<const double> values);
  static void retain(Value v, std::uint32_t count = 1) noexcept {
    v.vector()->refs.fetch_add(count, std::memory_order_relaxed);
  }
  void release(Value v) noexcept;
  static std::span<const double> view(Value v) noexcept { return v.vector()->view(); }
  static std::span<double> values(Value v) noexcept {
    return {v.vector()->values(), v.vector()->dims};
  }
  // Vectors made and not yet released (for tests: 0 after a completed run).
  std::size_t live() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dfsim::graph
