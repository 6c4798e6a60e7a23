#include "cli/manifest/schema_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/emit.hpp"

namespace stratus::manifest::schema_detail {

bool matches(const Pattern& p, const std::string& s) {
  try {
    if (!p.regex) p.regex.emplace(p.source, std::regex::ECMAScript);
    return std::regex_search(s, *p.regex);
  } catch (const std::regex_error&) {
    return false;  // error_complexity / error_stack: treat as no match rather than crash
  }
}

// Long double has a 64-bit mantissa: an int64 converts exactly.
int compare(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  long double x = a.is_int() ? static_cast<long double>(a.as_int()) : a.as_double();
  long double y = b.is_int() ? static_cast<long double>(b.as_int()) : b.as_double();
  return x < y ? -1 : x > y ? 1 : 0;
}

// fmod is exact on doubles, so huge quotients keep their remainder; the tolerance absorbs the
// binary rounding of decimal values (0.3 is not quite three times 0.1).
bool is_multiple(const Value& v, const Value& m) {
  if (v.is_int() && m.is_int()) return v.as_int() % m.as_int() == 0;
  const double step = std::fabs(m.as_double());
  const double x = v.as_double();
  if (!std::isfinite(x)) return false;
  const double r = std::fabs(std::fmod(x, step));
  return r <= 1e-9 * step || step - r <= 1e-9 * step;
}

bool has_type(unsigned types, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return types & kNull;
    case Value::Kind::Bool: return types & kBoolean;
    case Value::Kind::Map: return types & kObject;
    case Value::Kind::Sequence: return types & kArray;
    case Value::Kind::String: return types & kString;
    case Value::Kind::Int: return types & (kNumber | kInteger);
    case Value::Kind::Float: {
      if (types & kNumber) return true;
      double d = v.as_double();
      return (types & kInteger) && std::isfinite(d) && std::floor(d) == d;
    }
  }
  return false;
}

std::optional<Value> number_in(const std::string& s) {
  if (s.empty() || s.size() > 64 || std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back())))
    return std::nullopt;
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && end == s.data() + s.size()) return Value(i);
  char* stop = nullptr;
  double d = std::strtod(s.c_str(), &stop);
  if (stop != s.c_str() + s.size() || !std::isfinite(d) || s.find_first_of("xXnN") != std::string::npos)
    return std::nullopt;
  return Value(d);
}

std::optional<Value> coerce(unsigned types, const Value& v) {
  std::optional<Value> out;
  if (v.is_string()) {
    if (types & (kNumber | kInteger)) {
      if (auto num = number_in(v.as_string()); num && has_type(types, *num)) out = num;
    }
    if (!out && (types & kBoolean) && (v.as_string() == "true" || v.as_string() == "false"))
      out = Value(v.as_string() == "true");
  } else if (v.is_number()) {
    if (types & kString)
      out = Value(v.is_int() ? std::to_string(v.as_int()) : format_number(v.as_double()));
    else if ((types & kBoolean) && (v.as_double() == 0 || v.as_double() == 1))
      out = Value(v.as_double() == 1);
  } else if (v.is_bool()) {
    if (types & kString) out = Value(v.as_bool() ? "true" : "false");
  }
  if (!out && (types & kArray) && !v.is_sequence() && !v.is_map() && !v.is_null()) {
    Value seq = Value::sequence();
    seq.push_back(v);
    out = std::move(seq);
  }
  if (out) out->mark = v.mark;
  return out;
}

}  // namespace stratus::manifest::schema_detail
