#pragma once
// Problems found in a manifest, collected rather than thrown so that `validate` can report every
// one at once, then rendered as `file:line:col: message` with the source line and a caret.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/manifest/value.hpp"

namespace stratus::manifest {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  Mark mark;         // where; may be unknown
  std::string path;  // dotted manifest path ("functions.hello.timeout"), may be empty
  std::string message;
};

class Diagnostics {
 public:
  void error(const Mark& mark, std::string path, std::string message);
  void warning(const Mark& mark, std::string path, std::string message);
  void add(Diagnostic d);

  bool has_errors() const { return m_errors > 0; }
  std::size_t error_count() const { return m_errors; }
  const std::vector<Diagnostic>& items() const { return m_items; }
  // Errors first in file order, then warnings; duplicates (same place and message) dropped.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> m_items;
  std::size_t m_errors = 0;
};

// The text of every file a manifest was read from, so a diagnostic can quote its line.
class Sources {
 public:
  void add(const std::string& file, std::string text) { m_texts[file] = std::move(text); }
  // The 1-based line of file, without its newline; nullopt when unknown.
  std::optional<std::string_view> line(const std::string& file, int line) const;

 private:
  std::map<std::string, std::string> m_texts;
};

// "stratus: error: serverless.yml:3:5: message" followed, when the source is known, by the line
// and a caret under the column. With color, the severity and caret are coloured.
std::string render(const Diagnostic& d, const Sources& sources, bool color);

// "file:line:col" (or "file", or "" when nothing is known).
std::string location(const Mark& mark);

// The candidate closest to word when it is a plausible typo of it (edit distance at most
// a third of the word, at least 1, at most 3); nullopt otherwise.
std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string> candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean_suffix(std::string_view word, std::span<const std::string> candidates);

}  // namespace stratus::manifest
