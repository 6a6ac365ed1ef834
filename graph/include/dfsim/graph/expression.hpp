#pragma once
// The native expressions of a graph's units (docs/graph-files.md, "Expressions"), compiled
// once and evaluated with no foreign code involved. Built on muparser, with a fast path for
// the simplest forms (a variable plus, minus or times a constant), which muparser's
// per-evaluation cost could not run at the engine's speed (docs/performance.md).
//
//   Expression e("exp(a * b)", {{"a", {ScalarType::float64}}, {"b", {ScalarType::float64}}},
//                {ScalarType::float64});
//   double vars[] = {1.0, 2.0};
//   ...
//
// Vectors: an expression whose result is a vector is evaluated once per component, with each
// vector variable standing for its component and each scalar for itself. sum(E) and dot(x, y)
// (= sum(x * y)) reduce an element-wise expression over the components to a scalar.
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dfsim/graph/value.hpp"

namespace dfsim::graph {

struct Variable {
  std::string name;
  ElementType type{};
};

class Expression {
 public:
  // Throws std::invalid_argument: a syntax error, an unknown variable or function (naming it
  // and listing the variables), vectors of different sizes, a vector result from scalars.
  Expression(const std::string& text, std::vector<Variable> variables, ElementType result);
  ~Expression();
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) = delete;
  Expression(const Expression&) = delete;

  // The value for `values` (one per variable, in order); a vector result is made in `pool`.
  // float32 results are rounded to float. Not thread-safe: one Expression per unit.
  Value evaluate(std::span<const Value> values, VectorPool& pool) const;

  // The fast path's form, when the text is one: result = variable OP constant.
  enum class Op { none, add, subtract, multiply };
  struct Simple {
    Op op = Op::none;
    double constant = 0;
    std::int64_t integer_constant = 0;
    std::size_t variable = 0;
  };
  const Simple& simple() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dfsim::graph
