#include "cli/ui/progress.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

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

}  // namespace
}  // namespace stratus::ui
