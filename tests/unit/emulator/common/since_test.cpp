#include "emulator/common/since.hpp"

#include <gtest/gtest.h>

namespace stratus {
namespace {

constexpr std::int64_t kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

TEST(Since, SpansCountBackFromNow) {
  EXPECT_EQ(parse_since("90s", kNow).unix_ms, kNow - 90'000);
  EXPECT_EQ(parse_since("30m", kNow).unix_ms, kNow - 1'800'000);
  EXPECT_EQ(parse_since("1h", kNow).unix_ms, kNow - 3'600'000);
  EXPECT_EQ(parse_since("2d", kNow).unix_ms, kNow - 172'800'000);
  EXPECT_EQ(parse_since("0s", kNow).unix_ms, kNow);
}

TEST(Since, UtcTimesAndDates) {
  EXPECT_EQ(parse_since("2026-01-01T00:00:00Z", 0).unix_ms, kNow);
  EXPECT_EQ(parse_since("2026-01-01T08:30:00Z", 0).unix_ms, kNow + 30'600'000);
  EXPECT_EQ(parse_since("2026-01-01", 0).unix_ms, kNow);
}

TEST(Since, ErrorsShowTheFormsAndTheInput) {
  const std::string forms =
      "expected a span such as 30m, 1h or 2d, or a UTC time such as 2026-01-01T00:00:00Z";
  for (const char* bad : {"", "h", "1", "1w", "1.5h", "-1h", "1h ", "2026-02-30", "2026-01-01 08:00",
                          "99999999999999999999d", "9999999999999999d"}) {
    const SinceParse parsed = parse_since(bad, kNow);
    EXPECT_FALSE(parsed.unix_ms.has_value()) << bad;
    EXPECT_EQ(parsed.error, forms + " (got '" + bad + "')");
  }
}

}  // namespace
}  // namespace stratus
