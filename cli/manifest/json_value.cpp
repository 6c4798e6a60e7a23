#include "cli/manifest/json_value.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace stratus::manifest {

Value value_from_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(INT64_MAX)) return Value(static_cast<std::int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value out = Value::sequence();
      for (const auto& item : j) out.push_back(value_from_json(item));
      return out;
    }
    case nlohmann::json::value_t::object: {
      Value out = Value::map();
      for (const auto& item : j.items()) out.set(item.key(), value_from_json(item.value()));
      return out;
    }
    default: return Value();
  }
}

Value parse_json(std::string_view text) {
  try {
    return value_from_json(nlohmann::json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(e.what());
  }
}

}  // namespace stratus::manifest
