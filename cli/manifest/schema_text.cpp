#include "cli/manifest/schema_text.hpp"

#include <algorithm>

#include "cli/manifest/emit.hpp"

namespace stratus::manifest::schema_detail {

namespace {

constexpr std::size_t kShownCodePoints = 60;

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// The first n code points of s, never splitting a UTF-8 sequence.
std::string_view prefix_code_points(std::string_view s, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (is_continuation(static_cast<unsigned char>(s[i]))) continue;
    if (seen == n) return s.substr(0, i);
    ++seen;
  }
  return s;
}

std::string article(const std::string& type) {
  if (type == "null") return "null";
  bool vowel = !type.empty() && std::string_view("aeiou").find(type[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + type;
}

}  // namespace

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return !is_continuation(static_cast<unsigned char>(c)); }));
}

std::string show_number(const Value& v) {
  return v.is_int() ? std::to_string(v.as_int()) : format_number(v.as_double());
}

std::string show_value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return v.as_bool() ? "true" : "false";
    case Value::Kind::Int:
    case Value::Kind::Float: return show_number(v);
    case Value::Kind::String: {
      const std::string& s = v.as_string();
      if (code_points(s) <= kShownCodePoints) return "'" + s + "'";
      return "'" + std::string(prefix_code_points(s, kShownCodePoints)) + "...'";
    }
    case Value::Kind::Sequence:
    case Value::Kind::Map: {
      std::string json = to_json(v, -1);
      if (code_points(json) <= kShownCodePoints) return json;
      return v.is_map() ? "an object" : "an array";
    }
  }
  return "";
}

std::string show_typed(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Sequence: return "array";
    case Value::Kind::Map: return "object";
    default: return std::string(kind_name(v.kind())) + " " + show_value(v);
  }
}

std::string type_phrase(const std::vector<std::string>& type_names) {
  std::vector<std::string> names;
  for (const auto& t : type_names)
    if (std::find(names.begin(), names.end(), t) == names.end()) names.push_back(t);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += article(names[i]);
  }
  return out;
}

std::string list_values(const std::vector<Value>& values, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i == limit) return out + " and " + std::to_string(values.size() - limit) + " more";
    if (i > 0) out += ", ";
    out += values[i].is_string() ? values[i].as_string() : to_json(values[i], -1);
  }
  return out;
}

std::string count_of(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace stratus::manifest::schema_detail
