#include "dfsim/graph/validate.hpp"

#include <map>
#include <set>

#include "dfsim/engine/errors.hpp"
#include "dfsim/engine/program.hpp"
#include "dfsim/graph/expression.hpp"
#include "dfsim/units/repeat.hpp"
#include "data_files.hpp"
#include "node_compute.hpp"

namespace dfsim::graph {
namespace {

constexpr std::size_t kMaxInputs = 4, kMaxSenders = 4;

struct Checker {
  const GraphSpec& spec;
  std::vector<std::string> out;
  std::map<std::string, ElementType> types;
  std::map<std::string, std::vector<std::string>> senders, receivers;

  void channels() {
    // The engine's rules for names, capacities and latencies, said once, in Program.
    Program probe;
    for (const ChannelSpec& c : spec.channels) {
      (void)probe.channel<Value>(c.name, {.capacity = c.capacity, .latency = c.latency,
                                          .response_latency = c.response_latency});
      if (c.type.is_vector() && c.type.scalar == ScalarType::int64)
        out.push_back("channel '" + c.name + "' has type " + c.type.to_string() +
                      ": vectors hold float64 or float32 values");
      types.emplace(c.name, c.type);
    }
    for (const std::string& p : probe.problems())
      if (p.find("has no sender") == std::string::npos && p.find("has no receiver") == std::string::npos)
        out.push_back(p);
  }

  void ends(const NodeSpec& n) {
    for (const auto& c : n.inputs) {
      if (!types.count(c))
        out.push_back("node '" + n.name + "' reads channel '" + c + "', which is not declared");
      receivers[c].push_back(n.name);
    }
    for (std::size_t p = 0; p < n.outputs.size(); ++p) {
      if (n.outputs[p].empty())
        out.push_back("node '" + n.name + "': output port " + std::to_string(p) + " has no channel");
      for (const auto& c : n.outputs[p]) {
        if (!types.count(c))
          out.push_back("node '" + n.name + "' writes channel '" + c + "', which is not declared");
        else if (types.at(c) != types.at(n.outputs[p][0]) && types.count(n.outputs[p][0]))
          out.push_back("node '" + n.name + "': output port " + std::to_string(p) + " fans out to '" +
                        n.outputs[p][0] + "' (" + types.at(n.outputs[p][0]).to_string() + ") and '" +
                        c + "' (" + types.at(c).to_string() + "): a port's channels have one type");
        senders[c].push_back(n.name);
      }
    }
  }

  void arity(const NodeSpec& n) {
    const std::string who = "node '" + n.name + "' (" + to_string(n.kind) + ")";
    std::size_t ports = n.outputs.size(), flat = 0;
    for (const auto& p : n.outputs) flat += p.size();
    auto need = [&](bool ok, const std::string& what) {
      if (!ok) out.push_back(who + ": " + what);
    };
    switch (n.kind) {
      case NodeKind::source:
        need(n.inputs.empty(), "a source has no inputs");
        need(ports == 1, "a source has one output port (several channels in it fan out)");
        break;
      case NodeKind::sink:
        need(n.inputs.size() == 1, "a sink has one input");
        need(ports == 0, "a sink has no outputs");
        break;
      case NodeKind::repeat:
        need(n.inputs.size() == 1 && ports == 1, "a repeat has one input and one output port");
        break;
      case NodeKind::custom:
        need(bool(n.custom), "a custom node needs its body (the custom hook); custom nodes "
                             "cannot come from a graph file");
        break;
      default:
        need(!n.inputs.empty(), "it needs at least one input");
        need(ports >= 1, "it needs at least one output port");
        break;
    }
    if (n.kind != NodeKind::sink && n.kind != NodeKind::custom) {
      need(n.inputs.size() <= kMaxInputs, std::to_string(n.inputs.size()) + " inputs: at most " +
                                              std::to_string(kMaxInputs) + " (use a custom node)");
      need(flat <= kMaxSenders, std::to_string(flat) + " output channels: at most " +
                                    std::to_string(kMaxSenders) + ", fan-outs included");
    }
    if (n.kind != NodeKind::custom) need(!n.custom, "only a custom node has a custom body");
    if (n.kind != NodeKind::map && n.kind != NodeKind::reduce && n.kind != NodeKind::scan)
      need(!n.compute.foreign, "only a map, reduce or scan has a foreign step");
  }

  // The units' own checks (units/options.hpp, repeat.hpp), so that a rule is said in one
  // place: every problem of a node's options.
  void options(const NodeSpec& n) {
    if (n.kind == NodeKind::sink || n.kind == NodeKind::custom) return;
    const std::string who = "node '" + n.name + "'";
    // A source of no rows is an empty stream, not a mistake.
    units::UnitOptions o = detail::unit_options(n, std::nullopt);
    auto check = [&](auto&& throws_if_wrong) {
      try {
        throws_if_wrong();
      } catch (const std::invalid_argument& e) {
        out.push_back(e.what());
      }
    };
    if (n.kind == NodeKind::repeat && n.repeat_count == 0) {
      check([&] { units::check_repeat_count(n.repeat_count, who); });
      o.row_length = 1;  // its rows are the count: said once, above
    }
    for (const std::string& problem : units::option_problems(o)) out.push_back(who + ": " + problem);
    check([&] { units::detail::check_per_row_inputs(o, n.inputs.size(), who); });
  }

  bool typed(const NodeSpec& n) const {
    for (const auto& c : n.inputs)
      if (!types.count(c)) return false;
    for (const auto& p : n.outputs)
      if (p.empty() || !types.count(p[0])) return false;
    return true;
  }

  void compute(const NodeSpec& n) {
    if (n.kind != NodeKind::map && n.kind != NodeKind::reduce && n.kind != NodeKind::scan) return;
    if (n.compute.foreign || !typed(n) || n.outputs.empty()) return;
    const std::string who = "node '" + n.name + "'";
    std::vector<ElementType> in, ports;
    for (const auto& c : n.inputs) in.push_back(types.at(c));
    for (const auto& p : n.outputs) ports.push_back(types.at(p[0]));
    if (n.compute.variables.size() > in.size())
      out.push_back(who + ": " + std::to_string(n.compute.variables.size()) + " variable names for " +
                    std::to_string(in.size()) + " inputs");
    std::set<std::string> names;
    for (const auto& v : n.compute.variables)
      if (!names.insert(v).second || v == "acc")
        out.push_back(who + ": variable name '" + v + "' is used twice (acc is the state's)");
    const bool stateful = n.kind != NodeKind::map;
    std::optional<ElementType> state;
    if (stateful) state = n.compute.state_type.value_or(ports[0]);
    auto vars = detail::expression_variables(n, in, state);
    auto compile = [&](const std::string& what, const std::string& text, ElementType result) {
      try {
        Expression e(text, vars, result);
      } catch (const std::invalid_argument& e) {
        out.push_back(who + ": " + what + ": " + e.what());
      }
    };
    if (stateful) {
      compile("update", n.compute.update, *state);
      const std::size_t init = n.compute.init.size();
      if (init != 0 && init != (state->is_vector() ? state->dims : 1))
        out.push_back(who + ": init has " + std::to_string(init) + " values for a state of type " +
                      state->to_string());
      if (n.kind == NodeKind::reduce)
        for (std::size_t p = 0; p < ports.size(); ++p)
          if (ports[p] != *state)
            out.push_back(who + ": output port " + std::to_string(p) + " is " + ports[p].to_string() +
                          " but a reduce writes its state, " + state->to_string());
    }
    const bool per_port = n.kind == NodeKind::map || !n.compute.outputs.empty();
    if (per_port && n.compute.outputs.size() != ports.size())
      out.push_back(who + ": " + std::to_string(n.compute.outputs.size()) + " output expressions for " +
                    std::to_string(ports.size()) + " output ports");
    else if (per_port)
      for (std::size_t p = 0; p < ports.size(); ++p)
        compile("output " + std::to_string(p), n.compute.outputs[p], ports[p]);
    else if (n.kind == NodeKind::scan)
      for (std::size_t p = 0; p < ports.size(); ++p)
        if (ports[p] != *state)
          out.push_back(who + ": output port " + std::to_string(p) + " is " + ports[p].to_string() +
                        " but the scan writes its state, " + state->to_string() +
                        " (give output expressions)");
  }

  void data(const NodeSpec& n) {
    if (n.kind == NodeKind::repeat && typed(n) && types.at(n.inputs[0]) != types.at(n.outputs[0][0]))
      out.push_back("node '" + n.name + "': a repeat writes what it reads: its input is " +
                    types.at(n.inputs[0]).to_string() + ", its output " +
                    types.at(n.outputs[0][0]).to_string());
    const bool has_data = n.kind == NodeKind::source || (n.kind == NodeKind::sink && n.sink == SinkMode::check);
    if (!has_data || !typed(n) || !n.data.file.empty()) return;
    const ElementType t = n.kind == NodeKind::source ? types.at(n.outputs[0][0]) : types.at(n.inputs[0]);
    const bool ints = t.scalar == ScalarType::int64;
    const std::string who = "node '" + n.name + "'";
    if (ints ? !n.data.reals.empty() : !n.data.integers.empty())
      out.push_back(who + ": its channel is " + t.to_string() + ": give " +
                    (ints ? "integer" : "real") + " values");
    try {
      (void)detail::load_data(n, t, {});  // the counts, as the build checks them
    } catch (const std::runtime_error& e) {
      out.push_back(e.what());
    }
  }

  void names() {
    std::set<std::string> seen;
    for (const NodeSpec& n : spec.nodes) {
      if (n.name.empty()) out.push_back("a node has an empty name");
      else if (!seen.insert(n.name).second) out.push_back("two nodes are named '" + n.name + "'");
    }
  }

  void connections() {
    for (const ChannelSpec& c : spec.channels) {
      const auto& s = senders[c.name];
      const auto& r = receivers[c.name];
      if (s.empty()) out.push_back("channel '" + c.name + "' has no sender: name it in a node's outputs");
      if (r.empty()) out.push_back("channel '" + c.name + "' has no receiver: name it in a node's inputs");
      if (s.size() > 1)
        out.push_back("channel '" + c.name + "' has two senders: '" + s[0] + "' and '" + s[1] + "'");
      if (r.size() > 1)
        out.push_back("channel '" + c.name + "' has two receivers: '" + r[0] + "' and '" + r[1] + "'");
    }
  }
};

}  // namespace

const char* to_string(NodeKind k) noexcept {
  switch (k) {
    case NodeKind::source: return "source";
    case NodeKind::map: return "map";
    case NodeKind::reduce: return "reduce";
    case NodeKind::scan: return "scan";
    case NodeKind::repeat: return "repeat";
    case NodeKind::sink: return "sink";
    case NodeKind::custom: return "custom";
  }
  return "?";
}

std::vector<std::string> problems(const GraphSpec& spec) {
  Checker c{.spec = spec};
  c.channels();
  c.names();
  for (const NodeSpec& n : spec.nodes) {
    c.ends(n);
    c.arity(n);
    c.options(n);
    c.compute(n);
    c.data(n);
  }
  c.connections();
  return c.out;
}

void validate(const GraphSpec& spec) {
  auto p = problems(spec);
  if (!p.empty()) throw GraphError(std::move(p));
}

}  // namespace dfsim::graph
