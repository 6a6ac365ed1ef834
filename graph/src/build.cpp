#include "dfsim/graph/build.hpp"

#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "dfsim/engine/bulk.hpp"
#include "dfsim/engine/errors.hpp"
#include "dfsim/graph/validate.hpp"
#include "dfsim/units/detail/step_unit.hpp"
#include "dfsim/units/map.hpp"
#include "dfsim/units/source.hpp"
#include "data_files.hpp"
#include "sinks.hpp"
#include "step_kind.hpp"

namespace dfsim::graph {
namespace {

using Receivers = std::vector<Receiver<Value>>;
using Senders = std::vector<Sender<Value>>;

// The channel ends of every channel, taken by the nodes as they are built.
struct Ends {
  std::map<std::string, std::pair<Sender<Value>, Receiver<Value>>> by_name;
  std::map<std::string, ElementType> types;
};

// ---- Map, Reduce, Scan, Repeat and sources: the units' step loop ----

template <class Unit, std::size_t... I, std::size_t... S>
Process start_unit(const Unit& unit, Context& ctx, Receivers& ins, Senders& outs,
                   std::index_sequence<I...>, std::index_sequence<S...>) {
  return unit(ctx, std::move(ins[I])..., std::move(outs[S])...);
}

template <std::size_t NI, std::size_t NS, class Kind>
void add_unit_as(Program& g, const std::string& name, Kind kind, units::UnitOptions options,
                 Receivers ins, Senders outs) {
  auto body = [unit = units::detail::StepUnit<Kind>(std::move(kind), std::move(options))](
                  Context& ctx, Receivers in, Senders out) {
    return start_unit(unit, ctx, in, out, std::make_index_sequence<NI>{},
                      std::make_index_sequence<NS>{});
  };
  g.add(name, std::move(body), std::move(ins), std::move(outs));
}

constexpr std::size_t kMaxInputs = 4, kMaxSenders = 4;

template <std::size_t NI, std::size_t NS>
void add_unit(Program& g, const std::string& name, NodeKind kind,
              std::shared_ptr<detail::NodeCompute> compute, units::UnitOptions options,
              Receivers ins, Senders outs) {
  if (kind == NodeKind::reduce) {
    if constexpr (NI > 0)
      add_unit_as<NI, NS>(g, name, detail::ReduceStepKind<NS>{std::move(compute)}, std::move(options),
                          std::move(ins), std::move(outs));
  } else {
    add_unit_as<NI, NS>(g, name, detail::EveryStepKind<NS>{std::move(compute), kind},
                        std::move(options), std::move(ins), std::move(outs));
  }
}

using UnitAdder = void (*)(Program&, const std::string&, NodeKind, std::shared_ptr<detail::NodeCompute>,
                           units::UnitOptions, Receivers, Senders);

template <std::size_t... K>
constexpr auto unit_adders(std::index_sequence<K...>) {
  return std::array<UnitAdder, sizeof...(K)>{&add_unit<K / kMaxSenders, K % kMaxSenders + 1>...};
}
constexpr auto kUnitAdders = unit_adders(std::make_index_sequence<(kMaxInputs + 1) * kMaxSenders>{});

// ---- the bulk path: a one-input, one-output scalar Map in its simplest configuration ----

// A scalar Map of one input and one Sender that units::map runs as an element-wise stage
// (units::detail::is_element_wise): it moves the elements that need no wait in bulk, with
// the step loop's cycles, and the arithmetic a simple expression is, without the interpreter.
bool takes_bulk_path(const NodeSpec& node, const Ends& ends) {
  if (node.kind != NodeKind::map || node.compute.foreign) return false;
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.outputs[0].size() != 1) return false;
  if (ends.types.at(node.inputs[0]).is_vector() || ends.types.at(node.outputs[0][0]).is_vector())
    return false;
  return units::detail::is_element_wise(detail::unit_options(node, std::nullopt));
}

void add_bulk_map(Program& g, const NodeSpec& node, Ends& ends, VectorPool& pool,
                  Receivers ins, Senders outs) {
  const ElementType in_type = ends.types.at(node.inputs[0]);
  const ElementType out_type = ends.types.at(node.outputs[0][0]);
  auto expression = std::make_shared<Expression>(
      node.compute.outputs.at(0), detail::expression_variables(node, {in_type}, std::nullopt),
      out_type);
  const Expression::Simple s = expression->simple();
  auto add = [&](auto fn) {
    g.add(node.name, units::map(std::move(fn), detail::unit_options(node, std::nullopt)), std::move(ins[0]),
          std::move(outs[0]));
  };
  using Op = Expression::Op;
  if (s.op != Op::none && out_type.scalar == ScalarType::int64) {
    const std::uint64_t c = static_cast<std::uint64_t>(s.integer_constant);
    // Wrapping, as two's complement hardware does.
    if (s.op == Op::add) return add([c](Value v) { return Value::integer(static_cast<std::int64_t>(v.bits() + c)); });
    if (s.op == Op::subtract) return add([c](Value v) { return Value::integer(static_cast<std::int64_t>(v.bits() - c)); });
    return add([c](Value v) { return Value::integer(static_cast<std::int64_t>(v.bits() * c)); });
  }
  if (s.op != Op::none && out_type.scalar == ScalarType::float64) {
    const double c = s.constant;
    if (s.op == Op::add) return add([c](Value v) { return Value::real(v.real() + c); });
    if (s.op == Op::subtract) return add([c](Value v) { return Value::real(v.real() - c); });
    return add([c](Value v) { return Value::real(v.real() * c); });
  }
  add([expression, &pool](Value v) { return expression->evaluate({&v, 1}, pool); });
}

// A scalar source of one Sender with no per-row delay: units::source, whose writes run in
// bulk where there is credit. Element n = row x row_length + j of the data, as the step loop's.
auto bulk_source(std::shared_ptr<detail::NodeCompute> compute, units::Timing timing,
                 std::uint64_t row_length, std::uint64_t rows) {
  auto unit = units::source(
      [compute = std::move(compute), row_length](std::uint64_t row, std::uint64_t j) {
        Value v;
        compute->emit(row * row_length + j, &v);
        return v;
      },
      {.timing = timing, .row_length = row_length, .rows = rows});
  return [unit = std::move(unit)](Context& ctx, Senders outs) { return unit(ctx, std::move(outs[0])); };
}

bool takes_bulk_source(const NodeSpec& node, const ElementType& type) {
  return node.outputs.size() == 1 && node.outputs[0].size() == 1 && !type.is_vector() &&
         node.timing.per_row_delay == 0;
}

Process no_elements() { co_return; }

}  // namespace

struct BuiltGraph::Impl {
  VectorPool pool;  // first: it outlives the Program, whose channels may hold vectors
  Program program;
  std::vector<std::unique_ptr<KeptValues>> kept;
  bool ran = false;

  void build(const GraphSpec& spec);
  void add_node(const NodeSpec& node, Ends& ends, const GraphSpec& spec);
  void add_sink(const NodeSpec& node, Ends& ends, const GraphSpec& spec);
  void add_custom(const NodeSpec& node, Ends& ends);
};

namespace {

Receivers take_inputs(const NodeSpec& node, Ends& ends) {
  Receivers r;
  for (const auto& c : node.inputs) r.push_back(std::move(ends.by_name.at(c).second));
  return r;
}
Senders take_outputs(const NodeSpec& node, Ends& ends) {
  Senders s;
  for (const auto& port : node.outputs)
    for (const auto& c : port) s.push_back(std::move(ends.by_name.at(c).first));
  return s;
}

}  // namespace

void BuiltGraph::Impl::build(const GraphSpec& spec) {
  validate(spec);
  Ends ends;
  for (const ChannelSpec& c : spec.channels) {
    ends.by_name.emplace(c.name, program.channel<Value>(c.name, {.capacity = c.capacity,
                                                                 .latency = c.latency,
                                                                 .response_latency = c.response_latency}));
    ends.types.emplace(c.name, c.type);
  }
  for (const NodeSpec& node : spec.nodes) add_node(node, ends, spec);
}

void BuiltGraph::Impl::add_node(const NodeSpec& node, Ends& ends, const GraphSpec& spec) {
  if (node.kind == NodeKind::sink) return add_sink(node, ends, spec);
  if (node.kind == NodeKind::custom) return add_custom(node, ends);
  std::vector<ElementType> input_types, port_types;
  for (const auto& c : node.inputs) input_types.push_back(ends.types.at(c));
  std::vector<std::size_t> sender_port;
  for (std::size_t p = 0; p < node.outputs.size(); ++p) {
    port_types.push_back(ends.types.at(node.outputs[p].at(0)));
    sender_port.insert(sender_port.end(), node.outputs[p].size(), p);
  }
  Receivers ins = take_inputs(node, ends);
  Senders outs = take_outputs(node, ends);
  if (takes_bulk_path(node, ends)) return add_bulk_map(program, node, ends, pool, std::move(ins), std::move(outs));
  Data data;
  std::uint64_t source_rows = 0;
  if (node.kind == NodeKind::source) {
    data = detail::load_data(node, port_types[0], spec.base_dir);
    const std::size_t width = port_types[0].is_vector() ? port_types[0].dims : 1;
    const std::size_t count =
        (port_types[0].scalar == ScalarType::int64 ? data.integers.size() : data.reals.size()) / width;
    source_rows = node.rows.value_or(count / node.row_length);
    if (count == 0 || source_rows == 0) {
      program.add(node.name, [](Context&, Senders) { return no_elements(); }, std::move(outs));
      return;
    }
  }
  auto compute = std::make_shared<detail::NodeCompute>(node, input_types, port_types, sender_port,
                                                       std::move(data), pool);
  if (node.kind == NodeKind::source && takes_bulk_source(node, port_types[0])) {
    program.add(node.name, bulk_source(std::move(compute), node.timing, node.row_length, source_rows),
                std::move(outs));
    return;
  }
  const std::size_t slot = ins.size() * kMaxSenders + outs.size() - 1;
  kUnitAdders.at(slot)(program, node.name, node.kind, std::move(compute),
                       detail::unit_options(node, source_rows), std::move(ins), std::move(outs));
}

void BuiltGraph::Impl::add_custom(const NodeSpec& node, Ends& ends) {
  std::vector<ElementType> input_types, output_types;
  for (const auto& c : node.inputs) input_types.push_back(ends.types.at(c));
  for (const auto& port : node.outputs)
    for (const auto& c : port) output_types.push_back(ends.types.at(c));
  auto body = [custom = node.custom, input_types, output_types, pool = &pool](
                  Context& ctx, Receivers ins, Senders outs) {
    return custom(ctx, CustomEnds{.inputs = std::move(ins),
                                  .input_types = input_types,
                                  .outputs = std::move(outs),
                                  .output_types = output_types,
                                  .vectors = pool});
  };
  program.add(node.name, std::move(body), take_inputs(node, ends), take_outputs(node, ends));
}

void BuiltGraph::Impl::add_sink(const NodeSpec& node, Ends& ends, const GraphSpec& spec) {
  const ElementType type = ends.types.at(node.inputs.at(0));
  Receiver<Value> in = std::move(ends.by_name.at(node.inputs[0]).second);
  switch (node.sink) {
    case SinkMode::keep: {
      kept.push_back(std::make_unique<KeptValues>(
          KeptValues{.sink = node.name, .channel = node.inputs[0], .type = type}));
      program.add(node.name, detail::keep_sink(kept.back().get(), &pool), std::move(in));
      return;
    }
    case SinkMode::discard:
      program.add(node.name, detail::discard_sink(type, &pool), std::move(in));
      return;
    case SinkMode::check:
      program.add(node.name,
                  detail::check_sink(type, detail::load_data(node, type, spec.base_dir),
                                     node.abs_tolerance, node.rel_tolerance, &pool),
                  std::move(in));
      return;
  }
}

BuiltGraph::BuiltGraph(const GraphSpec& spec) : impl_(std::make_unique<Impl>()) { impl_->build(spec); }
BuiltGraph::~BuiltGraph() = default;
BuiltGraph::BuiltGraph(BuiltGraph&&) noexcept = default;
BuiltGraph& BuiltGraph::operator=(BuiltGraph&&) noexcept = default;

Program& BuiltGraph::program() noexcept { return impl_->program; }
const VectorPool& BuiltGraph::vectors() const noexcept { return impl_->pool; }

GraphRun BuiltGraph::run(const RunOptions& options) {
  GraphRun r{.result = dfsim::run(impl_->program, options)};
  for (const auto& k : impl_->kept) r.kept.push_back(*k);
  return r;
}

GraphRun run(const GraphSpec& spec, const RunOptions& options) { return BuiltGraph(spec).run(options); }

}  // namespace dfsim::graph
