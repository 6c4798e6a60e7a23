#include "cli/package/braces.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "cli/errors.hpp"

namespace stratus::package {

namespace {

constexpr std::size_t kMaxAlternatives = 1024;

[[noreturn]] void fail(std::string_view pattern, const std::string& why) {
  throw UserError("package pattern '" + std::string(pattern) + "' " + why);
}

// Index of the '}' closing the '{' at `open`, honouring nesting and escapes; npos if none.
std::size_t matching_brace(std::string_view s, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::vector<std::string> split_top_level_commas(std::string_view inner) {
  std::vector<std::string> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\') {
      ++i;
    } else if (inner[i] == '{') {
      ++depth;
    } else if (inner[i] == '}') {
      --depth;
    } else if (inner[i] == ',' && depth == 0) {
      parts.emplace_back(inner.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.emplace_back(inner.substr(start));
  return parts;
}

bool parse_int(std::string_view s, long& out) {
  if (s.empty() || s.size() > 9) return false;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (std::size_t j = i; j < s.size(); ++j)
    if (s[j] < '0' || s[j] > '9') return false;
  out = std::strtol(std::string(s).c_str(), nullptr, 10);
  return true;
}

// "{1..3}", "{01..10}", "{a..e}", "{1..9..2}" -> the values; false when `inner` is no range.
bool expand_range(std::string_view pattern, std::string_view inner, std::vector<std::string>& out) {
  std::size_t dots = inner.find("..");
  if (dots == std::string_view::npos) return false;
  std::string_view from = inner.substr(0, dots), rest = inner.substr(dots + 2);
  std::string_view to = rest, step_text;
  if (std::size_t d2 = rest.find(".."); d2 != std::string_view::npos) {
    to = rest.substr(0, d2);
    step_text = rest.substr(d2 + 2);
  }
  long step = 1;
  if (!step_text.empty() && (!parse_int(step_text, step) || step == 0)) return false;
  step = std::labs(step);
  long a = 0, b = 0;
  bool numeric = parse_int(from, a) && parse_int(to, b);
  bool letters = !numeric && from.size() == 1 && to.size() == 1 &&
                 std::isalpha(static_cast<unsigned char>(from[0])) &&
                 std::isalpha(static_cast<unsigned char>(to[0]));
  if (!numeric && !letters) return false;
  if (letters) a = from[0], b = to[0];
  if (std::labs(b - a) / step >= static_cast<long>(kMaxAlternatives))
    fail(pattern, "expands to more than 1024 alternatives; simplify its braces");
  // Zero padding as the braces package does it: when an end is written with a leading zero.
  std::size_t width = 0;
  auto padded = [](std::string_view s) {
    return s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'));
  };
  if (numeric && (padded(from) || padded(to))) width = std::max(from.size(), to.size());
  for (long v = a; a <= b ? v <= b : v >= b; v += a <= b ? step : -step) {
    if (letters) {
      out.emplace_back(1, static_cast<char>(v));
      continue;
    }
    std::string digits = std::to_string(std::labs(v));
    std::size_t len = digits.size() + (v < 0 ? 1 : 0);
    if (len < width) digits.insert(0, width - len, '0');
    out.push_back(v < 0 ? "-" + digits : digits);
  }
  return true;
}

// Brace expansion without recursion: a work list of (text, where to look for the next brace).
}  // namespace

std::vector<std::string> expand_braces(std::string_view pattern) {
  std::vector<std::pair<std::string, std::size_t>> work{{std::string(pattern), 0}};
  std::vector<std::string> done;
  while (!work.empty()) {
    auto [text, from] = std::move(work.back());
    work.pop_back();
    bool expanded = false;
    for (std::size_t i = from; i < text.size() && !expanded; ++i) {
      if (text[i] == '\\') {
        ++i;
        continue;
      }
      if (text[i] != '{') continue;
      std::size_t close = matching_brace(text, i);
      if (close == std::string::npos) break;
      std::string_view inner = std::string_view(text).substr(i + 1, close - i - 1);
      std::vector<std::string> alternatives = split_top_level_commas(inner);
      if (alternatives.size() < 2) {
        alternatives.clear();
        if (!expand_range(pattern, inner, alternatives)) continue;  // literal braces; look inside
      }
      if (done.size() + work.size() + alternatives.size() > kMaxAlternatives)
        fail(pattern, "expands to more than 1024 alternatives; simplify its braces");
      std::string prefix = text.substr(0, i), suffix = text.substr(close + 1);
      // Pushed in reverse so alternatives come out in written order.
      for (auto it = alternatives.rbegin(); it != alternatives.rend(); ++it)
        work.emplace_back(prefix + *it + suffix, i);
      expanded = true;
    }
    if (!expanded) done.push_back(std::move(text));
  }
  return done;
}

}  // namespace stratus::package
