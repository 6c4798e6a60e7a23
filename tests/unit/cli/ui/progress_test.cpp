#include "cli/ui/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

namespace stratus::ui {
namespace {

// What a ProgressDisplay wrote into a memory stream.
class Captured {
 public:
  Captured() : m_stream(open_memstream(&m_buffer, &m_size)) {}
  ~Captured() {
    std::fclose(m_stream);
    std::free(m_buffer);
  }
  std::FILE* stream() { return m_stream; }
  std::string text() {
    std::fflush(m_stream);
    return std::string(m_buffer, m_size);
  }

 private:
  char* m_buffer = nullptr;
  std::size_t m_size = 0;
  std::FILE* m_stream;
};

TEST(Progress, BarLine) {
  EXPECT_EQ(format_bar_line("packaging", "hello.zip", 1248, 2400, "files", 10),
            "packaging hello.zip [#####     ] 52% 1248/2400 files");
  EXPECT_EQ(format_bar_line("packaging", "x.zip", 0, 0, "files", 4), "packaging x.zip [####] 100% 0/0 files");
  EXPECT_EQ(format_bar_line("packaging", "x.zip", 9, 3, "files", 4), "packaging x.zip [####] 100% 3/3 files");
}

TEST(Progress, BarLineWithoutUnitEndsAtTheCount) {
  EXPECT_EQ(format_bar_line("reading", "functions", 1, 2, "", 4), "reading functions [##  ] 50% 1/2");
}

TEST(Progress, StatusLine) {
  using std::chrono::milliseconds;
  EXPECT_EQ(format_status_line("invoking", "hello (app-dev-hello)", "", milliseconds(0)),
            "| invoking hello (app-dev-hello)... 0.0s");
  EXPECT_EQ(format_status_line("", "fetching logs", "page 2, 150 events", milliseconds(1234)),
            "/ fetching logs: page 2, 150 events... 1.2s");
  // The spinner turns every 125 ms: | / - \ and round again.
  EXPECT_EQ(format_status_line("", "w", "", milliseconds(250)), "- w... 0.2s");
  EXPECT_EQ(format_status_line("", "w", "", milliseconds(375)), "\\ w... 0.3s");
  EXPECT_EQ(format_status_line("", "w", "", milliseconds(500)), "| w... 0.5s");
  EXPECT_EQ(format_status_line("", "w", "", milliseconds(61'999)), "\\ w... 61.9s");  // tenths cut
  EXPECT_EQ(format_status_line("", "w", "", milliseconds(-5)), "| w... 0.0s");
}

TEST(Progress, Sizes) {
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(999), "999 B");
  EXPECT_EQ(format_size(3400), "3.4 kB");
  EXPECT_EQ(format_size(12'000'000), "12.0 MB");
  EXPECT_EQ(format_size(999'999), "1.0 MB");
  EXPECT_EQ(format_size(1'234'000'000), "1.2 GB");
}

TEST(Progress, Style) {
  EXPECT_EQ(choose_progress_style(true, false), ProgressStyle::Bar);
  EXPECT_EQ(choose_progress_style(false, false), ProgressStyle::Lines);
  EXPECT_EQ(choose_progress_style(true, true), ProgressStyle::Silent);
  // Status lines show on a terminal only: off one (CI logs) they add nothing.
  EXPECT_EQ(choose_status_style(true, false), ProgressStyle::Bar);
  EXPECT_EQ(choose_status_style(false, false), ProgressStyle::Silent);
  EXPECT_EQ(choose_status_style(true, true), ProgressStyle::Silent);
}

TEST(Progress, LinesPrintOneLinePerTask) {
  Captured out;
  {
    ProgressDisplay d(out.stream(), ProgressStyle::Lines);
    d.begin("a.zip", 3);
    d.advance("a.zip", 1);
    d.advance("a.zip", 3);
    d.end("a.zip", "packaged a.zip: 3 files, 1.0 kB");
    d.end("b.zip", "b.zip is up to date");
  }
  EXPECT_EQ(out.text(), "packaged a.zip: 3 files, 1.0 kB\nb.zip is up to date\n");
}

TEST(Progress, BarRedrawsInPlaceAndLeavesOnlySummaries) {
  Captured out;
  {
    ProgressDisplay d(out.stream(), ProgressStyle::Bar);
    d.begin("a.zip", 2);
    d.advance("a.zip", 1);  // within 50 ms of the first draw: skipped
    d.advance("a.zip", 2);  // done: always drawn
    d.end("a.zip", "packaged a.zip");
  }
  std::string bar0 = format_bar_line("packaging", "a.zip", 0, 2, "files");
  std::string bar2 = format_bar_line("packaging", "a.zip", 2, 2, "files");
  EXPECT_EQ(out.text(), "\r" + bar0 + "\033[K\r" + bar2 + "\033[K\r\033[Kpackaged a.zip\n");
}

TEST(Progress, BarOfParallelTasksComesBackAfterASummary) {
  Captured out;
  {
    ProgressDisplay d(out.stream(), ProgressStyle::Bar);
    d.begin("a.zip", 1);
    d.begin("b.zip", 5);
    d.end("a.zip", "packaged a.zip");
  }
  std::string a = format_bar_line("packaging", "a.zip", 0, 1, "files");
  std::string b = format_bar_line("packaging", "b.zip", 0, 5, "files");
  // The destructor erases the bar still shown.
  EXPECT_EQ(out.text(),
            "\r" + a + "\033[K\r" + b + "\033[K\r\033[Kpackaged a.zip\n\r" + b + "\033[K\r\033[K");
}

TEST(Progress, SilentPrintsNothing) {
  Captured out;
  {
    ProgressDisplay d(out.stream(), ProgressStyle::Silent);
    d.begin("a.zip", 1);
    d.advance("a.zip", 1);
    d.end("a.zip", "done");
  }
  EXPECT_EQ(out.text(), "");
}

TEST(Progress, StatusLineIsDrawnThenErasedWithoutASummary) {
  Captured out;
  {
    ProgressDisplay d(out.stream(), ProgressStyle::Bar, "", "");
    d.begin("fetching logs", 0);
    d.detail("fetching logs", "page 1, 3 events");
    d.end("fetching logs", "");
    d.end("fetching logs", "");  // ended twice: nothing more
  }
  EXPECT_EQ(out.text(),
            "\r| fetching logs... 0.0s\033[K\r| fetching logs: page 1, 3 events... 0.0s\033[K\r\033[K");
}

TEST(Progress, StatusLineAndEmptySummariesPrintNothingOffATerminal) {
  for (ProgressStyle style : {ProgressStyle::Lines, ProgressStyle::Silent}) {
    Captured out;
    {
      ProgressDisplay d(out.stream(), style, "invoking", "");
      d.begin("hello", 0);
      d.detail("hello", "x");
      d.tick();
      d.end("hello", "");
    }
    EXPECT_EQ(out.text(), "");
  }
}

TEST(Progress, TickRedrawsTheNewestTaskOnlyWhenDue) {
  Captured out;
  ProgressDisplay d(out.stream(), ProgressStyle::Bar, "invoking", "");
  d.tick();  // no task: nothing
  EXPECT_EQ(out.text(), "");
  d.begin("hello", 0);
  const std::string first = out.text();
  d.tick();  // just drawn: not due
  EXPECT_EQ(out.text(), first);
  std::this_thread::sleep_for(std::chrono::milliseconds(130));
  d.tick();
  const std::string later = out.text().substr(first.size());
  EXPECT_TRUE(later.starts_with("\r")) << later;
  EXPECT_NE(later.find(" invoking hello... "), std::string::npos) << later;
  EXPECT_EQ(later.find("0.0s"), std::string::npos) << later;
  d.end("hello", "");
  EXPECT_TRUE(out.text().ends_with("\r\033[K"));
}

TEST(Progress, TickerMovesTheLineUntilItIsDestroyed) {
  Captured out;
  ProgressDisplay d(out.stream(), ProgressStyle::Bar, "invoking", "");
  d.begin("hello", 0);
  {
    StatusTicker ticker(d, std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(450));
  }
  const std::string text = out.text();
  // Redrawn from the ticker's thread, at most every 100 ms: time went on.
  std::size_t draws = 0;
  for (std::size_t at = 0; (at = text.find(" invoking hello... ", at)) != std::string::npos; ++at) ++draws;
  EXPECT_GE(draws, 3u) << text;
  EXPECT_LE(draws, 6u) << text;
  EXPECT_EQ(text.find("\r| invoking hello... 0.0s\033[K"), 0u) << text;
  // Stopped: nothing is drawn after the ticker is gone.
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(out.text(), text);
}

TEST(Progress, TickerOfASilentDisplayStartsNothing) {
  Captured out;
  ProgressDisplay d(out.stream(), ProgressStyle::Silent, "invoking", "");
  d.begin("hello", 0);
  {
    StatusTicker ticker(d, std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  EXPECT_EQ(out.text(), "");
}

TEST(Progress, TickerIsJoinedWhenTheWorkThrows) {
  Captured out;
  ProgressDisplay d(out.stream(), ProgressStyle::Bar, "invoking", "");
  d.begin("hello", 0);
  EXPECT_THROW(
      {
        StatusTicker ticker(d, std::chrono::milliseconds(10));
        throw std::runtime_error("the call failed");
      },
      std::runtime_error);
  d.end("hello", "");
  EXPECT_TRUE(out.text().ends_with("\r\033[K"));
}

}  // namespace
}  // namespace stratus::ui
