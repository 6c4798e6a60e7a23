#include "emulator/common/utc_time.hpp"

#include <gtest/gtest.h>

#include <climits>

namespace stratus {
namespace {

TEST(UtcTime, KnownInstants) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(1767225600), "2026-01-01T00:00:00Z");
  EXPECT_EQ(format_iso8601(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_iso8601(4102444799), "2099-12-31T23:59:59Z");
  EXPECT_EQ(parse_iso8601("2026-01-01T00:00:00Z"), 1767225600);
  EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59Z"), -1);
}

TEST(UtcTime, RoundTripsEveryDayOverFourCenturies) {
  // 1900-03-01 .. 2300: crosses 1900 and 2100 (not leap) and 2000 (leap).
  for (std::int64_t t = -2203891200; t < 10413792000; t += 86400 - 1) {
    const std::string text = format_iso8601(t);
    ASSERT_EQ(parse_iso8601(text), t) << text;
  }
}

TEST(UtcTime, Weekdays) {
  EXPECT_EQ(weekday_from_days(0), 4);                              // 1970-01-01, Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 1, 1)), 4);    // Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 8, 1)), 6);    // Saturday
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 11, 1)), 0);   // Sunday
  EXPECT_EQ(weekday_from_days(days_from_civil(1969, 12, 31)), 3);  // Wednesday
}

TEST(UtcTime, MonthLengths) {
  EXPECT_EQ(days_in_month(2026, 2), 28);
  EXPECT_EQ(days_in_month(2028, 2), 29);
  EXPECT_EQ(days_in_month(2100, 2), 28);
  EXPECT_EQ(days_in_month(2000, 2), 29);
  EXPECT_EQ(days_in_month(2026, 4), 30);
  EXPECT_EQ(days_in_month(2026, 12), 31);
}

TEST(UtcTime, RejectsMalformedText) {
  for (const char* text :
       {"", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z",
        "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "20x6-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00"})
    EXPECT_EQ(parse_iso8601(text), std::nullopt) << text;
}

TEST(UtcTime, ExtremesDoNotOverflow) {
  const CivilTime low = civil_from_unix(INT64_MIN);
  const CivilTime high = civil_from_unix(INT64_MAX);
  EXPECT_LT(low.year, -200000000000LL);
  EXPECT_GT(high.year, 200000000000LL);
  EXPECT_EQ(unix_from_civil(high), INT64_MAX);
  EXPECT_FALSE(format_iso8601(INT64_MIN).empty());
}

}  // namespace
}  // namespace stratus
