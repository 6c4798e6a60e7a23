#include "emulator/platform/filter_pattern.hpp"

namespace stratus::platform {

std::optional<FilterPattern> FilterPattern::parse(std::string_view text, std::string& error) {
  FilterPattern p;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  skip_space();
  if (i < text.size() && (text[i] == '{' || text[i] == '[')) {
    error =
        "JSON ({ $.field = value }) and space-delimited ([a, b]) filter patterns are not supported by "
        "stratus serve; use terms and \"quoted phrases\"";
    return std::nullopt;
  }
  while (i < text.size()) {
    char kind = ' ';
    if (text[i] == '?' || text[i] == '-') kind = text[i++];
    std::string term;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          term += text[i + 1];
          i += 2;
        } else if (text[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          term += text[i++];
        }
      }
      if (!closed) {
        error = "the filter pattern has an unterminated quote: " + std::string(text);
        return std::nullopt;
      }
    } else {
      while (i < text.size() && text[i] != ' ' && text[i] != '\t') term += text[i++];
    }
    if (!term.empty()) (kind == '?' ? p.m_any : kind == '-' ? p.m_none : p.m_all).push_back(std::move(term));
    skip_space();
  }
  return p;
}

bool FilterPattern::matches(std::string_view message) const {
  for (const auto& t : m_all)
    if (message.find(t) == std::string_view::npos) return false;
  for (const auto& t : m_none)
    if (message.find(t) != std::string_view::npos) return false;
  if (m_any.empty()) return true;
  for (const auto& t : m_any)
    if (message.find(t) != std::string_view::npos) return true;
  return false;
}

}  // namespace stratus::platform
