#pragma once
// A JSON text written straight into a string, for documents built on a hot path (one per HTTP
// request): no tree of nodes, no allocation per field. The caller writes keys and values in order
// and closes what it opens; commas are placed here. Strings are escaped as nlohmann::json dumps
// them (", \, \b \f \n \r \t, other control characters as \u00xx, everything else as is), with
// bytes that are not UTF-8 replaced by U+FFFD.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus {

// True when `text` is strict UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view text);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The key of the next value (inside an object).
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  // null for "" (an absent URL, ARN, ...), else the text.
  JsonWriter& text_or_null(std::string_view text) { return text.empty() ? null() : value(text); }
  // null for an empty optional, else its value.
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  // A value that is already JSON text, written as it is.
  JsonWriter& raw(std::string_view json);

  const std::string& str() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  void separate();  // a comma before a value or key that is not its container's first
  std::string m_out;
  bool m_first = true;       // nothing written in the innermost container yet
  bool m_after_key = false;  // the next value belongs to the key just written
};

}  // namespace stratus
