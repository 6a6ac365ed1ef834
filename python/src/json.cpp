// nlohmann::json to Python objects, for the results whose schema the C++ side defines once
// (run_result_json.hpp; the attention run's `dfsim sdpa --json` object).
#include <pybind11/pybind11.h>

#include "bindings.hpp"

namespace py = pybind11;

namespace dfsim::python {
namespace {

template <class Json>
py::object convert(const Json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(j.template get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.template get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.template get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.template get<double>());
    case nlohmann::json::value_t::string: return py::str(j.template get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list list;
      for (const auto& item : j) list.append(convert(item));
      return list;
    }
    case nlohmann::json::value_t::object: {
      py::dict dict;
      for (const auto& [key, item] : j.items()) dict[py::str(key)] = convert(item);
      return dict;
    }
    default: throw std::logic_error("to_python: a JSON value of an unexpected type");
  }
}

}  // namespace

py::object to_python(const nlohmann::json& value) { return convert(value); }
py::object to_python(const nlohmann::ordered_json& value) { return convert(value); }

}  // namespace dfsim::python
