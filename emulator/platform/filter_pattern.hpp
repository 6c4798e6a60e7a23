#pragma once
// CloudWatch Logs filter patterns for unstructured lines, the subset `stratus serve` matches:
//   ERROR                     lines holding the term
//   ERROR timeout             lines holding every term (AND)
//   "Task timed out"          a quoted phrase, matched as one string ("" escapes nothing: \" is a quote)
//   ?ERROR ?WARN              lines holding at least one of the ?-terms (and every plain term)
//   ERROR -Retrying           lines with ERROR and without "Retrying"
//   "" or nothing             every line
// Matching is case-sensitive and by substring, as CloudWatch matches terms. JSON patterns
// ({ $.level = "error" }) and space-delimited ones ([ip, user, ...]) are not supported: parse
// says so.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::platform {

class FilterPattern {
 public:
  // nullopt with `error` set when the pattern is of an unsupported kind or malformed (an
  // unterminated quote).
  static std::optional<FilterPattern> parse(std::string_view text, std::string& error);

  bool matches(std::string_view message) const;

 private:
  std::vector<std::string> m_all;   // every one must appear
  std::vector<std::string> m_any;   // one at least, when there are any
  std::vector<std::string> m_none;  // none may appear
};

}  // namespace stratus::platform
