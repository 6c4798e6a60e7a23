#pragma once
// JSON text -> Value, through nlohmann/json: strict JSON and an order of magnitude faster than
// the YAML parser on large documents (the embedded schema). Values carry no marks: use
// parse_document() (load.hpp) for files whose errors a user must be pointed at.
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// Throws std::invalid_argument with the parser's message when text is not JSON.
Value parse_json(std::string_view text);

// A parsed JSON value as a Value: strings stay strings, integers stay integers (unsigned ones
// beyond int64 become floats), 1.0 stays a float.
Value value_from_json(const nlohmann::json& j);

}  // namespace stratus::manifest
