#include "node_compute.hpp"

#include <stdexcept>

namespace dfsim::graph::detail {

std::string default_variable(std::size_t input) {
  return std::string(1, static_cast<char>('a' + input));
}

std::vector<Variable> expression_variables(const NodeSpec& node,
                                           const std::vector<ElementType>& input_types,
                                           std::optional<ElementType> state_type) {
  std::vector<Variable> vars;
  for (std::size_t i = 0; i < input_types.size(); ++i)
    vars.push_back({i < node.compute.variables.size() ? node.compute.variables[i] : default_variable(i),
                    input_types[i]});
  if (state_type) vars.push_back({"acc", *state_type});
  return vars;
}

units::UnitOptions unit_options(const NodeSpec& node, std::optional<std::uint64_t> source_rows) {
  units::UnitOptions o{.timing = node.timing,
                       .row_length = node.row_length,
                       .rows = node.rows,
                       .per_row_inputs = node.per_row_inputs,
                       .input_discipline = node.input_discipline,
                       .output_discipline = node.output_discipline};
  if (node.kind == NodeKind::repeat) {
    o.row_length = node.repeat_count;
    o.per_row_inputs = {0};
    o.input_discipline = o.output_discipline = units::Discipline::together;
  }
  if (node.kind == NodeKind::source) {
    o.rows = source_rows;
    o.per_row_inputs.clear();
  }
  return o;
}

NodeCompute::NodeCompute(const NodeSpec& node, std::vector<ElementType> input_types,
                         std::vector<ElementType> port_types, std::vector<std::size_t> sender_port,
                         Data data, VectorPool& pool)
    : kind_(node.kind),
      input_types_(std::move(input_types)),
      port_types_(std::move(port_types)),
      sender_port_(std::move(sender_port)),
      row_length_(node.kind == NodeKind::repeat ? node.repeat_count : node.row_length),
      init_(node.compute.init),
      foreign_(node.compute.foreign),
      data_(std::move(data)),
      pool_(&pool) {
  per_row_.assign(input_types_.size(), false);
  for (std::size_t i : node.per_row_inputs) per_row_[i] = true;
  if (kind_ == NodeKind::repeat) per_row_[0] = true;
  const bool stateful = kind_ == NodeKind::reduce || kind_ == NodeKind::scan;
  std::optional<ElementType> state;
  if (stateful) state = state_type_ = node.compute.state_type.value_or(port_types_.at(0));
  scratch_.resize(input_types_.size() + (stateful ? 1 : 0));
  ports_.resize(port_types_.size());
  if (foreign_ || kind_ == NodeKind::repeat || kind_ == NodeKind::source) return;
  auto vars = expression_variables(node, input_types_, state);
  if (stateful) update_.emplace(node.compute.update, vars, state_type_);
  if (kind_ == NodeKind::map || (kind_ == NodeKind::scan && !node.compute.outputs.empty()))
    for (std::size_t p = 0; p < port_types_.size(); ++p)
      outputs_.emplace_back(node.compute.outputs.at(p), vars, port_types_[p]);
}

Value NodeCompute::initial_state() const {
  if (!state_type_.is_vector())
    return state_type_.scalar == ScalarType::int64
               ? Value::integer(init_.empty() ? 0 : static_cast<std::int64_t>(init_[0]))
               : round_result(Value::real(init_.empty() ? 0.0 : init_[0]), state_type_);
  Value v = pool_->make(state_type_.dims);
  auto out = VectorPool::values(v);
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = init_.empty() ? 0.0 : init_[k];
  return round_result(v, state_type_);
}

void NodeCompute::reset_state(Value& acc) const {
  if (kind_ == NodeKind::scan && state_type_.is_vector()) pool_->release(acc);
  acc = initial_state();
}

Value NodeCompute::round_result(Value v, const ElementType& t) const {
  if (t.scalar != ScalarType::float32) return v;
  if (!t.is_vector()) return Value::real(static_cast<float>(v.real()));
  for (double& x : VectorPool::values(v)) x = static_cast<float>(x);
  return v;
}

void NodeCompute::fan_out(std::vector<Value>& ports, Value* senders) {
  // Every Sender after a port's first gets a reference of its own.
  for (std::size_t s = 0; s < sender_port_.size(); ++s) {
    const std::size_t p = sender_port_[s];
    senders[s] = ports[p];
    if (port_types_[p].is_vector() && s > 0 && sender_port_[s - 1] == p) VectorPool::retain(ports[p]);
  }
}

void NodeCompute::release_inputs(const Value* in, std::uint64_t step_in_row) {
  for (std::size_t i = 0; i < input_types_.size(); ++i)
    if (input_types_[i].is_vector() && (!per_row_[i] || step_in_row + 1 == row_length_))
      pool_->release(in[i]);
}

void NodeCompute::foreign_step(const Value* in, Value* acc, std::vector<Value>& ports) {
  StepArgs args{.inputs = {in, input_types_.size()},
                .input_types = input_types_,
                .state = acc,
                .state_type = state_type_,
                .outputs = ports,
                .output_types = port_types_,
                .vectors = pool_};
  if (kind_ == NodeKind::reduce) args.outputs = {};
  foreign_(args);
  if (acc) *acc = round_result(*acc, state_type_);
  if (kind_ != NodeKind::reduce)
    for (std::size_t p = 0; p < ports.size(); ++p) ports[p] = round_result(ports[p], port_types_[p]);
}

void NodeCompute::compute_ports(const Value* in, const Value* acc, std::vector<Value>& ports) {
  std::copy(in, in + input_types_.size(), scratch_.begin());
  if (acc) scratch_.back() = *acc;
  for (std::size_t p = 0; p < ports.size(); ++p) ports[p] = outputs_[p].evaluate(scratch_, *pool_);
}

void NodeCompute::map(const Value* in, std::uint64_t step_in_row, Value* senders) {
  if (kind_ == NodeKind::repeat) {
    ports_[0] = in[0];
    if (input_types_[0].is_vector()) VectorPool::retain(in[0]);
  } else if (foreign_) {
    foreign_step(in, nullptr, ports_);
  } else {
    compute_ports(in, nullptr, ports_);
  }
  release_inputs(in, step_in_row);
  fan_out(ports_, senders);
}

void NodeCompute::update_state(const Value* in, Value& acc) {
  std::copy(in, in + input_types_.size(), scratch_.begin());
  scratch_.back() = acc;
  Value next = update_->evaluate(scratch_, *pool_);
  if (state_type_.is_vector()) pool_->release(acc);
  acc = next;
}

void NodeCompute::fold(const Value* in, std::uint64_t step_in_row, Value& acc) {
  if (foreign_) {
    foreign_step(in, &acc, ports_);
  } else {
    update_state(in, acc);
  }
  release_inputs(in, step_in_row);
}

void NodeCompute::scan(const Value* in, std::uint64_t step_in_row, Value& acc, Value* senders) {
  if (foreign_) {
    foreign_step(in, &acc, ports_);
  } else {
    update_state(in, acc);
    if (outputs_.empty()) {
      for (std::size_t p = 0; p < ports_.size(); ++p) {
        ports_[p] = acc;
        if (state_type_.is_vector()) VectorPool::retain(acc);
      }
    } else {
      compute_ports(in, &acc, ports_);
    }
  }
  release_inputs(in, step_in_row);
  fan_out(ports_, senders);
}

void NodeCompute::take(Value& acc, Value* senders) {
  for (std::size_t p = 0; p < ports_.size(); ++p) {
    ports_[p] = acc;
    if (state_type_.is_vector() && p > 0) VectorPool::retain(acc);
  }
  fan_out(ports_, senders);
}

void NodeCompute::emit(std::uint64_t n, Value* senders) {
  const ElementType& t = port_types_[0];
  const std::size_t width = t.is_vector() ? t.dims : 1;
  const std::size_t count = (t.scalar == ScalarType::int64 ? data_.integers.size() : data_.reals.size()) / width;
  const std::size_t i = n % count;
  if (t.is_vector())
    ports_[0] = pool_->make(std::span<const double>(data_.reals.data() + i * width, width));
  else if (t.scalar == ScalarType::int64)
    ports_[0] = Value::integer(data_.integers[i]);
  else
    ports_[0] = Value::real(data_.reals[i]);
  fan_out(ports_, senders);
}

}  // namespace dfsim::graph::detail
