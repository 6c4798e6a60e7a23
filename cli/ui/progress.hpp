#pragma once
// Progress of long work (packaging, uploads). Work reports to a ProgressSink, so tests can
// observe it; a ProgressDisplay renders it for people on stderr: on a terminal one bar line
// redrawn in place, otherwise one plain line per finished task; nothing when silent.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::ui {

// Calls come from one thread at a time (callers that work in parallel serialize them).
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void begin(std::string_view task, std::size_t total) = 0;       // `total` units to do
  virtual void advance(std::string_view task, std::size_t done) = 0;      // `done` of them so far
  virtual void end(std::string_view task, std::string_view summary) = 0;  // finished: one line
};

enum class ProgressStyle { Bar, Lines, Silent };

// Bar on a terminal, Lines otherwise, Silent when asked (--json keeps stderr quiet too).
ProgressStyle choose_progress_style(bool interactive, bool silent);

class ProgressDisplay final : public ProgressSink {
 public:
  // `verb` starts the bar ("packaging"), `unit` ends it ("files").
  ProgressDisplay(std::FILE* stream, ProgressStyle style, std::string verb = "packaging",
                  std::string unit = "files");
  ~ProgressDisplay() override;  // erases a bar still on screen

  void begin(std::string_view task, std::size_t total) override;
  void advance(std::string_view task, std::size_t done) override;
  // Bar: the bar line is replaced by `summary`. Lines: prints `summary`.
  void end(std::string_view task, std::string_view summary) override;

 private:
  struct Task {
    std::string name;
    std::size_t total = 0;
    std::size_t done = 0;
  };
  void draw(const Task& task, bool force);
  void erase();

  std::FILE* m_stream;
  ProgressStyle m_style;
  std::string m_verb;
  std::string m_unit;
  std::vector<Task> m_tasks;  // begun and not yet ended
  bool m_bar_shown = false;
  std::chrono::steady_clock::time_point m_last_draw{};
};

// "packaging hello.zip [#####     ] 52% 1234/2400 files" with a `width`-cell bar.
std::string format_bar_line(std::string_view verb, std::string_view task, std::size_t done, std::size_t total,
                            std::string_view unit, int width = 20);

// Bytes for people, SI units: "812 B", "3.4 kB", "12.0 MB", "1.2 GB".
std::string format_size(std::uint64_t bytes);

}  // namespace stratus::ui
