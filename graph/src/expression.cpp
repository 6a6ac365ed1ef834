#include "dfsim/graph/expression.hpp"

#include <muParser.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dfsim::graph {
namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string variable_list(const std::vector<Variable>& vars) {
  std::string s;
  for (const auto& v : vars) s += (s.empty() ? "" : ", ") + v.name + " (" + v.type.to_string() + ")";
  return s.empty() ? "none" : s;
}

// The index just past the parenthesis that closes the one at `open`, or npos.
std::size_t closing(const std::string& text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// Splits at the commas outside parentheses.
std::vector<std::string> top_level_arguments(const std::string& text) {
  std::vector<std::string> parts(1);
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0)
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

double round_to(ScalarType t, double v) {
  return t == ScalarType::float32 ? static_cast<double>(static_cast<float>(v)) : v;
}

// The fast path's form, "variable [+|-|* constant]" with an unsigned decimal constant, taken
// apart by hand: std::regex, which said it in one line, makes GCC 12 report a false
// -Wmaybe-uninitialized inside std::function in the sanitizer builds (-O1).
struct SimpleForm {
  std::string variable;
  char op = 0;           // 0: the variable alone
  std::string constant;  // empty with op 0
};

std::optional<SimpleForm> simple_form(std::string_view t) {
  std::size_t i = 0;
  auto is = [&](auto predicate) { return i < t.size() && predicate(static_cast<unsigned char>(t[i])); };
  auto skip_spaces = [&] { while (is(::isspace)) ++i; };
  auto digits = [&] {
    const std::size_t from = i;
    while (is(::isdigit)) ++i;
    return i > from;
  };
  skip_spaces();
  const std::size_t name_start = i;
  if (!is(::isalpha) && !(i < t.size() && t[i] == '_')) return std::nullopt;
  while (i < t.size() && is_identifier_char(t[i])) ++i;
  SimpleForm form{.variable = std::string(t.substr(name_start, i - name_start))};
  skip_spaces();
  if (i == t.size()) return form;
  if (t[i] != '+' && t[i] != '-' && t[i] != '*') return std::nullopt;
  form.op = t[i++];
  skip_spaces();
  const std::size_t number_start = i;
  if (!digits()) return std::nullopt;
  if (i < t.size() && t[i] == '.') {
    ++i;
    digits();
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return std::nullopt;
  }
  form.constant = std::string(t.substr(number_start, i - number_start));
  skip_spaces();
  if (i != t.size()) return std::nullopt;
  return form;
}

}  // namespace

struct Expression::Impl {
  std::string text;
  std::vector<Variable> vars;
  ElementType result;
  // One slot per variable, then one per reduction: muparser reads them by address.
  std::unique_ptr<double[]> slots;
  std::unique_ptr<mu::Parser> main;
  std::vector<std::unique_ptr<mu::Parser>> reductions;
  std::uint32_t reduction_dims = 0;
  bool has_vectors = false;
  Simple simple;

  [[noreturn]] void fail(const std::string& message) const {
    throw std::invalid_argument("expression '" + text + "': " + message);
  }

  std::unique_ptr<mu::Parser> parser_for(const std::string& expr, std::size_t slot_count) {
    auto p = std::make_unique<mu::Parser>();
    for (std::size_t i = 0; i < vars.size(); ++i) p->DefineVar(vars[i].name, &slots[i]);
    for (std::size_t r = vars.size(); r < slot_count; ++r)
      p->DefineVar("_r" + std::to_string(r - vars.size()), &slots[r]);
    try {
      p->SetExpr(expr);
      p->Eval();  // parses now: errors belong to the build, not to the run
    } catch (const mu::Parser::exception_type& e) {
      std::string msg = e.GetMsg();
      if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN)
        fail("unknown name '" + e.GetToken() + "': the variables are " + variable_list(vars));
      fail(msg);
    }
    return p;
  }

  // Rewrites sum(E) and dot(x, y) over vectors into reduction slots _r0, _r1, ...
  std::string lift_reductions(std::string expr, std::vector<std::string>& lifted) {
    for (std::size_t at = 0; at < expr.size();) {
      std::size_t name_end = at;
      while (name_end < expr.size() && is_identifier_char(expr[name_end])) ++name_end;
      if (name_end == at) {
        ++at;
        continue;
      }
      std::string name = expr.substr(at, name_end - at);
      std::size_t open = name_end;
      while (open < expr.size() && expr[open] == ' ') ++open;
      if ((name == "sum" || name == "dot") && open < expr.size() && expr[open] == '(') {
        std::size_t end = closing(expr, open);
        if (end == std::string::npos) fail("unbalanced parentheses after " + name);
        auto args = top_level_arguments(expr.substr(open + 1, end - open - 2));
        std::string inner;
        if (name == "dot") {
          if (args.size() != 2) fail("dot takes two vectors: dot(x, y)");
          inner = "(" + args[0] + ")*(" + args[1] + ")";
        } else if (args.size() == 1) {
          inner = args[0];
        } else {
          at = end;  // muparser's sum of several scalars
          continue;
        }
        std::string slot = "_r" + std::to_string(lifted.size());
        lifted.push_back(inner);
        expr.replace(at, end - at, slot);
        at += slot.size();
      } else {
        at = name_end;
      }
    }
    return expr;
  }

  // The size of the vectors `parser` uses, checking they agree; 0 if it uses none.
  std::uint32_t vector_dims(const mu::Parser& parser, const std::string& where) {
    std::uint32_t dims = 0;
    for (const auto& [name, address] : parser.GetUsedVar()) {
      std::size_t i = static_cast<std::size_t>(address - slots.get());
      if (i >= vars.size() || !vars[i].type.is_vector()) continue;
      if (dims != 0 && dims != vars[i].type.dims)
        fail("vectors of different sizes in " + where + ": '" + name + "' has " +
             std::to_string(vars[i].type.dims) + " values, another " + std::to_string(dims));
      dims = vars[i].type.dims;
    }
    return dims;
  }

  void find_simple() {
    if (has_vectors || result.is_vector()) return;
    const std::optional<SimpleForm> form = simple_form(text);
    if (!form) return;
    std::size_t i = 0;
    while (i < vars.size() && vars[i].name != form->variable) ++i;
    if (i == vars.size()) return;
    const bool integers = result.scalar == ScalarType::int64 && vars[i].type.scalar == ScalarType::int64;
    if (vars[i].type.scalar == ScalarType::int64 && !integers) return;
    if (integers && form->constant.find_first_of(".eE") != std::string::npos) return;
    if (!integers && vars[i].type.scalar == ScalarType::float32 && result.scalar != ScalarType::float32)
      return;
    simple.variable = i;
    simple.op = form->op == '-' ? Op::subtract : form->op == '*' ? Op::multiply : Op::add;
    if (!form->constant.empty()) {
      simple.constant = std::stod(form->constant);
      if (integers) simple.integer_constant = std::stoll(form->constant);
    }
  }

  void bind_scalars() const {
    for (std::size_t i = 0; i < vars.size(); ++i)
      if (!vars[i].type.is_vector()) slots[i] = current[i];
  }
  mutable std::vector<double> current;  // the scalar variables' values as doubles
};

Expression::Expression(const std::string& text, std::vector<Variable> variables, ElementType result)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.text = text;
  m.vars = std::move(variables);
  m.result = result;
  m.current.resize(m.vars.size());
  for (const auto& v : m.vars) m.has_vectors = m.has_vectors || v.type.is_vector();
  if (text.find_first_not_of(" \t") == std::string::npos) m.fail("empty: write what the unit computes, e.g. a + 1");
  std::vector<std::string> lifted;
  std::string main_text = m.has_vectors ? m.lift_reductions(text, lifted) : text;
  const std::size_t slot_count = m.vars.size() + lifted.size();
  m.slots = std::make_unique<double[]>(slot_count);
  for (std::size_t r = 0; r < lifted.size(); ++r) {
    m.reductions.push_back(m.parser_for(lifted[r], m.vars.size()));
    std::uint32_t dims = m.vector_dims(*m.reductions.back(), "sum(" + lifted[r] + ")");
    if (dims == 0) m.fail("sum(" + lifted[r] + ") or dot over scalars: give it vectors");
    if (m.reduction_dims != 0 && dims != m.reduction_dims)
      m.fail("the reductions are over vectors of different sizes");
    m.reduction_dims = dims;
  }
  m.main = m.parser_for(main_text, slot_count);
  std::uint32_t dims = m.vector_dims(*m.main, "the expression");
  if (result.is_vector()) {
    if (dims != 0 && dims != result.dims)
      m.fail("its vectors have " + std::to_string(dims) + " values, its result " +
             std::to_string(result.dims));
  } else if (dims != 0) {
    m.fail("a vector outside sum() or dot() gives a vector, but the result is a scalar (" +
           result.to_string() + ")");
  }
  m.find_simple();
}

Expression::~Expression() = default;
Expression::Expression(Expression&&) noexcept = default;

const Expression::Simple& Expression::simple() const noexcept { return impl_->simple; }

Value Expression::evaluate(std::span<const Value> values, VectorPool& pool) const {
  const Impl& m = *impl_;
  for (std::size_t i = 0; i < m.vars.size(); ++i)
    if (!m.vars[i].type.is_vector())
      m.current[i] = m.vars[i].type.scalar == ScalarType::int64
                         ? static_cast<double>(values[i].integer())
                         : values[i].real();
  m.bind_scalars();
  auto bind_component = [&](std::uint32_t k) {
    for (std::size_t i = 0; i < m.vars.size(); ++i)
      if (m.vars[i].type.is_vector()) m.slots[i] = values[i].vector()->values()[k];
  };
  for (std::size_t r = 0; r < m.reductions.size(); ++r) {
    double total = 0;
    for (std::uint32_t k = 0; k < m.reduction_dims; ++k) {
      bind_component(k);
      total += m.reductions[r]->Eval();
    }
    m.slots[m.vars.size() + r] = total;
  }
  if (m.result.is_vector()) {
    Value out = pool.make(m.result.dims);
    double* o = out.vector()->values();
    for (std::uint32_t k = 0; k < m.result.dims; ++k) {
      bind_component(k);
      o[k] = round_to(m.result.scalar, m.main->Eval());
    }
    return out;
  }
  const double v = m.main->Eval();
  if (m.result.scalar != ScalarType::int64) return Value::real(round_to(m.result.scalar, v));
  // int64 results: truncated toward zero, as a C++ conversion does, when they fit.
  if (!(std::fabs(v) < 9.2233720368547758e18))
    throw std::runtime_error("expression '" + m.text + "' gave " + std::to_string(v) +
                             ", which is not an int64 value");
  return Value::integer(static_cast<std::int64_t>(v));
}

}  // namespace dfsim::graph
