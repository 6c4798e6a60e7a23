#pragma once
// Internal to the schema validator (schema.cpp): how instance values are compared, typed and
// converted, and the few Serverless-Framework conventions the validator honours.
#include <optional>
#include <string>
#include <vector>

#include "cli/manifest/schema_node.hpp"
#include "cli/manifest/value.hpp"

namespace stratus::manifest::schema_detail {

// libstdc++'s std::regex matches recursively, one stack frame per character: long inputs
// overflow the stack. Strings longer than this are never handed to a regex.
inline constexpr std::size_t kMaxRegexInput = 2000;

// regex_search, with a regex failure (error_complexity, error_stack) counted as no match.
bool matches(const Pattern& p, const std::string& s);

// True when v is of one of the type bits (a float with an integral value is an integer).
bool has_type(unsigned types, const Value& v);

// -1, 0, 1 for two numbers; exact for two integers.
int compare(const Value& a, const Value& b);

// v is a multiple of m (m > 0), within floating-point rounding.
bool is_multiple(const Value& v, const Value& m);

// A number written as a string ("30", "-1.5", "1e3"), as ajv reads one; nullopt otherwise.
std::optional<Value> number_in(const std::string& s);

// The value as the types want it, the way ajv's coerceTypes "array" converts: scalars first
// (string, number, integer, boolean), then wrapping a single scalar into a one-item array. Unlike
// ajv, objects are not wrapped (a map offered to "object or list of objects" must be read as the
// map), a one-item array is not unwrapped ([1] for a string), nor null converted: those hide
// mistakes and no real manifest relies on them. nullopt when no conversion applies.
std::optional<Value> coerce(unsigned types, const Value& v);

}  // namespace stratus::manifest::schema_detail
