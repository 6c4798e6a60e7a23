#pragma once
// Small text helpers shared by the SigV4 signer and verifier (not part of the public contract).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::auth {

inline std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

inline std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Trimmed, with every run of whitespace inside turned into one space (SigV4 header values).
inline std::string collapse_spaces(std::string_view text) {
  text = trim(text);
  std::string out;
  out.reserve(text.size());
  bool in_space = false;
  for (char c : text) {
    if (is_space(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

inline std::string join(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// `a=1&b&c=` -> {a,1} {b,""} {c,""}, still encoded; empty pieces are dropped.
inline std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view raw) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  while (!raw.empty()) {
    std::size_t amp = raw.find('&');
    std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(piece, std::string_view{});
    } else {
      out.emplace_back(piece.substr(0, eq), piece.substr(eq + 1));
    }
  }
  return out;
}

}  // namespace stratus::auth
