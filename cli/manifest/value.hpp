#pragma once
// The manifest as a tree of values, each remembering where in which file it was written.
// Loading (load.hpp) builds it from YAML or JSON, variable resolution (variables.hpp) rewrites
// it in place, validation (validate.hpp) reads it, and emit.hpp prints it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::manifest {

// A position in a source file; line and column are 1-based. line == 0 means "no position"
// (a value that came from a flag, a default or a variable source without a file).
struct Mark {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
};

class Value {
 public:
  enum class Kind { Null, Bool, Int, Float, String, Sequence, Map };
  struct Entry;  // a map entry: key, its mark, and the value

  // Defined below, once Entry is complete (a vector of an incomplete type may not be built yet).
  Value();
  explicit Value(bool b);
  explicit Value(std::int64_t i);
  explicit Value(int i);
  explicit Value(double d);
  explicit Value(std::string s);
  explicit Value(const char* s);
  static Value sequence();
  static Value map();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  Kind kind() const { return m_kind; }
  bool is_null() const { return m_kind == Kind::Null; }
  bool is_bool() const { return m_kind == Kind::Bool; }
  bool is_int() const { return m_kind == Kind::Int; }
  bool is_number() const { return m_kind == Kind::Int || m_kind == Kind::Float; }
  bool is_string() const { return m_kind == Kind::String; }
  bool is_sequence() const { return m_kind == Kind::Sequence; }
  bool is_map() const { return m_kind == Kind::Map; }
  bool is_scalar() const { return !is_sequence() && !is_map(); }

  // Accessors; calling one on the wrong kind returns the zero value (never throws).
  bool as_bool() const { return m_kind == Kind::Bool && m_bool; }
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const { return m_string; }

  // A scalar as text, the way variable interpolation writes it into a string
  // (true, 12, 1.5, "" for null); collections give their JSON text.
  std::string to_text() const;

  std::vector<Value>& items() { return m_items; }
  const std::vector<Value>& items() const { return m_items; }
  std::vector<Entry>& entries() { return m_entries; }
  const std::vector<Entry>& entries() const { return m_entries; }

  // Map lookup by key; nullptr when absent or when this is not a map.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Sets key (replacing the value, keeping its position in the order) and returns the stored value.
  Value& set(std::string key, Value v, Mark key_mark = {});
  bool erase(std::string_view key);
  void push_back(Value v) { m_items.push_back(std::move(v)); }
  std::size_t size() const;

  // Dotted path lookup: "provider.environment.X", sequence elements by index ("events.0").
  const Value* at_path(std::string_view dotted) const;

  // Deep equality of content; marks are ignored.
  friend bool operator==(const Value& a, const Value& b);

  Mark mark;

 private:
  explicit Value(Kind k);

  Kind m_kind = Kind::Null;
  bool m_bool = false;
  std::int64_t m_int = 0;
  double m_float = 0;
  std::string m_string;
  std::vector<Value> m_items;
  std::vector<Entry> m_entries;
};

struct Value::Entry {
  std::string key;
  Mark key_mark;
  Value value;
};

inline Value::Value() = default;
inline Value::Value(Kind k) : m_kind(k) {}
inline Value::Value(bool b) : m_kind(Kind::Bool), m_bool(b) {}
inline Value::Value(std::int64_t i) : m_kind(Kind::Int), m_int(i) {}
inline Value::Value(int i) : m_kind(Kind::Int), m_int(i) {}
inline Value::Value(double d) : m_kind(Kind::Float), m_float(d) {}
inline Value::Value(std::string s) : m_kind(Kind::String), m_string(std::move(s)) {}
inline Value::Value(const char* s) : m_kind(Kind::String), m_string(s) {}
inline Value::Value(const Value&) = default;
inline Value::Value(Value&&) noexcept = default;
inline Value& Value::operator=(const Value&) = default;
inline Value& Value::operator=(Value&&) noexcept = default;
inline Value::~Value() = default;
inline Value Value::sequence() {
  return Value(Kind::Sequence);
}
inline Value Value::map() {
  return Value(Kind::Map);
}

const char* kind_name(Value::Kind k);  // "string", "number", "object", ... as a user reads them

// True for {Ref: x}, {Condition: x} and {"Fn::...": x}: CloudFormation resolves these; we keep them.
bool is_intrinsic(const Value& v);

// Splits "a.b.0" into its segments.
std::vector<std::string> split_path(std::string_view dotted);

}  // namespace stratus::manifest
