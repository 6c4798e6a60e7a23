#pragma once
// package.patterns with the Serverless Framework v3 semantics (globby lists every file with
// dot: true, then micromatch applies the patterns in order):
//   - every file of the service starts included;
//   - the patterns are applied in order and the last one that matches a file decides:
//     "!x" excludes, "x" includes (again);
//   - patterns match file paths relative to the service folder, '/'-separated. Folders are never
//     matched themselves: a folder is written "dir/**" ("dir/**" also matches a file named "dir").
//
// Glob syntax (picomatch's, minus extglobs): `*` any run of characters within a segment,
// dotfiles included; `**` alone in a segment: any number of segments (zero too); `?` one
// character; `[abc]` `[a-z]` `[!a]` `[^a]` `[[:alpha:]]`; `{a,b}` (nested) and `{1..3}`;
// `\` escapes. A leading "./" is ignored. A second leading `!` negates the glob ("!!x" excludes
// every file that does NOT match x), as micromatch does. Extglobs (@(a|b), +(a), ...) are
// rejected with a UserError rather than silently matching nothing.
#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::package {

// "a/b/c" -> {"a", "b", "c"}; views into `path`.
std::vector<std::string_view> split_segments(std::string_view path);

namespace detail {
struct GlobToken {
  enum class Kind : std::uint8_t { Char, AnyChar, Star, Class };
  Kind kind;
  unsigned char ch = 0;           // Kind::Char
  std::uint16_t class_index = 0;  // Kind::Class
};
struct CharClass {
  std::bitset<128> ascii;  // which ASCII characters match
  bool non_ascii = false;  // whether a non-ASCII character matches (negated classes)
};
struct GlobSegment {
  enum class Kind : std::uint8_t { Literal, Pattern, Globstar };
  Kind kind = Kind::Literal;
  std::string literal;  // Kind::Literal: the unescaped text
  std::vector<GlobToken> tokens;
  std::vector<CharClass> classes;
};
}  // namespace detail

// One glob (no leading '!'), braces expanded into alternatives at construction.
class Glob {
 public:
  // Throws UserError naming the pattern for extglobs, an empty pattern, or braces that expand
  // to more than 1024 alternatives.
  explicit Glob(std::string_view pattern);

  const std::string& text() const { return m_text; }
  bool matches(std::span<const std::string_view> segments) const;
  bool matches(std::string_view path) const;
  // Conservative: false only when no path strictly below folder `dir` can match.
  bool may_match_below(std::span<const std::string_view> dir) const;
  // Exact in one direction: true only when every path strictly below `dir` matches.
  bool matches_everything_below(std::span<const std::string_view> dir) const;

 private:
  using Alternative = std::vector<detail::GlobSegment>;
  std::string m_text;
  std::vector<Alternative> m_alternatives;
};

// An ordered list of patterns; the last matching one decides.
class PatternSet {
 public:
  // Appends "x" (include) or "!x" (exclude). Throws UserError as Glob does.
  void add(std::string_view pattern);
  void add_all(std::span<const std::string> patterns);

  bool includes(std::span<const std::string_view> segments) const;
  bool includes(std::string_view path) const;
  // True when every file below folder `dir` ends up excluded whatever its name, so a walk may
  // skip the folder (".git" under ".git/**", unless a later include could reach into it).
  bool excludes_everything_below(std::span<const std::string_view> dir) const;

  const std::vector<std::string>& texts() const { return m_texts; }  // as added
  bool empty() const { return m_rules.empty(); }

 private:
  struct Rule {
    bool exclude;
    bool negate;
    Glob glob;
  };
  std::vector<Rule> m_rules;
  std::vector<std::string> m_texts;
};

// `text` with glob metacharacters escaped, so that a pattern matches that one path literally.
std::string escape_glob(std::string_view text);

// Serverless v3's default excludes, plus stratus' own state folder, as "!x" patterns.
std::vector<std::string> default_excludes();

}  // namespace stratus::package
