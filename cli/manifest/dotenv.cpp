#include "cli/manifest/dotenv.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace stratus::manifest {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}
bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return std::string(s);
}

std::string unescape_newlines(std::string v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == 'n' || v[i + 1] == 'r')) {
      out += v[i + 1] == 'n' ? '\n' : '\r';
      ++i;
    } else {
      out += v[i];
    }
  }
  return out;
}

std::size_t line_end(std::string_view s, std::size_t from) {
  auto nl = s.find('\n', from);
  return nl == std::string_view::npos ? s.size() : nl;
}

// A quoted value starting at `at`: its inside and the position after the end of its line, when
// only blanks and a comment follow the closing quote (otherwise dotenv reads it unquoted).
bool quoted_value(std::string_view s, std::size_t at, std::string& value, std::size_t& next) {
  char q = s[at];
  std::size_t j = at + 1;
  while (j < s.size() && s[j] != q) j += (s[j] == '\\' && j + 1 < s.size() && s[j + 1] == q) ? 2 : 1;
  if (j >= s.size()) return false;
  std::size_t k = j + 1;
  while (k < s.size() && is_blank(s[k])) ++k;
  if (k < s.size() && s[k] == '#') k = line_end(s, k);
  if (k < s.size() && s[k] != '\n') return false;
  value = std::string(s.substr(at + 1, j - at - 1));
  if (q == '"') value = unescape_newlines(value);
  next = k;
  return true;
}

void set(std::vector<std::pair<std::string, std::string>>& pairs, std::string key, std::string value) {
  for (auto& [k, v] : pairs)
    if (k == key) {
      v = std::move(value);
      return;
    }
  pairs.emplace_back(std::move(key), std::move(value));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view input) {
  std::string text;
  text.reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] == '\r') {
      text += '\n';
      if (i + 1 < input.size() && input[i + 1] == '\n') ++i;
    } else {
      text += input[i];
    }
  }
  std::string_view s = text;
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (is_blank(s[i]) || s[i] == '\n')) ++i;
    std::size_t eol = line_end(s, i);
    if (s.substr(i, 6) == "export" && i + 6 < eol && is_blank(s[i + 6])) {
      std::size_t k = i + 6;
      while (k < eol && is_blank(s[k])) ++k;
      if (k < eol && is_key_char(s[k])) i = k;
    }
    std::size_t key_start = i;
    while (i < eol && is_key_char(s[i])) ++i;
    std::string key(s.substr(key_start, i - key_start));
    std::size_t sep = i;
    while (sep < eol && is_blank(s[sep])) ++sep;
    bool ok = !key.empty() && sep < eol &&
              (s[sep] == '=' || (s[sep] == ':' && sep == i && sep + 1 < eol && is_blank(s[sep + 1])));
    if (!ok) {
      i = eol;
      continue;
    }
    std::size_t v = sep + 1;
    while (v < eol && is_blank(s[v])) ++v;
    std::string value;
    std::size_t next = 0;
    if (v < s.size() && (s[v] == '\'' || s[v] == '"' || s[v] == '`') && quoted_value(s, v, value, next)) {
      set(pairs, std::move(key), std::move(value));
      i = next;
      continue;
    }
    std::size_t end = v;
    while (end < eol && s[end] != '#') ++end;
    value = trim(s.substr(v, end - v));
    // A value like `"abc" junk` is read unquoted; one that is still wrapped in quotes loses them.
    char first = value.empty() ? '\0' : value.front();
    if (value.size() >= 2 && (first == '\'' || first == '"' || first == '`') && value.back() == first)
      value = value.substr(1, value.size() - 2);
    if (first == '"') value = unescape_newlines(value);
    set(pairs, std::move(key), std::move(value));
    i = eol;
  }
  return pairs;
}

namespace {

constexpr int kMaxExpandDepth = 8;
constexpr std::size_t kMaxExpandedSize = 1 << 20;

struct Expander {
  const std::vector<std::pair<std::string, std::string>>& raw;
  const std::map<std::string, std::string>& env;

  std::string lookup(const std::string& name, int depth) const {
    if (auto it = env.find(name); it != env.end()) return it->second;
    for (const auto& [k, v] : raw)
      if (k == name) return depth < kMaxExpandDepth ? expand(v, depth + 1) : std::string();
    return {};
  }

  std::string expand(std::string_view v, int depth) const {
    std::string out;
    for (std::size_t i = 0; i < v.size() && out.size() <= kMaxExpandedSize;) {
      if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (v[i] != '$' || i + 1 >= v.size()) {
        out += v[i++];
        continue;
      }
      if (v[i + 1] == '{') {
        std::size_t close = v.find('}', i + 2);
        std::size_t n = i + 2;
        while (n < v.size() && is_name_char(v[n])) ++n;
        bool has_default = v.substr(n, 2) == ":-";
        if (close == std::string_view::npos || n == i + 2 || (n != close && !has_default)) {
          out += v[i++];
          continue;
        }
        std::string value = lookup(std::string(v.substr(i + 2, n - i - 2)), depth);
        if (value.empty() && has_default) value = std::string(v.substr(n + 2, close - n - 2));
        out += value;
        i = close + 1;
        continue;
      }
      std::size_t n = i + 1;
      while (n < v.size() && is_name_char(v[n])) ++n;
      if (n == i + 1) {
        out += v[i++];
        continue;
      }
      out += lookup(std::string(v.substr(i + 1, n - i - 1)), depth);
      i = n;
    }
    return out;
  }
};

}  // namespace

void expand_dotenv(std::vector<std::pair<std::string, std::string>>& pairs,
                   const std::map<std::string, std::string>& env) {
  const auto raw = pairs;
  Expander ex{raw, env};
  for (auto& [key, value] : pairs) value = ex.expand(value, 0);
}

DotenvFile load_dotenv(const std::filesystem::path& dir, const std::string& stage,
                       const std::map<std::string, std::string>& env) {
  DotenvFile out;
  std::error_code ec;
  for (auto name : {".env." + stage, std::string(".env")}) {
    if (std::filesystem::exists(dir / name, ec)) {
      out.path = dir / name;
      break;
    }
  }
  if (!out.path) return out;
  if (std::filesystem::is_directory(*out.path, ec)) {
    out.error = std::strerror(EISDIR);
    return out;
  }
  std::ifstream in(*out.path, std::ios::binary);
  if (!in) {
    out.error = std::strerror(errno);
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();  // an empty file sets failbit on `text`, which is fine
  auto pairs = parse_dotenv(text.str());
  expand_dotenv(pairs, env);
  for (auto& [k, v] : pairs) out.values[k] = std::move(v);
  return out;
}

}  // namespace stratus::manifest
