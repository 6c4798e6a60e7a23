#include "cli/run/console_sink.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace stratus::run {
namespace {

using namespace std::chrono_literals;

logs::LogRecord line(std::string text) {
  return logs::LogRecord{"svc-dev-hello", "req-1", 0, logs::LogSource::out, std::move(text), ""};
}

class ConsoleSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(m_file, nullptr); }
  void TearDown() override { std::fclose(m_file); }
  // Everything written to the stream so far.
  std::string written() {
    std::fflush(m_file);
    std::string out;
    std::rewind(m_file);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, m_file)) > 0;) out.append(buf, n);
    std::fseek(m_file, 0, SEEK_END);
    return out;
  }
  std::FILE* m_file = std::tmpfile();
};

TEST_F(ConsoleSinkTest, UnbatchedWritesEachLineAtOnce) {
  ConsoleSink sink(m_file, true, false, {{"svc-dev-hello", "hello"}});
  sink.log(line("one"));
  EXPECT_EQ(written(), "[hello] one\n");
}

// Python's runtime joins an error's lines with carriage returns (one CloudWatch event); a terminal
// would print each over the last. Each is a line, prefixed; JSON logs keep the message as written.
TEST_F(ConsoleSinkTest, CarriageReturnsInARecordStartLinesOfTheirOwn) {
  const auto record = line("[ERROR] ValueError: boom\rTraceback (most recent call last):\r  File \"h.py\"");
  ConsoleSink plain(m_file, false, false, {});
  plain.log(record);
  EXPECT_EQ(written(), "[ERROR] ValueError: boom\nTraceback (most recent call last):\n  File \"h.py\"\n");
  ConsoleSink prefixed(m_file, true, false, {{"svc-dev-hello", "hello"}});
  prefixed.log(line("a\rb\r"));
  EXPECT_EQ(written().substr(record.text.size() + 1), "[hello] a\n[hello] b\n[hello] \n");
  ConsoleSink json(m_file, true, false, {{"svc-dev-hello", "hello"}}, true);
  json.log(line("a\rb"));
  EXPECT_NE(written().find(R"("message":"a\rb"})"), std::string::npos);
}

TEST_F(ConsoleSinkTest, BatchedLinesWaitForTheWriterAndTheDestructorWritesTheRestInOrder) {
  auto sink = std::make_unique<ConsoleSink>(
      m_file, true, false, std::map<std::string, std::string>{{"svc-dev-hello", "hello"}}, false, 60s);
  sink->log(line("one"));
  sink->log_many({line("two"), line("three")});
  EXPECT_EQ(written(), "") << "a batch waits up to its time, here a minute";
  const auto before = std::chrono::steady_clock::now();
  sink.reset();  // does not wait out the batch time
  EXPECT_LT(std::chrono::steady_clock::now() - before, 10s);
  EXPECT_EQ(written(), "[hello] one\n[hello] two\n[hello] three\n");
}

TEST_F(ConsoleSinkTest, BatchedLinesAreWrittenWithinTheBatchTime) {
  ConsoleSink sink(m_file, false, false, {}, false, 10ms);
  sink.log(line("soon"));
  std::string out;
  for (int i = 0; i < 500 && out.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    out = written();
  }
  EXPECT_EQ(out, "soon\n");
}

TEST_F(ConsoleSinkTest, AReaderThatCannotKeepUpGetsTheLinesWrittenThroughNotQueuedWithoutBound) {
  ConsoleSink sink(m_file, false, false, {}, false, 60s);
  const std::string big(300 * 1024, 'x');
  for (int i = 0; i < 4; ++i) sink.log(line(big));  // 1.2 MB: over the 1 MB the sink holds back
  const std::string out = written();
  EXPECT_GE(out.size(), 3 * (big.size() + 1));
  EXPECT_EQ(out.find_first_not_of("x\n"), std::string::npos);
}

}  // namespace
}  // namespace stratus::run
