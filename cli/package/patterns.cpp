#include "cli/package/patterns.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "cli/errors.hpp"
#include "cli/package/braces.hpp"

namespace stratus::package {

namespace {

constexpr std::size_t kMaxPatternLength = 4096;  // brace scanning is quadratic in the worst case

std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  return std::min(n, s.size() - i);
}

bool posix_class(std::string_view name, detail::CharClass& cls) {
  auto add_if = [&](auto pred) {
    for (int c = 0; c < 128; ++c)
      if (pred(c)) cls.ascii.set(c);
  };
  if (name == "alpha")
    add_if([](int c) { return std::isalpha(c); });
  else if (name == "digit")
    add_if([](int c) { return std::isdigit(c); });
  else if (name == "alnum")
    add_if([](int c) { return std::isalnum(c); });
  else if (name == "upper")
    add_if([](int c) { return std::isupper(c); });
  else if (name == "lower")
    add_if([](int c) { return std::islower(c); });
  else if (name == "space")
    add_if([](int c) { return std::isspace(c); });
  else if (name == "xdigit")
    add_if([](int c) { return std::isxdigit(c); });
  else if (name == "punct")
    add_if([](int c) { return std::ispunct(c); });
  else if (name == "word")
    add_if([](int c) { return std::isalnum(c) || c == '_'; });
  else
    return false;
  return true;
}

// Parses "[...]" starting at s[open]; returns the index after ']' or npos when not a class.
std::size_t parse_class(std::string_view s, std::size_t open, detail::CharClass& cls) {
  std::size_t i = open + 1;
  bool negated = i < s.size() && (s[i] == '!' || s[i] == '^');
  if (negated) ++i;
  std::size_t first = i;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == ']' && i > first) break;
    if (c == '[' && i + 1 < s.size() && s[i + 1] == ':') {
      std::size_t end = s.find(":]", i + 2);
      if (end != std::string_view::npos && posix_class(s.substr(i + 2, end - i - 2), cls)) {
        i = end + 1;
        continue;
      }
    }
    if (c == '\\' && i + 1 < s.size()) c = s[++i];
    unsigned char lo = static_cast<unsigned char>(c), hi = lo;
    if (i + 2 < s.size() && s[i + 1] == '-' && s[i + 2] != ']') {
      hi = static_cast<unsigned char>(s[i + 2]);
      i += 2;
    }
    for (unsigned v = lo; v <= hi && v < 128; ++v) cls.ascii.set(v);
  }
  if (i >= s.size()) return std::string_view::npos;
  if (negated) {
    cls.ascii.flip();
    cls.non_ascii = true;
  }
  return i + 1;
}

detail::GlobSegment compile_segment(std::string_view s) {
  using detail::GlobToken;
  detail::GlobSegment seg;
  if (s == "**") {
    seg.kind = detail::GlobSegment::Kind::Globstar;
    return seg;
  }
  bool special = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      c = i + 1 < s.size() ? s[++i] : '\\';
      seg.tokens.push_back({GlobToken::Kind::Char, static_cast<unsigned char>(c)});
    } else if (c == '*') {
      special = true;
      if (seg.tokens.empty() || seg.tokens.back().kind != GlobToken::Kind::Star)
        seg.tokens.push_back({GlobToken::Kind::Star});
    } else if (c == '?') {
      special = true;
      seg.tokens.push_back({GlobToken::Kind::AnyChar});
    } else if (detail::CharClass cls; c == '[' && seg.classes.size() < 0xffff) {
      std::size_t next = parse_class(s, i, cls);
      if (next == std::string_view::npos) {
        seg.tokens.push_back({GlobToken::Kind::Char, '['});
        continue;
      }
      special = true;
      seg.tokens.push_back({GlobToken::Kind::Class, 0, static_cast<std::uint16_t>(seg.classes.size())});
      seg.classes.push_back(cls);
      i = next - 1;
    } else {
      seg.tokens.push_back({GlobToken::Kind::Char, static_cast<unsigned char>(c)});
    }
  }
  if (!special) {
    for (const auto& t : seg.tokens) seg.literal.push_back(static_cast<char>(t.ch));
    seg.tokens.clear();
  } else {
    seg.kind = detail::GlobSegment::Kind::Pattern;
  }
  return seg;
}

// Wildcard matching with one backtrack point: linear in practice, never exponential.
bool match_segment(const detail::GlobSegment& seg, std::string_view s) {
  using K = detail::GlobToken::Kind;
  if (seg.kind == detail::GlobSegment::Kind::Literal) return seg.literal == s;
  if (seg.kind == detail::GlobSegment::Kind::Globstar) return true;
  const auto& tokens = seg.tokens;
  std::size_t ti = 0, si = 0, star_t = std::string::npos, star_s = 0;
  while (si < s.size()) {
    if (ti < tokens.size()) {
      const auto& t = tokens[ti];
      if (t.kind == K::Star) {
        star_t = ti++;
        star_s = si;
        continue;
      }
      if (t.kind == K::Char && static_cast<unsigned char>(s[si]) == t.ch) {
        ++ti, ++si;
        continue;
      }
      if (t.kind == K::AnyChar) {
        ++ti, si += utf8_length(s, si);
        continue;
      }
      if (t.kind == K::Class) {
        auto c = static_cast<unsigned char>(s[si]);
        const auto& cls = seg.classes[t.class_index];
        if (c < 128 ? cls.ascii.test(c) : cls.non_ascii) {
          ++ti, si += utf8_length(s, si);
          continue;
        }
      }
    }
    if (star_t == std::string::npos) return false;
    ti = star_t + 1;
    star_s += utf8_length(s, star_s);
    si = star_s;
  }
  while (ti < tokens.size() && tokens[ti].kind == K::Star) ++ti;
  return ti == tokens.size();
}

// The same algorithm one level up: `**` segments are the stars, path segments the characters.
bool match_segments(std::span<const detail::GlobSegment> pat, std::span<const std::string_view> segs) {
  using Kind = detail::GlobSegment::Kind;
  std::size_t p = 0, s = 0, star_p = std::string::npos, star_s = 0;
  while (s < segs.size()) {
    if (p < pat.size() && pat[p].kind == Kind::Globstar) {
      star_p = p++;
      star_s = s;
      continue;
    }
    if (p < pat.size() && match_segment(pat[p], segs[s])) {
      ++p, ++s;
      continue;
    }
    if (star_p == std::string::npos) return false;
    p = star_p + 1;
    s = ++star_s;
  }
  while (p < pat.size() && pat[p].kind == Kind::Globstar) ++p;
  return p == pat.size();
}

bool has_extglob(std::string_view s) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i + 1] == '(' && (s[i] == '@' || s[i] == '!' || s[i] == '+' || s[i] == '*' || s[i] == '?'))
      return true;
  }
  return false;
}

}  // namespace

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out.push_back(path.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

Glob::Glob(std::string_view pattern) : m_text(pattern) {
  if (pattern.empty()) throw UserError("empty package pattern; remove it from package.patterns");
  if (pattern.size() > kMaxPatternLength)
    throw UserError("package pattern '" + std::string(pattern.substr(0, 40)) +
                    "...' is longer than 4096 characters; shorten it");
  if (has_extglob(pattern))
    throw UserError(
        "package pattern '" + std::string(pattern) +
        "' uses an extglob such as @(a|b), which stratus does not support; write alternatives with "
        "braces: {a,b}");
  for (const std::string& alternative : expand_braces(pattern)) {
    std::string_view text = alternative;
    while (text.starts_with("./")) text.remove_prefix(2);
    Alternative segments;
    for (std::string_view seg : split_segments(text)) segments.push_back(compile_segment(seg));
    m_alternatives.push_back(std::move(segments));
  }
}

bool Glob::matches(std::span<const std::string_view> segments) const {
  for (const auto& alt : m_alternatives)
    if (match_segments(alt, segments)) return true;
  return false;
}

bool Glob::matches(std::string_view path) const {
  auto segments = split_segments(path);
  return matches(segments);
}

bool Glob::may_match_below(std::span<const std::string_view> dir) const {
  for (const auto& alt : m_alternatives) {
    std::size_t p = 0;
    bool possible = true;
    for (std::size_t i = 0; i < dir.size() && possible; ++i, ++p) {
      if (p >= alt.size())
        possible = false;
      else if (alt[p].kind == detail::GlobSegment::Kind::Globstar)
        return true;
      else
        possible = match_segment(alt[p], dir[i]);
    }
    if (possible && p < alt.size()) return true;
  }
  return false;
}

bool Glob::matches_everything_below(std::span<const std::string_view> dir) const {
  for (const auto& alt : m_alternatives) {
    if (alt.empty() || alt.back().kind != detail::GlobSegment::Kind::Globstar) continue;
    std::span<const detail::GlobSegment> prefix(alt.data(), alt.size() - 1);
    // "prefix/**" matches every path below any folder the prefix matches, so below `dir` too
    // when the prefix matches `dir` or one of its ancestors.
    for (std::size_t n = 0; n <= dir.size(); ++n)
      if (match_segments(prefix, dir.first(n))) return true;
  }
  return false;
}

void PatternSet::add(std::string_view pattern) {
  std::string text(pattern);
  bool exclude = pattern.starts_with('!');
  if (exclude) pattern.remove_prefix(1);
  bool negate = false;
  while (pattern.starts_with('!')) {
    negate = !negate;
    pattern.remove_prefix(1);
  }
  m_rules.push_back({exclude, negate, Glob(pattern)});
  m_texts.push_back(std::move(text));
}

void PatternSet::add_all(std::span<const std::string> patterns) {
  for (const auto& p : patterns) add(p);
}

bool PatternSet::includes(std::span<const std::string_view> segments) const {
  for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it)
    if (it->glob.matches(segments) != it->negate) return !it->exclude;
  return true;
}

bool PatternSet::includes(std::string_view path) const {
  auto segments = split_segments(path);
  return includes(segments);
}

bool PatternSet::excludes_everything_below(std::span<const std::string_view> dir) const {
  // Excludes only ever remove files; so the folder is lost for good once an exclude covers it
  // and no later include can reach into it.
  for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it) {
    if (!it->exclude) {
      if (it->glob.may_match_below(dir)) return false;
    } else if (!it->negate && it->glob.matches_everything_below(dir)) {
      return true;
    }
  }
  return false;
}

std::string escape_glob(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    // '!' only means something in front; '@' and '+' only before '(', which gets escaped.
    if (std::string_view("*?[]{}()\\").find(c) != std::string_view::npos || (c == '!' && i == 0))
      out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> default_excludes() {
  return {"!.git/**",
          "!.gitignore",
          "!.DS_Store",
          "!npm-debug.log",
          "!yarn-*.log",
          "!.serverless/**",
          "!.serverless_plugins/**",
          "!.stratus/**"};
}

}  // namespace stratus::package
