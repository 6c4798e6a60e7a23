#pragma once
// Internal to the schema validator: the words of its messages. Values are shown the way a user
// wrote them in YAML ('text' for strings, 12, true, null), long ones shortened.
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest::schema_detail {

// The length of a UTF-8 string in code points (what minLength/maxLength count).
std::size_t code_points(std::string_view s);

// 'text' for strings (shortened past 60 code points), 12 / 1.5 / true / null for scalars,
// compact JSON for short collections, "an array" / "an object" for long ones.
std::string show_value(const Value& v);

// The value with its kind, for type errors: "string 'big'", "integer 5", "boolean true",
// "null", "array", "object".
std::string show_typed(const Value& v);

// "a string", "an integer", "a string or an object", "a string, a number or a boolean".
std::string type_phrase(const std::vector<std::string>& type_names);

// "x86_64, arm64": strings bare, other values as JSON; past `limit` values, "... and N more".
std::string list_values(const std::vector<Value>& values, std::size_t limit = 12);

// "1 item", "3 items".
std::string count_of(std::size_t n, std::string_view noun);

// A number as written: 900, 0.5.
std::string show_number(const Value& v);

}  // namespace stratus::manifest::schema_detail
