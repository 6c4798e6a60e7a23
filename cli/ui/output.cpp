#include "cli/ui/output.hpp"

#include <unistd.h>

#include <cstdlib>

namespace stratus::ui {

bool Output::interactive() const {
  return isatty(fileno(m_human)) != 0;
}

void Output::data(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), m_data);
  std::fflush(m_data);
}

void Output::info(std::string_view text) {
  std::fprintf(m_human, "%.*s\n", static_cast<int>(text.size()), text.data());
}

void Output::warning(std::string_view text) {
  std::fprintf(m_human, "stratus: %s: %.*s\n", yellow("warning").c_str(), static_cast<int>(text.size()),
               text.data());
}

void Output::verbose(std::string_view text) {
  if (m_options.verbose) info(dim(text));
}

std::string Output::style(const char* code, std::string_view s) const {
  if (!m_options.color) return std::string(s);
  return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
}

std::string Output::bold(std::string_view s) const {
  return style("1", s);
}
std::string Output::dim(std::string_view s) const {
  return style("2", s);
}
std::string Output::green(std::string_view s) const {
  return style("32", s);
}
std::string Output::yellow(std::string_view s) const {
  return style("1;33", s);
}

bool should_color(bool no_color_flag, std::FILE* stream) {
  if (no_color_flag) return false;
  if (std::getenv("NO_COLOR") != nullptr) return false;
  return isatty(fileno(stream)) != 0;
}

}  // namespace stratus::ui
