#include "cli/manifest/emit.hpp"

#include <charconv>
#include <cmath>

#include "emulator/common/json_writer.hpp"

namespace stratus::manifest {

std::string format_number(double d) {
  if (std::isnan(d)) return "null";
  if (std::isinf(d)) return d > 0 ? "1e999" : "-1e999";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

std::string json_quote(std::string_view s) {
  JsonWriter w;
  w.value(s);
  return w.take();
}

namespace {

void json_into(std::string& out, const Value& v, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent * d), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::Null:
    case Value::Kind::Bool:
    case Value::Kind::Int:
    case Value::Kind::Float: out += v.is_null() ? "null" : v.to_text(); return;
    case Value::Kind::String: out += json_quote(v.as_string()); return;
    case Value::Kind::Sequence:
      if (v.items().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        json_into(out, v.items()[i], indent, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    case Value::Kind::Map:
      if (v.entries().empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (std::size_t i = 0; i < v.entries().size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        out += json_quote(v.entries()[i].key);
        out += indent < 0 ? ":" : ": ";
        json_into(out, v.entries()[i].value, indent, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
  }
}

// True when a plain (unquoted) YAML scalar with this text would read back as something else.
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  static const char* const reserved[] = {"true",  "false", "yes", "no", "on",  "off", "null", "~",
                                         "True",  "False", "Yes", "No", "On",  "Off", "Null", "TRUE",
                                         "FALSE", "YES",   "NO",  "ON", "OFF", "NULL"};
  for (const char* r : reserved)
    if (s == r) return true;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string_view::npos || s.find(" #") != std::string_view::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  // Anything that looks numeric (ints, floats, hex, octal, .inf) must stay a string.
  bool numeric_start = (s.front() >= '0' && s.front() <= '9') || s.front() == '.' || s.front() == '+';
  return numeric_start;
}

std::string yaml_scalar(const Value& v) {
  if (v.is_null()) return "null";
  if (!v.is_string()) return v.to_text();
  const auto& s = v.as_string();
  if (!needs_quotes(s)) return s;
  std::string out = "'";
  bool plain_quotable = true;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) plain_quotable = false;
  if (!plain_quotable) return json_quote(s);  // double quotes carry escapes
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool is_empty_collection(const Value& v) {
  return (v.is_map() || v.is_sequence()) && v.size() == 0;
}

void yaml_into(std::string& out, const Value& v, int depth) {
  std::string pad(static_cast<std::size_t>(depth * 2), ' ');
  if (v.is_map()) {
    for (const auto& e : v.entries()) {
      out += pad;
      out += needs_quotes(e.key) ? yaml_scalar(Value(e.key)) : e.key;
      out += ':';
      const Value& c = e.value;
      if (c.is_scalar() || is_empty_collection(c)) {
        out += ' ';
        out += c.is_map() ? "{}" : c.is_sequence() ? "[]" : yaml_scalar(c);
        out += '\n';
      } else {
        out += '\n';
        yaml_into(out, c, depth + 1);
      }
    }
  } else if (v.is_sequence()) {
    for (const auto& c : v.items()) {
      out += pad;
      out += "- ";
      if (c.is_scalar() || is_empty_collection(c)) {
        out += c.is_map() ? "{}" : c.is_sequence() ? "[]" : yaml_scalar(c);
        out += '\n';
      } else {
        // Nested block: render at depth+1 and fold its first line onto the dash.
        std::string inner;
        yaml_into(inner, c, depth + 1);
        out += inner.substr(pad.size() + 2);
      }
    }
  } else {
    out += pad + yaml_scalar(v) + "\n";
  }
}

}  // namespace

std::string to_json(const Value& v, int indent) {
  std::string out;
  json_into(out, v, indent, 0);
  return out;
}

std::string to_yaml(const Value& v) {
  std::string out;
  if (v.is_scalar() || is_empty_collection(v))
    return (v.is_map() ? std::string("{}") : v.is_sequence() ? "[]" : yaml_scalar(v)) + "\n";
  yaml_into(out, v, 0);
  return out;
}

}  // namespace stratus::manifest
