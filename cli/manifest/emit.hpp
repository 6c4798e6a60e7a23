#pragma once
// Printing a Value tree as JSON or YAML (what `stratus print` shows).
#include <string>

#include "cli/manifest/value.hpp"

namespace stratus::manifest {

// JSON text; indent < 0 gives one compact line, otherwise pretty-printed with that many spaces.
std::string to_json(const Value& v, int indent = 2);

// Block-style YAML, keys in their original order; strings quoted only when YAML would misread them.
std::string to_yaml(const Value& v);

// A double as the shortest text that reads back as the same number ("1.5", "1e+21").
std::string format_number(double d);

// A string as a JSON string literal, quotes included (JsonWriter's escaping).
std::string json_quote(std::string_view s);

}  // namespace stratus::manifest
