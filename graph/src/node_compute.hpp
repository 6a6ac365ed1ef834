#pragma once
// What one step of a built Map, Reduce, Scan, Repeat or source computes, over Values whose
// types the spec gives: expressions, a foreign step, the identity (Repeat), or a source's
// data. It also keeps the vectors' reference counts (value.hpp): a step's vector inputs are
// released once the step is done with them (a per-row input at the row's last step), and a
// value written to several channels holds one reference per channel.
#include <cstdint>
#include <optional>
#include <vector>

#include "dfsim/graph/expression.hpp"
#include "dfsim/graph/graph_spec.hpp"

namespace dfsim::graph::detail {

class NodeCompute {
 public:
  // `data`: a source's values (already read); `sender_port`: each flattened Sender's port.
  NodeCompute(const NodeSpec& node, std::vector<ElementType> input_types,
              std::vector<ElementType> port_types, std::vector<std::size_t> sender_port,
              Data data, VectorPool& pool);

  Value initial_state() const;
  // At a row's start (after the first): a Scan's state is its own, a Reduce's was handed on.
  void reset_state(Value& acc) const;
  // this when the state is a vector (whose reference the step state holds), else null.
  NodeCompute* owned_state() noexcept { return state_type_.is_vector() ? this : nullptr; }
  void release_state(Value acc) const { pool_->release(acc); }

  // One step; `senders` receives one value per Sender (each holding its own reference).
  void map(const Value* in, std::uint64_t step_in_row, Value* senders);
  void fold(const Value* in, std::uint64_t step_in_row, Value& acc);
  void scan(const Value* in, std::uint64_t step_in_row, Value& acc, Value* senders);
  // A Reduce's output at the row's end: the state, handed on.
  void take(Value& acc, Value* senders);
  // Element n of a source's stream.
  void emit(std::uint64_t n, Value* senders);

  std::size_t sender_count() const noexcept { return sender_port_.size(); }

 private:
  void compute_ports(const Value* in, const Value* acc, std::vector<Value>& ports);
  void fan_out(std::vector<Value>& ports, Value* senders);
  void release_inputs(const Value* in, std::uint64_t step_in_row);
  Value round_result(Value v, const ElementType& t) const;
  void foreign_step(const Value* in, Value* acc, std::vector<Value>& ports);
  // Reduce and Scan: the new state from the inputs and the old one (`acc` in the expression).
  void update_state(const Value* in, Value& acc);

  NodeKind kind_;
  std::vector<ElementType> input_types_, port_types_;
  std::vector<std::size_t> sender_port_;
  std::vector<bool> per_row_;
  std::uint64_t row_length_ = 1;
  ElementType state_type_{};
  std::vector<double> init_;
  std::vector<Expression> outputs_;
  std::optional<Expression> update_;
  ForeignStep foreign_;
  Data data_;
  VectorPool* pool_;
  std::vector<Value> scratch_;  // the inputs, then acc, for the expressions
  std::vector<Value> ports_;
};

// The variables a node's expressions see: its inputs (named by compute.variables, or a, b,
// c, ...), then `acc` for a Reduce or Scan.
std::vector<Variable> expression_variables(const NodeSpec& node,
                                           const std::vector<ElementType>& input_types,
                                           std::optional<ElementType> state_type);
std::string default_variable(std::size_t input);

// The units' options a node runs with (a Repeat is a Map with one per-row input and rows of
// `repeat_count`; a source has `source_rows` rows).
units::UnitOptions unit_options(const NodeSpec& node, std::optional<std::uint64_t> source_rows);

}  // namespace dfsim::graph::detail
