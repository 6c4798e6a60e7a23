#include "cli/ui/progress.hpp"

#include <algorithm>

namespace stratus::ui {

namespace {

// Redrawing more often than this only costs terminal bandwidth.
constexpr auto kRedrawInterval = std::chrono::milliseconds(50);

}  // namespace

ProgressStyle choose_progress_style(bool interactive, bool silent) {
  if (silent) return ProgressStyle::Silent;
  return interactive ? ProgressStyle::Bar : ProgressStyle::Lines;
}

std::string format_bar_line(std::string_view verb, std::string_view task, std::size_t done, std::size_t total,
                            std::string_view unit, int width) {
  done = std::min(done, total);
  int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  int filled = total == 0 ? width : static_cast<int>(done * static_cast<std::size_t>(width) / total);
  std::string line;
  line.append(verb).append(" ").append(task).append(" [");
  line.append(static_cast<std::size_t>(filled), '#').append(static_cast<std::size_t>(width - filled), ' ');
  line.append("] ").append(std::to_string(percent)).append("% ");
  line.append(std::to_string(done)).append("/").append(std::to_string(total)).append(" ").append(unit);
  return line;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (value >= 999.95 && unit + 1 < std::size(kUnits)) value /= 1000, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

ProgressDisplay::ProgressDisplay(std::FILE* stream, ProgressStyle style, std::string verb, std::string unit)
    : m_stream(stream), m_style(style), m_verb(std::move(verb)), m_unit(std::move(unit)) {}

ProgressDisplay::~ProgressDisplay() {
  erase();
}

void ProgressDisplay::begin(std::string_view task, std::size_t total) {
  m_tasks.push_back({std::string(task), total, 0});
  if (m_style == ProgressStyle::Bar) draw(m_tasks.back(), true);
}

void ProgressDisplay::advance(std::string_view task, std::size_t done) {
  auto it = std::find_if(m_tasks.begin(), m_tasks.end(), [&](const Task& t) { return t.name == task; });
  if (it == m_tasks.end()) return;
  it->done = done;
  if (m_style == ProgressStyle::Bar) draw(*it, done >= it->total);
}

void ProgressDisplay::end(std::string_view task, std::string_view summary) {
  std::erase_if(m_tasks, [&](const Task& t) { return t.name == task; });
  if (m_style == ProgressStyle::Silent) return;
  erase();
  std::fprintf(m_stream, "%.*s\n", static_cast<int>(summary.size()), summary.data());
  // Tasks running in parallel keep their bar.
  if (m_style == ProgressStyle::Bar && !m_tasks.empty()) draw(m_tasks.back(), true);
  std::fflush(m_stream);
}

void ProgressDisplay::draw(const Task& task, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && m_bar_shown && now - m_last_draw < kRedrawInterval) return;
  m_last_draw = now;
  // "\r" back to column 0, "\033[K" clears what a longer previous line left.
  std::string line = format_bar_line(m_verb, task.name, task.done, task.total, m_unit);
  std::fprintf(m_stream, "\r%s\033[K", line.c_str());
  std::fflush(m_stream);
  m_bar_shown = true;
}

void ProgressDisplay::erase() {
  if (!m_bar_shown) return;
  std::fputs("\r\033[K", m_stream);
  std::fflush(m_stream);
  m_bar_shown = false;
}

}  // namespace stratus::ui
