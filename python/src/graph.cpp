// Graphs of your own from Python (python/dfsim/graph.py): a GraphSpec built field by field, the
// two hooks that run Python (a step function for a Map/Reduce/Scan, a generator that is a whole
// context), and the run with the GIL released, so that native units run with no Python at all
// and only the hooks take the GIL.
#include <pybind11/numpy.h>
#include <pybind11/operators.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "dfsim/engine/dot.hpp"
#include "dfsim/engine/select.hpp"
#include "dfsim/engine/trace.hpp"
#include "dfsim/graph/build.hpp"
#include "dfsim/graph/dot.hpp"
#include "dfsim/graph/json.hpp"
#include "dfsim/graph/validate.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

using graph::ElementType;
using graph::ScalarType;
using graph::Value;
using graph::VectorPool;

// A Python object that simulation threads may copy and drop without holding the GIL: the
// shared_ptr's count is C++'s, and the last owner takes the GIL to release the object.
using Shared = std::shared_ptr<py::object>;
Shared share(py::object o) {
  return Shared(new py::object(std::move(o)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}

// ---- values between the graph and Python (the GIL held) ----

py::object to_python(Value v, const ElementType& t) {
  if (t.is_vector()) {
    std::span<const double> values = VectorPool::view(v);
    if (t.scalar == ScalarType::float32) {
      py::array_t<float> a(static_cast<py::ssize_t>(values.size()));
      for (std::size_t i = 0; i < values.size(); ++i) a.mutable_at(i) = static_cast<float>(values[i]);
      return a;
    }
    py::array_t<double> a(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), a.mutable_data());
    return a;
  }
  if (t.scalar == ScalarType::int64) return py::int_(v.integer());
  return py::float_(v.real());
}

std::string describe(py::handle h) {
  std::string text = py::repr(h).cast<std::string>();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text + " (" + py::type::of(h).attr("__name__").cast<std::string>() + ")";
}

// `what` says whose value it is ("unit 'inc' output 0"), for the message of a wrong one.
Value from_python(py::handle h, const ElementType& t, VectorPool& pool, const std::string& what) {
  if (t.is_vector()) {
    py::array a = py::array::ensure(h);
    if (!a || a.ndim() != 1 || a.shape(0) != static_cast<py::ssize_t>(t.dims) ||
        a.dtype().kind() == 'O')
      throw std::invalid_argument(what + ": expected a 1-D array of " + std::to_string(t.dims) +
                                  " numbers (" + t.to_string() + "), got " + describe(h));
    auto values = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
    Value v = pool.make(std::span<const double>(values.data(), t.dims));
    if (t.scalar == ScalarType::float32)
      for (double& x : VectorPool::values(v)) x = static_cast<float>(x);
    return v;
  }
  if (t.scalar == ScalarType::int64) {
    if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
      throw std::invalid_argument(what + ": expected an integer (int64), got " + describe(h));
    return Value::integer(py::cast<std::int64_t>(py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()))));
  }
  if (PyBool_Check(h.ptr()) || !(PyFloat_Check(h.ptr()) || PyIndex_Check(h.ptr()) ||
                                 py::hasattr(h, "__float__")) ||
      py::isinstance<py::array>(h))
    throw std::invalid_argument(what + ": expected a number (" + t.to_string() + "), got " + describe(h));
  const double x = py::cast<double>(py::float_(py::reinterpret_borrow<py::object>(h)));
  return Value::real(t.scalar == ScalarType::float32 ? static_cast<float>(x) : x);
}

// A Python error as the message a failed unit reports: "ValueError: negative input".
[[noreturn]] void rethrow_python(const py::error_already_set& e) {
  std::string text = py::type::handle_of(e.value()).attr("__name__").cast<std::string>();
  const std::string message = py::str(e.value()).cast<std::string>();
  if (!message.empty()) text += ": " + message;
  throw std::runtime_error(text);
}

// ---- a Map, Reduce or Scan computing with a Python callable ----
//   Map:    fn(*inputs) -> a value, or a tuple of one per output port
//   Reduce: fn(acc, *inputs) -> the new acc
//   Scan:   fn(acc, *inputs) -> the new acc (every port writes it), or (acc, *outputs)

void store_outputs(const graph::StepArgs& a, py::handle result, const std::string& unit) {
  const std::size_t ports = a.outputs.size();
  if (ports == 1 && !py::isinstance<py::tuple>(result)) {
    a.outputs[0] = from_python(result, a.output_types[0], *a.vectors, "unit '" + unit + "' output");
    return;
  }
  if (!py::isinstance<py::tuple>(result) || py::len(result) != ports)
    throw std::invalid_argument("unit '" + unit + "': expected a tuple of " + std::to_string(ports) +
                                " values (one per output port), got " + describe(result));
  py::tuple t = py::reinterpret_borrow<py::tuple>(result);
  for (std::size_t p = 0; p < ports; ++p)
    a.outputs[p] = from_python(t[p], a.output_types[p], *a.vectors,
                               "unit '" + unit + "' output " + std::to_string(p));
}

void store_state(const graph::StepArgs& a, py::handle acc, const std::string& unit) {
  Value next = from_python(acc, a.state_type, *a.vectors, "unit '" + unit + "' state (acc)");
  if (a.state_type.is_vector()) a.vectors->release(*a.state);
  *a.state = next;
}

graph::ForeignStep python_step(Shared fn, graph::NodeKind kind, std::string unit) {
  return [fn = std::move(fn), kind, unit = std::move(unit)](const graph::StepArgs& a) {
    py::gil_scoped_acquire gil;
    try {
      const bool stateful = kind != graph::NodeKind::map;
      py::tuple args(a.inputs.size() + (stateful ? 1 : 0));
      std::size_t k = 0;
      if (stateful) args[k++] = to_python(*a.state, a.state_type);
      for (std::size_t i = 0; i < a.inputs.size(); ++i) args[k++] = to_python(a.inputs[i], a.input_types[i]);
      py::object result = (*fn)(*args);
      if (kind == graph::NodeKind::map) return store_outputs(a, result, unit);
      if (kind == graph::NodeKind::scan && py::isinstance<py::tuple>(result)) {
        py::tuple t = result.cast<py::tuple>();
        if (t.size() != a.outputs.size() + 1)
          throw std::invalid_argument("unit '" + unit + "': a scan returns acc, or (acc, then one value per output port: " +
                                      std::to_string(a.outputs.size()) + "), got " + describe(result));
        store_state(a, t[0], unit);
        store_outputs(a, a.outputs.size() == 1 ? py::object(t[1]) : py::object(t[py::slice(1, t.size(), 1)]), unit);
        return;
      }
      store_state(a, result, unit);
      for (std::size_t p = 0; p < a.outputs.size(); ++p) {
        a.outputs[p] = *a.state;
        if (a.state_type.is_vector()) VectorPool::retain(*a.state);
      }
    } catch (const py::error_already_set& e) {
      rethrow_python(e);
    }
  };
}

// ---- a custom context written as a Python generator ----
// The generator yields operations (python/dfsim/graph.py makes them); the coroutine performs
// each with the engine's awaitables and sends the result back in. Codes as in graph.py.
enum class OpCode { pop = 0, peek = 1, push = 2, advance = 3, select = 4, done = 5 };

struct Op {
  OpCode code = OpCode::done;
  std::size_t end = 0;             // pop, peek, push: the input or output index
  Value value{};                   // push: owns a vector's reference
  std::optional<Cycle> latency;    // push: a pipeline depth P
  std::optional<Cycle> stamp;      // push: an explicit stamp
  Cycle cycles = 0;                // advance
  std::vector<std::size_t> among;  // select: input indices
};

// What the last operation gave, sent into the generator at the next step.
struct Reply {
  enum class Kind { none, value, index } kind = Kind::none;
  Value value{};
  ElementType type{};
  bool owned = false;  // a popped vector (its reference): release once converted
  std::size_t index = 0;
};

// The generator's view of its context: the clock (valid while the run lasts).
struct ProcessClock {
  Context* ctx = nullptr;
};

std::size_t checked_index(py::handle h, std::size_t size, const char* what, const std::string& unit) {
  const auto i = h.cast<std::size_t>();
  if (i >= size)
    throw std::invalid_argument("process '" + unit + "': " + what + " end " + std::to_string(i) +
                                " does not exist (it has " + std::to_string(size) + ")");
  return i;
}

Op parse_op(py::handle yielded, graph::CustomEnds& ends, const std::string& unit) {
  if (!py::isinstance<py::tuple>(yielded) || py::len(yielded) == 0)
    throw std::invalid_argument("process '" + unit + "' yielded " + describe(yielded) +
                                ": yield an operation (end.pop(), end.peek(), end.push(v), "
                                "ctx.advance(n), ctx.select(...))");
  py::tuple t = py::reinterpret_borrow<py::tuple>(yielded);
  Op op;
  op.code = static_cast<OpCode>(t[0].cast<int>());
  switch (op.code) {
    case OpCode::pop:
    case OpCode::peek:
      op.end = checked_index(t[1], ends.inputs.size(), "input", unit);
      break;
    case OpCode::push:
      op.end = checked_index(t[1], ends.outputs.size(), "output", unit);
      if (!t[3].is_none()) op.latency = t[3].cast<Cycle>();
      if (!t[4].is_none()) op.stamp = t[4].cast<Cycle>();
      op.value = from_python(t[2], ends.output_types[op.end], *ends.vectors,
                             "process '" + unit + "' push to '" + ends.outputs[op.end].name() + "'");
      break;
    case OpCode::advance:
      op.cycles = t[1].cast<Cycle>();
      break;
    case OpCode::select:
      for (py::handle i : t[1].cast<py::tuple>())
        op.among.push_back(checked_index(i, ends.inputs.size(), "input", unit));
      if (op.among.empty())
        throw std::invalid_argument("process '" + unit + "': select() needs at least one input");
      break;
    default:
      throw std::invalid_argument("process '" + unit + "' yielded an unknown operation " + describe(yielded));
  }
  return op;
}

// Sends `reply` into the generator (started by the first call) and reads its next operation.
Op next_op(Shared& generator, const Shared& factory, Reply& reply, graph::CustomEnds& ends,
           ProcessClock& clock, const std::string& unit) {
  py::gil_scoped_acquire gil;
  try {
    if (!generator) {
      generator = share((*factory)(py::cast(&clock, py::return_value_policy::reference)));
      if (!py::hasattr(*generator, "send"))
        throw std::invalid_argument("process '" + unit + "': its function must be a generator "
                                    "(a def with yield), it returned " + describe(*generator));
    }
    py::object sent = py::none();
    if (reply.kind == Reply::Kind::value) {
      sent = to_python(reply.value, reply.type);
      if (reply.owned) ends.vectors->release(reply.value);
    } else if (reply.kind == Reply::Kind::index) {
      sent = py::int_(reply.index);
    }
    reply = {};
    py::object yielded;
    try {
      yielded = generator->attr("send")(sent);
    } catch (py::error_already_set& e) {
      if (e.matches(PyExc_StopIteration)) return {};
      throw;
    }
    return parse_op(yielded, ends, unit);
  } catch (const py::error_already_set& e) {
    rethrow_python(e);
  }
}

Process python_process(Context& ctx, graph::CustomEnds ends, Shared factory) {
  ProcessClock clock{&ctx};
  Shared generator;
  Reply reply;
  const std::string unit = ctx.name();
  for (;;) {
    Op op = next_op(generator, factory, reply, ends, clock, unit);
    switch (op.code) {
      case OpCode::done:
        co_return;
      case OpCode::pop:
        if (std::optional<Value> v = co_await ends.inputs[op.end].pop())
          reply = {Reply::Kind::value, *v, ends.input_types[op.end], ends.input_types[op.end].is_vector()};
        break;
      case OpCode::peek:
        if (const Value* v = co_await ends.inputs[op.end].peek())
          reply = {Reply::Kind::value, *v, ends.input_types[op.end], false};
        break;
      case OpCode::push:
        if (op.stamp) co_await ends.outputs[op.end].push_at(op.value, *op.stamp);
        else if (op.latency) co_await ends.outputs[op.end].push(op.value, PipelineDepth{*op.latency});
        else co_await ends.outputs[op.end].push(op.value);
        break;
      case OpCode::advance:
        ctx.advance(op.cycles);
        break;
      case OpCode::select: {
        // The engine selects over contiguous receivers: lend them, then take them back.
        std::vector<Receiver<Value>> chosen;
        for (std::size_t i : op.among) chosen.push_back(std::move(ends.inputs[i]));
        std::optional<std::size_t> choice = co_await select(std::span<Receiver<Value>>(chosen));
        for (std::size_t k = 0; k < op.among.size(); ++k) ends.inputs[op.among[k]] = std::move(chosen[k]);
        if (choice) reply = {.kind = Reply::Kind::index, .index = *choice};
        break;
      }
    }
  }
}

// ---- the spec, field by field ----

template <class T>
std::vector<T> flat_values(const py::array& a) {
  auto c = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
  if (!c) throw std::invalid_argument("values: expected an array of numbers");
  return std::vector<T>(c.data(), c.data() + c.size());
}

py::array kept_array(const graph::KeptValues& k) {
  std::vector<py::ssize_t> shape{static_cast<py::ssize_t>(k.count)};
  if (k.type.is_vector()) shape.push_back(k.type.dims);
  if (k.type.scalar == ScalarType::int64) return py::array_t<std::int64_t>(shape, k.integers.data());
  py::array_t<double> a(shape, k.reals.data());
  if (k.type.scalar == ScalarType::float32) return a.attr("astype")("float32");
  return a;
}

void bind_types(py::module_& m) {
  py::enum_<ScalarType>(m, "ScalarType")
      .value("float64", ScalarType::float64)
      .value("float32", ScalarType::float32)
      .value("int64", ScalarType::int64);
  py::class_<ElementType>(m, "ElementType", "A channel's elements: a scalar, or a vector of dims values")
      .def(py::init([](ScalarType s, std::uint32_t dims) { return ElementType{s, dims}; }),
           py::arg("scalar"), py::arg("dims") = 0)
      .def_readwrite("scalar", &ElementType::scalar)
      .def_readwrite("dims", &ElementType::dims)
      .def("__str__", &ElementType::to_string)
      .def(py::self == py::self);
  py::enum_<units::Discipline>(m, "Discipline")
      .value("together", units::Discipline::together)
      .value("in_order", units::Discipline::in_order);
  py::enum_<graph::NodeKind>(m, "NodeKind")
      .value("source", graph::NodeKind::source)
      .value("map", graph::NodeKind::map)
      .value("reduce", graph::NodeKind::reduce)
      .value("scan", graph::NodeKind::scan)
      .value("repeat", graph::NodeKind::repeat)
      .value("sink", graph::NodeKind::sink)
      .value("custom", graph::NodeKind::custom);
  py::enum_<graph::SinkMode>(m, "SinkMode")
      .value("keep", graph::SinkMode::keep)
      .value("check", graph::SinkMode::check)
      .value("discard", graph::SinkMode::discard);
  py::class_<units::Timing>(m, "Timing")
      .def(py::init<>())
      .def_readwrite("latency", &units::Timing::latency)
      .def_readwrite("initiation_interval", &units::Timing::initiation_interval)
      .def_readwrite("startup_delay", &units::Timing::startup_delay)
      .def_readwrite("per_row_delay", &units::Timing::per_row_delay);
}

void bind_channel_and_node(py::module_& m) {
  using graph::ChannelSpec;
  using graph::NodeSpec;
  py::class_<ChannelSpec>(m, "ChannelSpec")
      .def(py::init<>())
      .def_readwrite("name", &ChannelSpec::name)
      .def_readwrite("type", &ChannelSpec::type)
      .def_readwrite("capacity", &ChannelSpec::capacity)
      .def_readwrite("latency", &ChannelSpec::latency)
      .def_readwrite("response_latency", &ChannelSpec::response_latency);
  py::class_<NodeSpec>(m, "NodeSpec")
      .def(py::init<>())
      .def_readwrite("name", &NodeSpec::name)
      .def_readwrite("kind", &NodeSpec::kind)
      .def_readwrite("inputs", &NodeSpec::inputs)
      .def_readwrite("outputs", &NodeSpec::outputs)
      .def_readwrite("timing", &NodeSpec::timing)
      .def_readwrite("row_length", &NodeSpec::row_length)
      .def_readwrite("rows", &NodeSpec::rows)
      .def_readwrite("per_row_inputs", &NodeSpec::per_row_inputs)
      .def_readwrite("input_discipline", &NodeSpec::input_discipline)
      .def_readwrite("output_discipline", &NodeSpec::output_discipline)
      .def_readwrite("repeat_count", &NodeSpec::repeat_count)
      .def_readwrite("sink", &NodeSpec::sink)
      .def_readwrite("abs_tolerance", &NodeSpec::abs_tolerance)
      .def_readwrite("rel_tolerance", &NodeSpec::rel_tolerance)
      .def_property(
          "expressions", [](const NodeSpec& n) { return n.compute.outputs; },
          [](NodeSpec& n, std::vector<std::string> e) { n.compute.outputs = std::move(e); })
      .def_property(
          "update", [](const NodeSpec& n) { return n.compute.update; },
          [](NodeSpec& n, std::string u) { n.compute.update = std::move(u); })
      .def_property(
          "variables", [](const NodeSpec& n) { return n.compute.variables; },
          [](NodeSpec& n, std::vector<std::string> v) { n.compute.variables = std::move(v); })
      .def_property(
          "state_type", [](const NodeSpec& n) { return n.compute.state_type; },
          [](NodeSpec& n, std::optional<ElementType> t) { n.compute.state_type = t; })
      .def_property(
          "init", [](const NodeSpec& n) { return n.compute.init; },
          [](NodeSpec& n, std::vector<double> v) { n.compute.init = std::move(v); })
      .def_property(
          "data_file", [](const NodeSpec& n) { return n.data.file; },
          [](NodeSpec& n, std::filesystem::path f) { n.data.file = std::move(f); })
      .def_property_readonly("has_hook", [](const NodeSpec& n) { return bool(n.compute.foreign) || bool(n.custom); })
      .def("set_reals", [](NodeSpec& n, const py::array& a) { n.data.reals = flat_values<double>(a); })
      .def("set_integers", [](NodeSpec& n, const py::array& a) { n.data.integers = flat_values<std::int64_t>(a); })
      .def("data_array", [](const NodeSpec& n) -> py::array {
        if (!n.data.integers.empty()) return py::array_t<std::int64_t>(n.data.integers.size(), n.data.integers.data());
        return py::array_t<double>(n.data.reals.size(), n.data.reals.data());
      })
      .def("set_python_step", [](NodeSpec& n, py::object fn) {
        n.compute.foreign = python_step(share(std::move(fn)), n.kind, n.name);
      }, "fn runs once per step, holding the GIL (graph.py documents its arguments)")
      .def("set_python_process", [](NodeSpec& n, py::object factory) {
        n.custom = [f = share(std::move(factory))](Context& ctx, graph::CustomEnds ends) {
          return python_process(ctx, std::move(ends), f);
        };
      }, "factory(clock) returns the generator that is the node's context");
}

void bind_spec_and_run(py::module_& m) {
  using graph::GraphSpec;
  py::class_<ProcessClock>(m, "ProcessClock")
      .def_property_readonly("now", [](const ProcessClock& c) { return c.ctx->now(); })
      .def_property_readonly("name", [](const ProcessClock& c) { return c.ctx->name(); });
  py::class_<GraphSpec>(m, "GraphSpec")
      .def(py::init<>())
      .def("add_channel", [](GraphSpec& g, graph::ChannelSpec c) { g.channels.push_back(std::move(c)); })
      .def("add_node", [](GraphSpec& g, graph::NodeSpec n) { g.nodes.push_back(std::move(n)); })
      .def_readonly("channels", &GraphSpec::channels)
      .def_readonly("nodes", &GraphSpec::nodes)
      .def_readwrite("base_dir", &GraphSpec::base_dir);
  // A dfsim.InvalidArgument, as every refused input is (results.cpp registers that first).
  py::register_exception<graph::GraphFileError>(m, "GraphFileError", m.attr("InvalidArgument").ptr())
      .attr("__doc__") = "A graph file that cannot be read; the message names the place in the file.";
  m.def("graph_problems", &graph::problems, "Every problem of the spec, each naming its channel or node");
  m.def("load_graph", &graph::load_graph, "A GraphSpec from a graph file (docs/graph-files.md)");
  m.def("save_graph", &graph::save_graph, "Writes a GraphSpec with native units only as a graph file");
  m.def("graph_to_json_text", [](const GraphSpec& g) { return graph::to_json(g).dump(2); });
  m.def("graph_from_json_text", [](const std::string& text, const std::filesystem::path& base) {
    return graph::from_json(nlohmann::json::parse(text), base);
  });
  m.def("run_graph", [](const GraphSpec& spec, unsigned threads, const std::string& trace) {
    check_threads(threads);
    graph::BuiltGraph built(spec);  // validates: dfsim.GraphError
    std::optional<Tracer> tracer;
    if (!trace.empty()) tracer.emplace();
    graph::GraphRun r;
    {
      py::gil_scoped_release release;
      r = built.run({.threads = threads, .tracer = tracer ? &*tracer : nullptr});
    }
    if (tracer) tracer->write_chrome_trace(trace);
    py::dict kept;
    for (const graph::KeptValues& k : r.kept) kept[py::str(k.sink)] = kept_array(k);
    return py::make_tuple(std::move(r.result), kept);
  }, py::arg("spec"), py::arg("threads") = 1, py::arg("trace") = "",
     "Builds and runs the spec; (RunResult, {sink name: NumPy array}). The GIL is released while "
     "the simulation runs; Python steps and processes take it.");
  m.def("graph_to_dot", [](const GraphSpec& g) { return graph::to_dot(g); },
        "The spec for Graphviz, before a run: units with kind and timing, channels with type and capacity");
  m.def("run_to_dot", [](const RunResult& r) { return to_dot(r); },
        "The run's graph for Graphviz: contexts with their clocks, channels with their statistics");
}

}  // namespace

void bind_graph(py::module_& m) {
  bind_types(m);
  bind_channel_and_node(m);
  bind_spec_and_run(m);
}

}  // namespace dfsim::python
