// The exact text of every cron(...) error, one expression per problem.
#include <gtest/gtest.h>

#include "tests/unit/emulator/schedule/schedule_test_util.hpp"

namespace stratus::schedule {
namespace {

using testing::error_of;

TEST(CronErrors, FieldCount) {
  EXPECT_EQ(error_of("cron(0 12 * *)"),
            "invalid cron expression 'cron(0 12 * *)': expected 6 fields (minutes hours day-of-month month "
            "day-of-week year), got 4");
  EXPECT_EQ(
      error_of("cron(0 0 * * ? * *)"),
      "invalid cron expression 'cron(0 0 * * ? * *)': expected 6 fields (minutes hours day-of-month month "
      "day-of-week year), got 7");
  EXPECT_EQ(
      error_of("cron()"),
      "invalid cron expression 'cron()': expected 6 fields (minutes hours day-of-month month day-of-week "
      "year), got 0");
  // A five-field Unix crontab line gets the same message.
  EXPECT_EQ(
      error_of("cron(*/5 * * * *)"),
      "invalid cron expression 'cron(*/5 * * * *)': expected 6 fields (minutes hours day-of-month month "
      "day-of-week year), got 5");
}

TEST(CronErrors, DayOfMonthAndDayOfWeekPairing) {
  EXPECT_EQ(
      error_of("cron(0 12 * * * *)"),
      "invalid cron expression 'cron(0 12 * * * *)': day-of-month and day-of-week cannot both be '*'; use "
      "'?' in one of them, e.g. cron(0 12 * * ? *)");
  EXPECT_EQ(
      error_of("cron(0 0 ? * ? *)"),
      "invalid cron expression 'cron(0 0 ? * ? *)': day-of-month and day-of-week cannot both be '?'; use "
      "'*' in one of them, e.g. cron(0 0 * * ? *)");
  EXPECT_EQ(
      error_of("cron(0 0 1 * MON *)"),
      "invalid cron expression 'cron(0 0 1 * MON *)': day-of-month and day-of-week cannot both be given; "
      "use '?' in one of them, e.g. cron(0 0 1 * ? *)");
  EXPECT_EQ(error_of("cron(0 18 * * MON-FRI *)"),
            "invalid cron expression 'cron(0 18 * * MON-FRI *)': day-of-month and day-of-week cannot both be "
            "given; use '?' in one of them, e.g. cron(0 18 ? * MON-FRI *)");
  EXPECT_EQ(
      error_of("cron(0 0 L * * *)"),
      "invalid cron expression 'cron(0 0 L * * *)': day-of-month and day-of-week cannot both be given; use "
      "'?' in one of them, e.g. cron(0 0 L * ? *)");
}

TEST(CronErrors, ValuesOutOfRange) {
  EXPECT_EQ(error_of("cron(0 25 * * ? *)"),
            "invalid cron expression 'cron(0 25 * * ? *)': hours must be 0-23 (got 25)");
  EXPECT_EQ(error_of("cron(60 * * * ? *)"),
            "invalid cron expression 'cron(60 * * * ? *)': minutes must be 0-59 (got 60)");
  EXPECT_EQ(error_of("cron(0 0 32 * ? *)"),
            "invalid cron expression 'cron(0 0 32 * ? *)': day-of-month must be 1-31 (got 32)");
  EXPECT_EQ(error_of("cron(0 0 0 * ? *)"),
            "invalid cron expression 'cron(0 0 0 * ? *)': day-of-month must be 1-31 (got 0)");
  EXPECT_EQ(error_of("cron(0 0 1 13 ? *)"),
            "invalid cron expression 'cron(0 0 1 13 ? *)': month must be 1-12 or JAN-DEC (got 13)");
  EXPECT_EQ(error_of("cron(0 0 ? * 0 *)"),
            "invalid cron expression 'cron(0 0 ? * 0 *)': day-of-week must be 1-7 or SUN-SAT (got 0)");
  EXPECT_EQ(error_of("cron(0 0 ? * 1-8 *)"),
            "invalid cron expression 'cron(0 0 ? * 1-8 *)': day-of-week must be 1-7 or SUN-SAT (got 8)");
  EXPECT_EQ(error_of("cron(0 0 1 1 ? 1969)"),
            "invalid cron expression 'cron(0 0 1 1 ? 1969)': year must be 1970-2199 (got 1969)");
  EXPECT_EQ(error_of("cron(0 0 1 1 ? 2200)"),
            "invalid cron expression 'cron(0 0 1 1 ? 2200)': year must be 1970-2199 (got 2200)");
  EXPECT_EQ(error_of("cron(99999999999999999999 0 1 1 ? *)"),
            "invalid cron expression 'cron(99999999999999999999 0 1 1 ? *)': minutes must be 0-59 (got "
            "99999999999999999999)");
  EXPECT_EQ(error_of("cron(0 0 1 1 ? 2030-2025)"),
            "invalid cron expression 'cron(0 0 1 1 ? 2030-2025)': year range 2030-2025 is reversed; write "
            "2025-2030");
}

TEST(CronErrors, Steps) {
  // AWS rejects cron(*/60 * * * ? *) (aws/aws-sdk-js#4212).
  EXPECT_EQ(error_of("cron(*/60 * * * ? *)"),
            "invalid cron expression 'cron(*/60 * * * ? *)': minutes step must be 1-59 (got 60)");
  EXPECT_EQ(error_of("cron(*/0 * * * ? *)"),
            "invalid cron expression 'cron(*/0 * * * ? *)': minutes step must be 1-59 (got 0)");
  EXPECT_EQ(error_of("cron(0 0/24 * * ? *)"),
            "invalid cron expression 'cron(0 0/24 * * ? *)': hours step must be 1-23 (got 24)");
  EXPECT_EQ(
      error_of("cron(5/ * * * ? *)"),
      "invalid cron expression 'cron(5/ * * * ? *)': minutes: cannot read '5/' (allowed: 0-59 and , - * /)");
  EXPECT_EQ(
      error_of("cron(5/1/2 * * * ? *)"),
      "invalid cron expression 'cron(5/1/2 * * * ? *)': minutes: cannot read '5/1/2' (allowed: 0-59 and , - "
      "* /)");
}

TEST(CronErrors, UnreadableValues) {
  EXPECT_EQ(
      error_of("cron(0 0 1 FOO ? *)"),
      "invalid cron expression 'cron(0 0 1 FOO ? *)': month: cannot read 'FOO' (allowed: 1-12, JAN-DEC and , "
      "- * /)");
  // The user's own spelling is quoted.
  EXPECT_EQ(
      error_of("cron(0 0 1 jan,foo ? *)"),
      "invalid cron expression 'cron(0 0 1 jan,foo ? *)': month: cannot read 'foo' (allowed: 1-12, JAN-DEC "
      "and , - * /)");
  EXPECT_EQ(
      error_of("cron(0 0 ? * MONDAY *)"),
      "invalid cron expression 'cron(0 0 ? * MONDAY *)': day-of-week: cannot read 'MONDAY' (allowed: 1-7, "
      "SUN-SAT and , - * ? / L #)");
  EXPECT_EQ(
      error_of("cron(0 0 MON * ? *)"),
      "invalid cron expression 'cron(0 0 MON * ? *)': day-of-month: cannot read 'MON' (allowed: 1-31 and , "
      "- * ? / L W)");
  EXPECT_EQ(
      error_of("cron(a b c d e f)"),
      "invalid cron expression 'cron(a b c d e f)': minutes: cannot read 'a' (allowed: 0-59 and , - * /)");
  EXPECT_EQ(
      error_of("cron(1-2-3 * * * ? *)"),
      "invalid cron expression 'cron(1-2-3 * * * ? *)': minutes: cannot read '1-2-3' (allowed: 0-59 and , - "
      "* /)");
  EXPECT_EQ(
      error_of("cron(-1 * * * ? *)"),
      "invalid cron expression 'cron(-1 * * * ? *)': minutes: cannot read '-1' (allowed: 0-59 and , - * /)");
  EXPECT_EQ(
      error_of("cron(0 L * * ? *)"),
      "invalid cron expression 'cron(0 L * * ? *)': hours: cannot read 'L' (allowed: 0-23 and , - * /)");
  EXPECT_EQ(
      error_of("cron(0 0 L-3 * ? *)"),
      "invalid cron expression 'cron(0 0 L-3 * ? *)': day-of-month: cannot read 'L-3' (allowed: 1-31 and , "
      "- * ? / L W)");
  EXPECT_EQ(error_of("cron(0 0 1,,2 * ? *)"),
            "invalid cron expression 'cron(0 0 1,,2 * ? *)': day-of-month has an empty value in '1,,2'");
  EXPECT_EQ(error_of("cron(0, 0 1 * ? *)"),
            "invalid cron expression 'cron(0, 0 1 * ? *)': minutes has an empty value in '0,'");
}

TEST(CronErrors, QuestionMarkOnlyInDayFields) {
  EXPECT_EQ(error_of("cron(0 ? * * ? *)"),
            "invalid cron expression 'cron(0 ? * * ? *)': '?' is only allowed in day-of-month or day-of-week "
            "(found in hours)");
  EXPECT_EQ(error_of("cron(0 0 1 ? * *)"),
            "invalid cron expression 'cron(0 0 1 ? * *)': '?' is only allowed in day-of-month or day-of-week "
            "(found in month)");
}

TEST(CronErrors, SpecialValuesStandAlone) {
  // AWS: "3#1,6#3" is not valid because it reads as two expressions.
  EXPECT_EQ(
      error_of("cron(0 0 ? * 3#1,6#3 *)"),
      "invalid cron expression 'cron(0 0 ? * 3#1,6#3 *)': day-of-week '3#1' must be the only value in its "
      "field (got '3#1,6#3')");
  EXPECT_EQ(
      error_of("cron(0 0 L,15 * ? *)"),
      "invalid cron expression 'cron(0 0 L,15 * ? *)': day-of-month 'L' must be the only value in its field "
      "(got 'L,15')");
  EXPECT_EQ(
      error_of("cron(0 0 1,15w * ? *)"),
      "invalid cron expression 'cron(0 0 1,15w * ? *)': day-of-month '15w' must be the only value in its "
      "field (got '1,15w')");
  EXPECT_EQ(
      error_of("cron(0 0 ? * 2,6L *)"),
      "invalid cron expression 'cron(0 0 ? * 2,6L *)': day-of-week '6L' must be the only value in its field "
      "(got '2,6L')");
  EXPECT_EQ(
      error_of("cron(0 0 ?,1 * ? *)"),
      "invalid cron expression 'cron(0 0 ?,1 * ? *)': day-of-month '?' must be the only value in its field "
      "(got '?,1')");
}

TEST(CronErrors, LastWeekdayAndNth) {
  EXPECT_EQ(
      error_of("cron(0 0 ? * 6#6 *)"),
      "invalid cron expression 'cron(0 0 ? * 6#6 *)': day-of-week occurrence after '#' must be 1-5 (got 6)");
  EXPECT_EQ(
      error_of("cron(0 0 ? * 6#0 *)"),
      "invalid cron expression 'cron(0 0 ? * 6#0 *)': day-of-week occurrence after '#' must be 1-5 (got 0)");
  EXPECT_EQ(error_of("cron(0 0 ? * 8#2 *)"),
            "invalid cron expression 'cron(0 0 ? * 8#2 *)': day-of-week must be 1-7 or SUN-SAT (got 8)");
  EXPECT_EQ(
      error_of("cron(0 0 ? * 6# *)"),
      "invalid cron expression 'cron(0 0 ? * 6# *)': day-of-week: cannot read '6#' (allowed: 1-7, SUN-SAT "
      "and , - * ? / L #)");
  EXPECT_EQ(error_of("cron(0 0 ? * 0L *)"),
            "invalid cron expression 'cron(0 0 ? * 0L *)': day-of-week must be 1-7 or SUN-SAT (got 0)");
  EXPECT_EQ(
      error_of("cron(0 0 1-5W * ? *)"),
      "invalid cron expression 'cron(0 0 1-5W * ? *)': day-of-month 'W' needs one day before it, e.g. 15W "
      "(got '1-5W')");
  EXPECT_EQ(
      error_of("cron(0 0 W * ? *)"),
      "invalid cron expression 'cron(0 0 W * ? *)': day-of-month 'W' needs one day before it, e.g. 15W (got "
      "'W')");
  EXPECT_EQ(error_of("cron(0 0 32W * ? *)"),
            "invalid cron expression 'cron(0 0 32W * ? *)': day-of-month must be 1-31 (got 32)");
}

}  // namespace
}  // namespace stratus::schedule
