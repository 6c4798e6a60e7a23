#pragma once
// The six fields of an AWS EventBridge cron(...) expression, parsed, and the search for the next
// minute they match. Most callers want schedule::Expression (expression.hpp), which wraps this
// with rate(...) and the error text users see.
//
// Fields: minutes hours day-of-month month day-of-week year, separated by white space.
//   minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or
//   SUN-SAT (1 = Sunday), year 1970-2199. Names are case-insensitive.
//   Every field: `*`, a value, a range `a-b`, a list `a,b-c`, a step `*/n`, `a/n` (a to the
//   field's maximum), `a-b/n`. A range whose end is below its start wraps around the field
//   (`22-2` hours = 22,23,0,1,2; `FRI-MON`), except in the year field, where it is an error.
//   Steps: 1 to the field's maximum value (minutes 1-59, hours 1-23, day-of-month 1-31,
//   month 1-12, day-of-week 1-7), year 1-229.
//   Day-of-month also: `?`, `L` (last day of the month), `LW` (last Monday-Friday), `nW` (the
//   Monday-Friday nearest day n, never leaving the month: 1W on a Saturday is Monday the 3rd;
//   no firing in a month without day n).
//   Day-of-week also: `?`, `L` (= 7, Saturday, the last day of the week, as AWS documents),
//   `nL` (the last weekday n of the month: 6L = last Friday), `n#k` (the k-th weekday n of the
//   month, k 1-5: 6#3 = third Friday; no firing in a month without a fifth one).
//   `?`, `L`, `LW`, `nW`, `nL` and `n#k` stand alone in their field (no lists), and exactly one
//   of day-of-month and day-of-week is `?`.
// All times are UTC.
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus::schedule {

inline constexpr int first_cron_year = 1970;
inline constexpr int last_cron_year = 2199;

// Which days of a month fire: one rule from day-of-month or day-of-week (the other one is `?`).
struct DayRule {
  enum class Kind {
    month_days,       // `mask` bit d (1-31) set for each listed day of the month
    last_day,         // L in day-of-month
    last_weekday,     // LW
    nearest_weekday,  // nW: `day` = n
    week_days,        // `mask` bit w (1-7, 1 = Sunday) set for each listed day of the week
    last_week_day,    // nL in day-of-week: `week_day` = n
    nth_week_day,     // n#k: `week_day` = n, `nth` = k
  };
  Kind kind = Kind::month_days;
  std::uint32_t mask = 0;
  int day = 0;
  int week_day = 0;  // 1-7, 1 = Sunday
  int nth = 0;
};

struct CronSchedule {
  std::uint64_t minutes = 0;                                // bit m (0-59)
  std::uint32_t hours = 0;                                  // bit h (0-23)
  std::uint16_t months = 0;                                 // bit m (1-12)
  std::bitset<last_cron_year - first_cron_year + 1> years;  // bit y - 1970
  DayRule days;
};

// Either a schedule or the reason there is none, phrased for a user and naming the field
// ("hours must be 0-23 (got 25)"); callers prefix the expression.
struct CronParseResult {
  std::optional<CronSchedule> schedule;
  std::string error;
};

// `fields` is the text between "cron(" and ")".
CronParseResult parse_cron_fields(std::string_view fields);

// Bit d (1-31) set for each day of `month` in `year` that `rule` selects.
std::uint32_t matching_days(const DayRule& rule, int year, int month);

// The first whole minute strictly after `after` that `schedule` selects, or nullopt when there is
// none up to 2199-12-31T23:59:00Z. Skips whole years, months, days and hours that cannot match,
// so it takes at most a few thousand steps whatever the expression.
std::optional<std::int64_t> next_cron_time(const CronSchedule& schedule, std::int64_t after);

// Whether `unix_seconds` is exactly a minute that `schedule` selects.
bool cron_matches(const CronSchedule& schedule, std::int64_t unix_seconds);

}  // namespace stratus::schedule
