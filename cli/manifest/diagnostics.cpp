#include "cli/manifest/diagnostics.hpp"

#include <algorithm>
#include <tuple>

namespace stratus::manifest {

void Diagnostics::error(const Mark& mark, std::string path, std::string message) {
  add({Severity::Error, mark, std::move(path), std::move(message)});
}

void Diagnostics::warning(const Mark& mark, std::string path, std::string message) {
  add({Severity::Warning, mark, std::move(path), std::move(message)});
}

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::Error) ++m_errors;
  m_items.push_back(std::move(d));
}

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = m_items;
  auto key = [](const Diagnostic& d) {
    return std::tuple(d.severity != Severity::Error, d.mark.file, d.mark.line, d.mark.column);
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  auto same = [](const Diagnostic& a, const Diagnostic& b) {
    return a.severity == b.severity && a.mark.file == b.mark.file && a.mark.line == b.mark.line &&
           a.mark.column == b.mark.column && a.message == b.message;
  };
  out.erase(std::unique(out.begin(), out.end(), same), out.end());
  return out;
}

std::optional<std::string_view> Sources::line(const std::string& file, int line) const {
  auto it = m_texts.find(file);
  if (it == m_texts.end() || line < 1) return std::nullopt;
  std::string_view text = it->second;
  std::size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    pos = text.find('\n', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
  }
  auto end = text.find('\n', pos);
  auto out = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

std::string location(const Mark& mark) {
  if (mark.file.empty()) return "";
  if (!mark.known()) return mark.file;
  return mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

std::string render(const Diagnostic& d, const Sources& sources, bool color) {
  const char* red = color ? "\033[1;31m" : "";
  const char* yellow = color ? "\033[1;33m" : "";
  const char* green = color ? "\033[1;32m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::string out = "stratus: ";
  out += d.severity == Severity::Error ? std::string(red) + "error" : std::string(yellow) + "warning";
  out += reset;
  out += ": ";
  if (auto loc = location(d.mark); !loc.empty()) out += loc + ": ";
  out += d.message;
  out += '\n';
  if (auto line = sources.line(d.mark.file, d.mark.line)) {
    out += *line;
    out += '\n';
    // Keep tabs so the caret lines up under the same column in a terminal.
    std::string pad;
    for (int i = 0; i + 1 < d.mark.column && i < static_cast<int>(line->size()); ++i)
      pad += (*line)[static_cast<std::size_t>(i)] == '\t' ? '\t' : ' ';
    out += pad + green + "^" + reset + "\n";
  }
  return out;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
  // ("htpp" -> "http") each cost one.
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::optional<std::string> did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  const std::string lw = lower(word);
  for (const auto& c : candidates) {
    if (c == word) continue;
    // A case-only difference is the likeliest mistake of all.
    std::size_t d = lower(c) == lw ? 0 : edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (best || word.size() < 2) return best;
  // A word that is the start of exactly one candidate ("arm" for "arm64") means that one.
  std::optional<std::string> prefixed;
  for (const auto& c : candidates)
    if (c.size() > word.size() && lower(c).rfind(lw, 0) == 0) {
      if (prefixed) return std::nullopt;
      prefixed = c;
    }
  return prefixed;
}

std::string did_you_mean_suffix(std::string_view word, std::span<const std::string> candidates) {
  auto m = did_you_mean(word, candidates);
  return m ? " (did you mean '" + *m + "'?)" : "";
}

}  // namespace stratus::manifest
