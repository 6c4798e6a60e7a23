#include "cli/ui/progress.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace stratus::ui {

namespace {

// Redrawing more often than this only costs terminal bandwidth.
constexpr auto kRedrawInterval = std::chrono::milliseconds(50);
// A status line's elapsed time shows tenths; redrawing faster would not change it.
constexpr auto kTickInterval = std::chrono::milliseconds(100);

}  // namespace

ProgressStyle choose_progress_style(bool interactive, bool silent) {
  if (silent) return ProgressStyle::Silent;
  return interactive ? ProgressStyle::Bar : ProgressStyle::Lines;
}

ProgressStyle choose_status_style(bool interactive, bool silent) {
  return interactive && !silent ? ProgressStyle::Bar : ProgressStyle::Silent;
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
  line.append(std::to_string(done)).append("/").append(std::to_string(total));
  if (!unit.empty()) line.append(" ").append(unit);
  return line;
}

std::string format_status_line(std::string_view verb, std::string_view task, std::string_view detail,
                               std::chrono::milliseconds elapsed) {
  static constexpr char kFrames[] = {'|', '/', '-', '\\'};
  const auto ms = std::max<std::chrono::milliseconds::rep>(elapsed.count(), 0);
  std::string line(1, kFrames[static_cast<std::size_t>(ms / 125) % std::size(kFrames)]);
  line.append(" ");
  if (!verb.empty()) line.append(verb).append(" ");
  line.append(task);
  if (!detail.empty()) line.append(": ").append(detail);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "... %lld.%llds", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000 / 100));
  return line.append(seconds);
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
  m_tasks.push_back({std::string(task), total, 0, "", std::chrono::steady_clock::now()});
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
  if (!summary.empty()) std::fprintf(m_stream, "%.*s\n", static_cast<int>(summary.size()), summary.data());
  // Tasks running in parallel keep their bar.
  if (m_style == ProgressStyle::Bar && !m_tasks.empty()) draw(m_tasks.back(), true);
  std::fflush(m_stream);
}

void ProgressDisplay::detail(std::string_view task, std::string_view text) {
  auto it = std::find_if(m_tasks.begin(), m_tasks.end(), [&](const Task& t) { return t.name == task; });
  if (it == m_tasks.end()) return;
  it->detail = std::string(text);
  if (m_style == ProgressStyle::Bar) draw(*it, true);
}

void ProgressDisplay::tick() {
  if (m_style != ProgressStyle::Bar || m_tasks.empty()) return;
  if (std::chrono::steady_clock::now() - m_last_draw < kTickInterval) return;
  draw(m_tasks.back(), true);
}

void ProgressDisplay::draw(const Task& task, bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && m_bar_shown && now - m_last_draw < kRedrawInterval) return;
  m_last_draw = now;
  // "\r" back to column 0, "\033[K" clears what a longer previous line left.
  std::string line =
      task.total == 0
          ? format_status_line(m_verb, task.name, task.detail,
                               std::chrono::duration_cast<std::chrono::milliseconds>(now - task.started))
          : format_bar_line(m_verb, task.name, task.done, task.total, m_unit);
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

struct StatusTicker::State {
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::thread thread;
};

StatusTicker::StatusTicker(ProgressDisplay& display, std::chrono::milliseconds interval) {
  if (display.style() != ProgressStyle::Bar) return;
  m_state = std::make_unique<State>();
  m_state->thread = std::thread([state = m_state.get(), &display, interval] {
    std::unique_lock lock(state->mutex);
    // The wait ends at once when the destructor asks, so joining never waits a whole interval.
    while (!state->wake.wait_for(lock, interval, [state] { return state->stop; })) display.tick();
  });
}

StatusTicker::~StatusTicker() {
  if (!m_state) return;
  {
    std::lock_guard lock(m_state->mutex);
    m_state->stop = true;
  }
  m_state->wake.notify_one();
  m_state->thread.join();
}

}  // namespace stratus::ui
