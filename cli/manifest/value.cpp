#include "cli/manifest/value.hpp"

#include <cmath>
#include <cstdio>

#include "cli/manifest/emit.hpp"

namespace stratus::manifest {

std::int64_t Value::as_int() const {
  if (m_kind == Kind::Int) return m_int;
  if (m_kind == Kind::Float && std::isfinite(m_float) && std::fabs(m_float) < 9.2e18)
    return static_cast<std::int64_t>(m_float);
  return 0;
}

double Value::as_double() const {
  if (m_kind == Kind::Float) return m_float;
  if (m_kind == Kind::Int) return static_cast<double>(m_int);
  return 0;
}

std::string Value::to_text() const {
  switch (m_kind) {
    case Kind::Null: return "";
    case Kind::Bool: return m_bool ? "true" : "false";
    case Kind::Int: return std::to_string(m_int);
    case Kind::Float: return format_number(m_float);
    case Kind::String: return m_string;
    case Kind::Sequence:
    case Kind::Map: return to_json(*this, -1);
  }
  return "";
}

const Value* Value::find(std::string_view key) const {
  if (m_kind != Kind::Map) return nullptr;
  for (const auto& e : m_entries)
    if (e.key == key) return &e.value;
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

Value& Value::set(std::string key, Value v, Mark key_mark) {
  if (m_kind != Kind::Map) *this = map();
  for (auto& e : m_entries)
    if (e.key == key) return e.value = std::move(v);
  m_entries.push_back(Entry{std::move(key), std::move(key_mark), std::move(v)});
  return m_entries.back().value;
}

bool Value::erase(std::string_view key) {
  for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
    if (it->key == key) {
      m_entries.erase(it);
      return true;
    }
  return false;
}

std::size_t Value::size() const {
  if (m_kind == Kind::Map) return m_entries.size();
  if (m_kind == Kind::Sequence) return m_items.size();
  return 0;
}

bool is_intrinsic(const Value& v) {
  if (!v.is_map() || v.entries().size() != 1) return false;
  const std::string& k = v.entries().front().key;
  return k == "Ref" || k == "Condition" || k.rfind("Fn::", 0) == 0;
}

std::vector<std::string> split_path(std::string_view dotted) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    out.emplace_back(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

const Value* Value::at_path(std::string_view dotted) const {
  const Value* cur = this;
  if (dotted.empty()) return cur;
  for (const auto& seg : split_path(dotted)) {
    if (cur->is_map()) {
      cur = cur->find(seg);
    } else if (cur->is_sequence()) {
      if (seg.empty() || seg.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      auto idx = std::stoull(seg.size() > 9 ? std::string("999999999") : seg);
      cur = idx < cur->m_items.size() ? &cur->m_items[idx] : nullptr;
    } else {
      return nullptr;
    }
    if (!cur) return nullptr;
  }
  return cur;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
  if (a.m_kind != b.m_kind) return false;
  switch (a.m_kind) {
    case Value::Kind::Null: return true;
    case Value::Kind::Bool: return a.m_bool == b.m_bool;
    case Value::Kind::String: return a.m_string == b.m_string;
    case Value::Kind::Sequence: return a.m_items == b.m_items;
    case Value::Kind::Map:
      if (a.m_entries.size() != b.m_entries.size()) return false;
      for (const auto& e : a.m_entries) {
        const Value* other = b.find(e.key);
        if (!other || !(*other == e.value)) return false;
      }
      return true;
    default: return false;
  }
}

const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return "boolean";
    case Value::Kind::Int: return "integer";
    case Value::Kind::Float: return "number";
    case Value::Kind::String: return "string";
    case Value::Kind::Sequence: return "array";
    case Value::Kind::Map: return "object";
  }
  return "value";
}

}  // namespace stratus::manifest
