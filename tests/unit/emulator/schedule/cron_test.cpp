// Fire times of cron(...) expressions, each worked out by hand from a calendar. 2026 starts on a
// Thursday; Jan 31 2026 is a Saturday, Feb 28 2026 a Saturday, May 31 2026 a Sunday,
// Aug 1 2026 a Saturday, Nov 1 2026 a Sunday.
#include "emulator/schedule/cron.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/unit/emulator/schedule/schedule_test_util.hpp"

namespace stratus::schedule {
namespace {

using testing::at;
using testing::next_time;
using testing::next_times;
using testing::Times;

constexpr std::string_view new_year_2026 = "2026-01-01T00:00:00Z";

TEST(CronNext, AwsDocumentationExamples) {
  // "Run at 10:00 am (UTC+0) every day"
  EXPECT_EQ(next_times("cron(0 10 * * ? *)", new_year_2026, 2),
            (Times{"2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"}));
  // "Run at 12:15 pm (UTC+0) every day"
  EXPECT_EQ(next_time("cron(15 12 * * ? *)", new_year_2026), "2026-01-01T12:15:00Z");
  // "Run at 6:00 pm (UTC+0) every Monday through Friday": Thu 1, Fri 2, then Mon 5.
  EXPECT_EQ(next_times("cron(0 18 ? * MON-FRI *)", new_year_2026, 3),
            (Times{"2026-01-01T18:00:00Z", "2026-01-02T18:00:00Z", "2026-01-05T18:00:00Z"}));
  // "Run at 8:00 am (UTC+0) every first day of the month"
  EXPECT_EQ(next_times("cron(0 8 1 * ? *)", new_year_2026, 2),
            (Times{"2026-01-01T08:00:00Z", "2026-02-01T08:00:00Z"}));
  // "Run every 15 minutes"
  EXPECT_EQ(next_times("cron(0/15 * * * ? *)", "2026-01-01T00:07:30Z", 4),
            (Times{"2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z",
                   "2026-01-01T01:00:00Z"}));
  // "Run every 10 minutes Monday through Friday": Friday 23:50 -> Saturday is skipped.
  EXPECT_EQ(next_times("cron(0/10 * ? * MON-FRI *)", "2026-01-02T23:45:00Z", 2),
            (Times{"2026-01-02T23:50:00Z", "2026-01-05T00:00:00Z"}));
  // "Run every 5 minutes Monday through Friday between 8:00 am and 5:55 pm (UTC+0)"
  EXPECT_EQ(next_times("cron(0/5 8-17 ? * MON-FRI *)", "2026-01-02T17:50:00Z", 2),
            (Times{"2026-01-02T17:55:00Z", "2026-01-05T08:00:00Z"}));
  // "Run at 9:00 am (UTC+0) on the first Monday of each month": Jan 5, Feb 2, Mar 2.
  EXPECT_EQ(next_times("cron(0 9 ? * 2#1 *)", new_year_2026, 3),
            (Times{"2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z", "2026-03-02T09:00:00Z"}));
}

TEST(CronNext, IsStrictlyAfterAndOnWholeMinutes) {
  EXPECT_EQ(next_time("cron(* * * * ? *)", "2026-01-01T00:00:00Z"), "2026-01-01T00:01:00Z");
  EXPECT_EQ(next_time("cron(* * * * ? *)", "2026-01-01T00:00:59Z"), "2026-01-01T00:01:00Z");
  EXPECT_EQ(next_time("cron(0 0 * * ? *)", "2025-12-31T23:59:59Z"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 * * ? *)", "2026-01-01T00:00:00Z"), "2026-01-02T00:00:00Z");
}

TEST(CronNext, Steps) {
  EXPECT_EQ(next_times("cron(*/20 * * * ? *)", new_year_2026, 3),
            (Times{"2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T01:00:00Z"}));
  EXPECT_EQ(next_times("cron(10/15 * * * ? *)", new_year_2026, 5),
            (Times{"2026-01-01T00:10:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:40:00Z",
                   "2026-01-01T00:55:00Z", "2026-01-01T01:10:00Z"}));
  EXPECT_EQ(next_times("cron(1-5/2 0 * * ? *)", new_year_2026, 4),
            (Times{"2026-01-01T00:01:00Z", "2026-01-01T00:03:00Z", "2026-01-01T00:05:00Z",
                   "2026-01-02T00:01:00Z"}));
  EXPECT_EQ(next_times("cron(0 */6 * * ? *)", new_year_2026, 4),
            (Times{"2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T18:00:00Z",
                   "2026-01-02T00:00:00Z"}));
  // Day-of-month steps start at 1: 1, 11, 21, 31.
  EXPECT_EQ(next_times("cron(0 0 1/10 * ? *)", new_year_2026, 5),
            (Times{"2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z", "2026-01-31T00:00:00Z",
                   "2026-02-01T00:00:00Z", "2026-02-11T00:00:00Z"}));
  // Months 1, 4, 7, 10.
  EXPECT_EQ(next_times("cron(0 0 1 */3 ? *)", new_year_2026, 2),
            (Times{"2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"}));
  // Day-of-week MON/2: Monday, Wednesday, Friday.
  EXPECT_EQ(next_times("cron(0 0 ? * MON/2 *)", new_year_2026, 4),
            (Times{"2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z",
                   "2026-01-09T00:00:00Z"}));
  // Years 2026, 2028, 2030.
  EXPECT_EQ(next_times("cron(0 0 1 1 ? 2026-2030/2)", "2025-06-01T00:00:00Z", 4),
            (Times{"2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z", "2030-01-01T00:00:00Z", "none"}));
}

TEST(CronNext, Lists) {
  EXPECT_EQ(next_times("cron(0,30 9,17 * * ? *)", new_year_2026, 5),
            (Times{"2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z", "2026-01-01T17:00:00Z",
                   "2026-01-01T17:30:00Z", "2026-01-02T09:00:00Z"}));
  EXPECT_EQ(next_times("cron(0 0 5,1-2 * ? *)", new_year_2026, 3),
            (Times{"2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-02-01T00:00:00Z"}));
}

TEST(CronNext, MonthAndDayNamesAnyCase) {
  EXPECT_EQ(next_times("cron(0 0 1 JAN,jul ? *)", new_year_2026, 2),
            (Times{"2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"}));
  EXPECT_EQ(next_times("cron(0 0 1 Mar-May ? *)", new_year_2026, 3),
            (Times{"2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"}));
  EXPECT_EQ(next_times("cron(0 0 ? * sat,Sun *)", new_year_2026, 3),
            (Times{"2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-10T00:00:00Z"}));
}

TEST(CronNext, DayOfWeekOneIsSunday) {
  EXPECT_EQ(next_time("cron(0 0 ? * 1 *)", new_year_2026), "2026-01-04T00:00:00Z");  // Sunday
  EXPECT_EQ(next_time("cron(0 0 ? * 2 *)", new_year_2026), "2026-01-05T00:00:00Z");  // Monday
  EXPECT_EQ(next_time("cron(0 0 ? * 5 *)", new_year_2026), "2026-01-08T00:00:00Z");  // Thursday
  EXPECT_EQ(next_time("cron(0 0 ? * 7 *)", new_year_2026), "2026-01-03T00:00:00Z");  // Saturday
  EXPECT_EQ(next_time("cron(0 0 ? * SUN *)", new_year_2026), "2026-01-04T00:00:00Z");
}

TEST(CronNext, LastDayOfMonth) {
  EXPECT_EQ(next_times("cron(0 0 L * ? *)", new_year_2026, 4),
            (Times{"2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z",
                   "2026-04-30T00:00:00Z"}));
  EXPECT_EQ(next_time("cron(0 0 L 2 ? *)", "2027-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
}

TEST(CronNext, LastWeekdayOfMonth) {
  // Jan 31 is a Saturday -> Friday 30; Feb 28 a Saturday -> Friday 27; Mar 31 a Tuesday.
  EXPECT_EQ(next_times("cron(0 0 LW * ? *)", new_year_2026, 3),
            (Times{"2026-01-30T00:00:00Z", "2026-02-27T00:00:00Z", "2026-03-31T00:00:00Z"}));
  // May 31 2026 is a Sunday -> Friday 29.
  EXPECT_EQ(next_time("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z"), "2026-05-29T00:00:00Z");
}

TEST(CronNext, NearestWeekdayNeverLeavesTheMonth) {
  // Aug 1 2026 is a Saturday: the nearest weekday inside August is Monday the 3rd.
  EXPECT_EQ(next_time("cron(0 0 1W * ? *)", "2026-07-15T00:00:00Z"), "2026-08-03T00:00:00Z");
  // Nov 1 2026 is a Sunday: Monday the 2nd.
  EXPECT_EQ(next_time("cron(0 0 1W * ? *)", "2026-10-15T00:00:00Z"), "2026-11-02T00:00:00Z");
  // Jan 1 2026 is a Thursday: that day itself.
  EXPECT_EQ(next_time("cron(0 12 1W * ? *)", new_year_2026), "2026-01-01T12:00:00Z");
  // Feb 15 2026 is a Sunday -> Monday 16; Feb 14 a Saturday -> Friday 13.
  EXPECT_EQ(next_time("cron(0 0 15W 2 ? *)", new_year_2026), "2026-02-16T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 14W 2 ? *)", new_year_2026), "2026-02-13T00:00:00Z");
  // May 31 2026 is a Sunday and the month's last day: back to Friday 29.
  EXPECT_EQ(next_time("cron(0 0 31W 5 ? *)", new_year_2026), "2026-05-29T00:00:00Z");
  // No day 31 in February or April: those months do not fire; March 31 2026 is a Tuesday.
  EXPECT_EQ(next_times("cron(0 0 31W * ? *)", "2026-02-01T00:00:00Z", 2),
            (Times{"2026-03-31T00:00:00Z", "2026-05-29T00:00:00Z"}));
}

TEST(CronNext, NthWeekdayOfMonth) {
  // Fridays of January 2026: 2, 9, 16, 23, 30.
  EXPECT_EQ(next_time("cron(0 12 ? * 6#3 *)", new_year_2026), "2026-01-16T12:00:00Z");
  EXPECT_EQ(next_time("cron(0 12 ? * fri#3 *)", new_year_2026), "2026-01-16T12:00:00Z");
  EXPECT_EQ(next_time("cron(0 12 ? * 6#5 *)", new_year_2026), "2026-01-30T12:00:00Z");
  // The fifth Monday: none in January (5..26) or February (2..23) 2026; March 30.
  EXPECT_EQ(next_time("cron(0 0 ? * 2#5 *)", new_year_2026), "2026-03-30T00:00:00Z");
}

TEST(CronNext, LastWeekdayOfKind) {
  // The last Thursday (5L) and the last Friday (6L, FRIL) of January 2026.
  EXPECT_EQ(next_time("cron(0 0 ? * 5L *)", new_year_2026), "2026-01-29T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 ? * 6L *)", new_year_2026), "2026-01-30T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 ? * FRIL *)", new_year_2026), "2026-01-30T00:00:00Z");
  // Last Saturday of January 2026 is the 31st, the month's last day.
  EXPECT_EQ(next_time("cron(0 0 ? * 7L *)", new_year_2026), "2026-01-31T00:00:00Z");
  // L alone in day-of-week is the last day of the week: every Saturday.
  EXPECT_EQ(next_times("cron(0 0 ? * L *)", new_year_2026, 2),
            (Times{"2026-01-03T00:00:00Z", "2026-01-10T00:00:00Z"}));
}

TEST(CronNext, RangesWrapAroundTheirField) {
  EXPECT_EQ(next_times("cron(0 22-2 * * ? *)", new_year_2026, 3),
            (Times{"2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T22:00:00Z"}));
  EXPECT_EQ(next_times("cron(0 22-2/2 * * ? *)", new_year_2026, 3),
            (Times{"2026-01-01T02:00:00Z", "2026-01-01T22:00:00Z", "2026-01-02T00:00:00Z"}));
  // Friday through Monday, from a Thursday.
  EXPECT_EQ(next_times("cron(0 0 ? * FRI-MON *)", new_year_2026, 5),
            (Times{"2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z",
                   "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z"}));
  EXPECT_EQ(next_times("cron(0 0 1 NOV-FEB ? *)", new_year_2026, 3),
            (Times{"2026-02-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"}));
}

TEST(CronNext, LeapYears) {
  EXPECT_EQ(next_times("cron(0 0 29 2 ? *)", new_year_2026, 2),
            (Times{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}));
  // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
  EXPECT_EQ(next_time("cron(0 0 29 2 ? *)", "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 29 2 ? *)", "1999-01-01T00:00:00Z"), "2000-02-29T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 L 2 ? 2100)", new_year_2026), "2100-02-28T00:00:00Z");
}

TEST(CronNext, OncePerYear) {
  EXPECT_EQ(next_times("cron(0 0 1 1 ? *)", new_year_2026, 2),
            (Times{"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}));
  EXPECT_EQ(next_time("cron(30 23 31 12 ? *)", new_year_2026), "2026-12-31T23:30:00Z");
}

TEST(CronNext, YearFieldLimits) {
  EXPECT_EQ(next_time("cron(0 0 1 1 ? 2030)", new_year_2026), "2030-01-01T00:00:00Z");
  EXPECT_EQ(next_time("cron(0 0 1 1 ? 2026)", new_year_2026), "none");
  EXPECT_EQ(next_time("cron(0 0 * * ? 2025)", new_year_2026), "none");
  // Nothing fires before 1970: a time before it finds 1970-01-01T00:00:00Z.
  EXPECT_EQ(next_time("cron(0 0 * * ? 1970)", "1969-06-01T00:00:00Z"), "1970-01-01T00:00:00Z");
  EXPECT_EQ(next_times("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00Z", 2),
            (Times{"2199-12-31T23:59:00Z", "none"}));
  EXPECT_EQ(next_time("cron(* * * * ? *)", "2199-12-31T23:59:00Z"), "none");
}

TEST(CronNext, ImpossibleDatesEndQuickly) {
  EXPECT_EQ(next_time("cron(0 0 30 2 ? *)", new_year_2026), "none");
  EXPECT_EQ(next_time("cron(0 0 31 2 ? *)", new_year_2026), "none");
  EXPECT_EQ(next_time("cron(0 0 31 4,6,9,11 ? *)", new_year_2026), "none");
  EXPECT_EQ(next_time("cron(0 0 30W 2 ? *)", new_year_2026), "none");
  // Fast: a minute-by-minute search would take 120 million steps per call.
  const auto expression = parse("cron(59 23 31 2 ? *)").expression;
  ASSERT_TRUE(expression);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(expression->next_after(at("1970-01-01T00:00:00Z") + i), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(CronNext, ExtremeTimesDoNotOverflow) {
  const auto expression = parse("cron(0 0 * * ? *)").expression;
  ASSERT_TRUE(expression);
  EXPECT_EQ(expression->next_after(INT64_MIN), 0);
  EXPECT_EQ(expression->next_after(INT64_MAX), std::nullopt);
  EXPECT_EQ(expression->next_after(-1), 0);
}

TEST(CronMatches, ExactlyTheFireMinutes) {
  const auto expression = parse("cron(30 9 ? * 6#3 *)").expression;
  ASSERT_TRUE(expression);
  EXPECT_TRUE(expression->fires_at(at("2026-01-16T09:30:00Z")));
  EXPECT_FALSE(expression->fires_at(at("2026-01-16T09:30:01Z")));
  EXPECT_FALSE(expression->fires_at(at("2026-01-16T09:31:00Z")));
  EXPECT_FALSE(expression->fires_at(at("2026-01-09T09:30:00Z")));
  EXPECT_FALSE(expression->fires_at(-60));
  EXPECT_FALSE(expression->fires_at(INT64_MAX));
}

TEST(CronMatchingDays, OneMonthAtATime) {
  DayRule rule;
  rule.kind = DayRule::Kind::month_days;
  rule.mask = (1u << 30) | (1u << 31) | (1u << 1);
  EXPECT_EQ(matching_days(rule, 2026, 2), 1u << 1);  // February has no 30th or 31st
  EXPECT_EQ(matching_days(rule, 2026, 4), (1u << 1) | (1u << 30));
  rule.kind = DayRule::Kind::week_days;
  rule.mask = 1u << 1;  // Sundays; February 2026: 1, 8, 15, 22
  EXPECT_EQ(matching_days(rule, 2026, 2), (1u << 1) | (1u << 8) | (1u << 15) | (1u << 22));
}

}  // namespace
}  // namespace stratus::schedule
