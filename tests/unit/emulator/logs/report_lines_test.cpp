#include "emulator/logs/report_lines.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace stratus::logs {
namespace {

constexpr const char* kId = "8f507cfc-xmpl-4697-b07a-ac58fc914c95";

ReportInput warm() {
  ReportInput input;
  input.request_id = kId;
  input.duration_ms = 38.66;
  input.memory_size_mb = 128;
  input.max_memory_used_bytes = 54ull * 1048576;
  return input;
}

TEST(ReportLines, StartAndEnd) {
  EXPECT_EQ(start_line(kId), "START RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Version: $LATEST");
  EXPECT_EQ(start_line(kId, "7"), "START RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Version: 7");
  EXPECT_EQ(end_line(kId), "END RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95");
}

TEST(ReportLines, WarmReport) {
  EXPECT_EQ(report_line(warm()),
            "REPORT RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95\tDuration: 38.66 ms\tBilled Duration: 39 "
            "ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\t");
}

TEST(ReportLines, ColdReportPutsInitLastAndBillsIt) {
  ReportInput input = warm();
  input.init_duration_ms = 203.69;
  // ceil(203.69 + 38.66) = ceil(242.35) = 243: INIT is billed since Aug 2025.
  EXPECT_EQ(
      report_line(input),
      "REPORT RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95\tDuration: 38.66 ms\tBilled Duration: 243 "
      "ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\tInit Duration: 203.69 ms\t");
}

TEST(ReportLines, BilledDurationRounding) {
  ReportInput input = warm();
  input.duration_ms = 38.00;
  EXPECT_EQ(billed_duration_ms(input), 38);
  input.duration_ms = 38.001;
  EXPECT_EQ(billed_duration_ms(input), 39);
  input.duration_ms = 38.999;
  EXPECT_EQ(billed_duration_ms(input), 39);
  input.duration_ms = 0.01;
  EXPECT_EQ(billed_duration_ms(input), 1);
  input.duration_ms = 0;
  EXPECT_EQ(billed_duration_ms(input), 0);
  input.duration_ms = 0.1 + 0.2 + 37.7;  // 38 up to floating-point noise
  EXPECT_EQ(billed_duration_ms(input), 38);
  input.duration_ms = 38.0;
  input.init_duration_ms = 100.0;
  EXPECT_EQ(billed_duration_ms(input), 138);
  input.init_duration_ms = 100.5;
  input.duration_ms = 38.4;
  EXPECT_EQ(billed_duration_ms(input), 139);  // ceil(138.9)
  input.init_duration_ms = 0.25;
  input.duration_ms = 0.25;
  EXPECT_EQ(billed_duration_ms(input), 1);
}

TEST(ReportLines, BadNumbersCountAsZero) {
  ReportInput input = warm();
  input.duration_ms = -5;
  EXPECT_EQ(billed_duration_ms(input), 0);
  input.duration_ms = std::nan("");
  EXPECT_EQ(billed_duration_ms(input), 0);
  EXPECT_NE(report_line(input).find("\tDuration: 0.00 ms\t"), std::string::npos);
}

TEST(ReportLines, MaxMemoryRoundsUpToWholeMegabytes) {
  EXPECT_EQ(max_memory_used_mb(0), 0);
  EXPECT_EQ(max_memory_used_mb(1), 1);
  EXPECT_EQ(max_memory_used_mb(1048576), 1);
  EXPECT_EQ(max_memory_used_mb(1048577), 2);
  EXPECT_EQ(max_memory_used_mb(54ull * 1048576 - 1), 54);
}

TEST(ReportLines, TimestampHasMilliseconds) {
  EXPECT_EQ(format_timestamp_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp_ms(1767225603070), "2026-01-01T00:00:03.070Z");
  EXPECT_EQ(format_timestamp_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(ReportLines, TimeoutLine) {
  EXPECT_EQ(
      timeout_line(1767225603070, kId, 3070.4),
      "2026-01-01T00:00:03.070Z 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Task timed out after 3.07 seconds");
  EXPECT_EQ(
      timeout_line(1767225606000, kId, 6000),
      "2026-01-01T00:00:06.000Z 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Task timed out after 6.00 seconds");
}

TEST(ReportLines, CrashLines) {
  EXPECT_EQ(
      crash_line(kId, {true, 9}),
      "RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Error: Runtime exited with error: signal: killed");
  EXPECT_EQ(
      crash_line(kId, {false, 1}),
      "RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Error: Runtime exited with error: exit status 1");
  EXPECT_EQ(crash_line(kId, {true, 11}),
            "RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Error: Runtime exited with error: signal: "
            "segmentation fault");
  EXPECT_EQ(signal_description(6), "aborted");
  EXPECT_EQ(signal_description(15), "terminated");
  EXPECT_EQ(signal_description(42), "signal 42");
}

}  // namespace
}  // namespace stratus::logs
