#include "emulator/schedule/expression.hpp"

#include <gtest/gtest.h>

#include <climits>

#include "tests/unit/emulator/schedule/schedule_test_util.hpp"

namespace stratus::schedule {
namespace {

using testing::at;
using testing::error_of;
using testing::next_times;
using testing::Times;

TEST(ScheduleParse, RateKindsAndPeriods) {
  const struct {
    std::string_view text;
    std::int64_t seconds;
  } cases[] = {
      {"rate(1 minute)", 60},
      {"rate(5 minutes)", 300},
      {"rate(1 hour)", 3600},
      {"rate(2 hours)", 7200},
      {"rate(1 day)", 86400},
      {"rate(7 days)", 7 * 86400},
      {"rate(999999999 days)", 999999999LL * 86400},
  };
  for (const auto& c : cases) {
    const ParseResult parsed = parse(c.text);
    ASSERT_TRUE(parsed.expression) << c.text << ": " << parsed.error;
    EXPECT_EQ(parsed.expression->kind(), Expression::Kind::rate) << c.text;
    EXPECT_EQ(parsed.expression->rate_seconds(), c.seconds) << c.text;
    EXPECT_EQ(parsed.expression->canonical(), c.text);
    EXPECT_TRUE(parsed.error.empty());
  }
}

TEST(ScheduleParse, CronKind) {
  const ParseResult parsed = parse("cron(0 12 * * ? *)");
  ASSERT_TRUE(parsed.expression) << parsed.error;
  EXPECT_EQ(parsed.expression->kind(), Expression::Kind::cron);
  EXPECT_EQ(parsed.expression->rate_seconds(), 0);
}

TEST(ScheduleParse, Canonical) {
  EXPECT_EQ(parse("rate(05 minutes)").expression->canonical(), "rate(5 minutes)");
  EXPECT_EQ(parse("rate( 1   hour )").expression->canonical(), "rate(1 hour)");
  EXPECT_EQ(parse("cron(0  12 ? *\tmon-fri *)").expression->canonical(), "cron(0 12 ? * MON-FRI *)");
  EXPECT_EQ(parse("cron(0 0 lw * ? *)").expression->canonical(), "cron(0 0 LW * ? *)");
}

TEST(RateNext, CountsFromTheAnchor) {
  // A rule created at 2026-01-01T00:00:30Z with rate(5 minutes) fires at :05:30, :10:30, ...
  const std::int64_t created = at("2026-01-01T00:00:30Z");
  EXPECT_EQ(next_times("rate(5 minutes)", "2026-01-01T00:00:30Z", 3, created),
            (Times{"2026-01-01T00:05:30Z", "2026-01-01T00:10:30Z", "2026-01-01T00:15:30Z"}));
  EXPECT_EQ(next_times("rate(5 minutes)", "2026-01-01T00:05:29Z", 1, created),
            (Times{"2026-01-01T00:05:30Z"}));
  EXPECT_EQ(next_times("rate(5 minutes)", "2026-01-01T00:05:30Z", 1, created),
            (Times{"2026-01-01T00:10:30Z"}));
  // Before the rule existed, the first fire is one period after creation.
  EXPECT_EQ(next_times("rate(1 day)", "2025-06-01T00:00:00Z", 2, created),
            (Times{"2026-01-02T00:00:30Z", "2026-01-03T00:00:30Z"}));
  EXPECT_EQ(next_times("rate(2 hours)", "2026-01-01T03:00:00Z", 1, created), (Times{"2026-01-01T04:00:30Z"}));
}

TEST(RateNext, DefaultAnchorIsTheEpoch) {
  const auto expression = parse("rate(1 hour)").expression;
  ASSERT_TRUE(expression);
  EXPECT_EQ(expression->next_after(at("2026-01-01T00:20:00Z")), at("2026-01-01T01:00:00Z"));
}

TEST(RateNext, ExtremeTimesDoNotOverflow) {
  const auto expression = parse("rate(5 minutes)").expression;
  ASSERT_TRUE(expression);
  EXPECT_EQ(expression->next_after(INT64_MAX, 0), std::nullopt);
  EXPECT_EQ(expression->next_after(INT64_MAX - 10, INT64_MAX - 100), std::nullopt);
  EXPECT_EQ(expression->next_after(INT64_MIN, 0), 300);
  EXPECT_EQ(expression->next_after(INT64_MAX, INT64_MIN), std::nullopt);
  EXPECT_EQ(expression->next_after(INT64_MIN, INT64_MAX), std::nullopt);  // anchor + period overflows
  // An anchor 2^63 seconds back still lands on its grid: the first multiple of 300 past 0.
  const std::int64_t first_after_zero = 300 - static_cast<std::int64_t>((std::uint64_t{1} << 63) % 300);
  EXPECT_EQ(expression->next_after(0, INT64_MIN), first_after_zero);
  EXPECT_TRUE(expression->fires_at(first_after_zero, INT64_MIN));
  EXPECT_FALSE(expression->fires_at(first_after_zero + 1, INT64_MIN));
}

TEST(RateFiresAt, MultiplesOfThePeriodAfterTheAnchor) {
  const auto expression = parse("rate(5 minutes)").expression;
  ASSERT_TRUE(expression);
  EXPECT_TRUE(expression->fires_at(1300, 1000));
  EXPECT_TRUE(expression->fires_at(1600, 1000));
  EXPECT_FALSE(expression->fires_at(1000, 1000));  // creation itself is not a firing
  EXPECT_FALSE(expression->fires_at(1301, 1000));
  EXPECT_FALSE(expression->fires_at(700, 1000));
  EXPECT_FALSE(expression->fires_at(INT64_MAX, INT64_MIN));
}

TEST(ScheduleErrors, TopLevel) {
  EXPECT_EQ(error_of("every 5 minutes"),
            "invalid schedule expression 'every 5 minutes': expected rate(...) or cron(...)");
  EXPECT_EQ(error_of(""), "invalid schedule expression '': expected rate(...) or cron(...)");
  EXPECT_EQ(error_of("Rate(5 minutes)"),
            "invalid schedule expression 'Rate(5 minutes)': expected rate(...) or cron(...)");
  EXPECT_EQ(error_of(" cron(0 0 * * ? *)"),
            "invalid schedule expression ' cron(0 0 * * ? *)': expected rate(...) or cron(...)");
  EXPECT_EQ(error_of("rate(5 minutes"), "invalid rate expression 'rate(5 minutes': missing ')' at the end");
  EXPECT_EQ(error_of("rate(5 minutes) "),
            "invalid rate expression 'rate(5 minutes) ': unexpected ' ' after ')'");
  EXPECT_EQ(error_of("cron(0 0 * * ? *))"),
            "invalid cron expression 'cron(0 0 * * ? *))': unexpected ')' after ')'");
  EXPECT_EQ(error_of(std::string(300, 'x')), "invalid schedule expression '" + std::string(60, 'x') +
                                                 "...': longer than 256 characters (got 300)");
  // Control bytes and non-ASCII are shown escaped, never raw.
  EXPECT_EQ(error_of(std::string("rate(5 \x01minutes)")),
            "invalid rate expression 'rate(5 \\x01minutes)': unit must be minute, minutes, hour, hours, day "
            "or days "
            "(got '\\x01minutes')");
  EXPECT_EQ(error_of("cron(0 0 * * ? \xC3\xA9)"),
            "invalid cron expression 'cron(0 0 * * ? \\xC3\\xA9)': year: cannot read '\\xC3\\xA9' (allowed: "
            "1970-2199 and , - * /)");
}

TEST(ScheduleErrors, Rate) {
  EXPECT_EQ(error_of("rate(5 minute)"),
            "invalid rate expression 'rate(5 minute)': use 'minutes' for a value other than 1, e.g. rate(5 "
            "minutes)");
  EXPECT_EQ(error_of("rate(1 minutes)"),
            "invalid rate expression 'rate(1 minutes)': use 'minute' for a value of 1, e.g. rate(1 minute)");
  EXPECT_EQ(error_of("rate(1 hours)"),
            "invalid rate expression 'rate(1 hours)': use 'hour' for a value of 1, e.g. rate(1 hour)");
  EXPECT_EQ(
      error_of("rate(12 hour)"),
      "invalid rate expression 'rate(12 hour)': use 'hours' for a value other than 1, e.g. rate(12 hours)");
  EXPECT_EQ(error_of("rate(01 days)"),
            "invalid rate expression 'rate(01 days)': use 'day' for a value of 1, e.g. rate(1 day)");
  EXPECT_EQ(error_of("rate(0 minutes)"),
            "invalid rate expression 'rate(0 minutes)': value must be a positive integer (got 0)");
  EXPECT_EQ(error_of("rate(-5 minutes)"),
            "invalid rate expression 'rate(-5 minutes)': value must be a positive integer (got '-5')");
  EXPECT_EQ(error_of("rate(1.5 hours)"),
            "invalid rate expression 'rate(1.5 hours)': value must be a positive integer (got '1.5')");
  EXPECT_EQ(error_of("rate(five minutes)"),
            "invalid rate expression 'rate(five minutes)': value must be a positive integer (got 'five')");
  EXPECT_EQ(
      error_of("rate(1000000000 days)"),
      "invalid rate expression 'rate(1000000000 days)': value must be at most 999999999 (got 1000000000)");
  EXPECT_EQ(
      error_of("rate(5 seconds)"),
      "invalid rate expression 'rate(5 seconds)': unit must be minute, minutes, hour, hours, day or days "
      "(got 'seconds')");
  EXPECT_EQ(
      error_of("rate(5 Minutes)"),
      "invalid rate expression 'rate(5 Minutes)': unit must be minute, minutes, hour, hours, day or days "
      "(got 'Minutes')");
  EXPECT_EQ(error_of("rate(5)"),
            "invalid rate expression 'rate(5)': expected rate(value unit), e.g. rate(5 minutes)");
  EXPECT_EQ(error_of("rate()"),
            "invalid rate expression 'rate()': expected rate(value unit), e.g. rate(5 minutes)");
  EXPECT_EQ(
      error_of("rate(5 minutes please)"),
      "invalid rate expression 'rate(5 minutes please)': expected rate(value unit), e.g. rate(5 minutes)");
}

}  // namespace
}  // namespace stratus::schedule
