#pragma once
// Progress of long work (packaging, uploads, network calls). Work reports to a ProgressSink, so
// tests can observe it; a ProgressDisplay renders it for people on stderr: on a terminal one bar
// line redrawn in place, otherwise one plain line per finished task; nothing when silent.
// A task begun with total 0 has no count: on a terminal it is a status line (spinner, what is
// being done, elapsed time), e.g. while one call waits on the network.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
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
// For status lines only worth seeing live (info, invoke, logs): Bar on a terminal, Silent
// otherwise, so logs of CI runs stay as they were; Silent when asked (--json, --verbose).
ProgressStyle choose_status_style(bool interactive, bool silent);

class ProgressDisplay final : public ProgressSink {
 public:
  // `verb` starts the bar ("packaging"), `unit` ends it ("files").
  ProgressDisplay(std::FILE* stream, ProgressStyle style, std::string verb = "packaging",
                  std::string unit = "files");
  ~ProgressDisplay() override;  // erases a bar still on screen

  // `total` 0: a status line (see format_status_line) instead of a bar.
  void begin(std::string_view task, std::size_t total) override;
  void advance(std::string_view task, std::size_t done) override;
  // Bar: the bar line is replaced by `summary`. Lines: prints `summary`. An empty `summary` prints
  // nothing: the line is only erased, so whatever the command prints next starts on a clean line.
  void end(std::string_view task, std::string_view summary) override;

  // What the task is at now ("page 2, 150 events"), shown after its name; drawn at once.
  void detail(std::string_view task, std::string_view text);
  // Redraws the newest task's line when it is due (every 100 ms), so a status line's spinner and
  // elapsed time move while nothing else happens. Cheap to call often.
  void tick();
  ProgressStyle style() const { return m_style; }

 private:
  struct Task {
    std::string name;
    std::size_t total = 0;
    std::size_t done = 0;
    std::string detail;
    std::chrono::steady_clock::time_point started;
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

// Keeps a ProgressDisplay's status line moving while the caller blocks (one network call that
// gives no progress of its own): a thread calls display.tick() every `interval`. While it lives,
// only it calls the display. The destructor stops and joins the thread, also when the call
// throws. Starts no thread when the display is not a Bar.
class StatusTicker {
 public:
  explicit StatusTicker(ProgressDisplay& display,
                        std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  ~StatusTicker();
  StatusTicker(const StatusTicker&) = delete;
  StatusTicker& operator=(const StatusTicker&) = delete;

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// "packaging hello.zip [#####     ] 52% 1234/2400 files" with a `width`-cell bar (no unit: it ends
// at the count).
std::string format_bar_line(std::string_view verb, std::string_view task, std::size_t done, std::size_t total,
                            std::string_view unit, int width = 20);

// A status line: a spinner frame (| / - \ in turn, one per 125 ms of `elapsed`), the verb and
// task, ": detail" when there is one, "..." and the elapsed seconds:
// "/ invoking hello (app-dev-hello)... 1.2s", "| fetching logs: page 2, 150 events... 0.4s".
// An empty verb is left out.
std::string format_status_line(std::string_view verb, std::string_view task, std::string_view detail,
                               std::chrono::milliseconds elapsed);

// Bytes for people, SI units: "812 B", "3.4 kB", "12.0 MB", "1.2 GB".
std::string format_size(std::uint64_t bytes);

}  // namespace stratus::ui
