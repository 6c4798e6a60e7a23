// Evaluating a parsed cron schedule: which days of a month it selects, and the next minute.
#include <bit>

#include "emulator/common/utc_time.hpp"
#include "emulator/schedule/cron.hpp"

namespace stratus::schedule {
namespace {

// The lowest set bit of `mask` in [from, last], if any. `last` is at most 59.
std::optional<int> next_bit(std::uint64_t mask, int from, int last) {
  if (from > last) return std::nullopt;
  const std::uint64_t rest = mask >> from;
  if (rest == 0) return std::nullopt;
  const int bit = from + std::countr_zero(rest);
  if (bit > last) return std::nullopt;
  return bit;
}

const std::int64_t last_minute =
    unix_from_civil(CivilTime{last_cron_year, 12, 31, 23, 59, 0}) / 60;  // 2199-12-31T23:59:00Z

}  // namespace

std::uint32_t matching_days(const DayRule& rule, int year, int month) {
  const int length = days_in_month(year, month);
  const int first_week_day = weekday_from_days(days_from_civil(year, month, 1));  // 0 = Sunday
  // 0 = Sunday ... 6 = Saturday, for a day of this month.
  const auto week_day_of = [&](int day) { return (first_week_day + day - 1) % 7; };
  std::uint32_t days = 0;
  switch (rule.kind) {
    case DayRule::Kind::month_days: return rule.mask & (((std::uint32_t{1} << length) - 1) << 1);
    case DayRule::Kind::last_day: return std::uint32_t{1} << length;
    case DayRule::Kind::last_weekday: {
      const int w = week_day_of(length);
      return std::uint32_t{1} << (w == 6 ? length - 1 : w == 0 ? length - 2 : length);
    }
    case DayRule::Kind::nearest_weekday: {
      // Saturday moves back to Friday and Sunday on to Monday, unless that leaves the month:
      // then the move goes the other way (1W on a Saturday is Monday the 3rd).
      const int n = rule.day;
      if (n > length) return 0;
      const int w = week_day_of(n);
      int day = n;
      if (w == 6) day = n == 1 ? n + 2 : n - 1;
      if (w == 0) day = n == length ? n - 2 : n + 1;
      return std::uint32_t{1} << day;
    }
    case DayRule::Kind::week_days:
      for (int day = 1; day <= length; ++day)
        if (rule.mask & (std::uint32_t{1} << (week_day_of(day) + 1))) days |= std::uint32_t{1} << day;
      return days;
    case DayRule::Kind::last_week_day: {
      const int back = (week_day_of(length) - (rule.week_day - 1) + 7) % 7;
      return std::uint32_t{1} << (length - back);
    }
    case DayRule::Kind::nth_week_day: {
      const int first = 1 + (rule.week_day - 1 - first_week_day + 7) % 7;
      const int day = first + 7 * (rule.nth - 1);
      return day <= length ? std::uint32_t{1} << day : 0;
    }
  }
  return 0;
}

std::optional<std::int64_t> next_cron_time(const CronSchedule& schedule, std::int64_t after) {
  // The first whole minute after `after`, rounding toward minus infinity for negative times.
  std::int64_t minute = after / 60 - (after % 60 < 0 ? 1 : 0) + 1;
  if (minute > last_minute) return std::nullopt;
  if (minute < 0) minute = 0;  // nothing fires before 1970
  const CivilTime start = civil_from_unix(minute * 60);

  // Walk down from year to minute. When a unit has no match from its lower bound on, advance the
  // unit above and reset everything below to its minimum. Each unit is at most one step per
  // value of the unit above, so an impossible schedule ends after ~230 years * 13 steps.
  int year = static_cast<int>(start.year);
  int month = start.month, day = start.day, hour = start.hour, min = start.minute;
  const auto next_year = [&] {
    ++year;
    month = day = 1;
    hour = min = 0;
  };
  const auto next_month = [&] {
    if (++month > 12) return next_year();
    day = 1;
    hour = min = 0;
  };
  while (year <= last_cron_year) {
    if (!schedule.years.test(static_cast<std::size_t>(year - first_cron_year))) {
      next_year();
      continue;
    }
    const auto m = next_bit(schedule.months, month, 12);
    if (!m) {
      next_year();
      continue;
    }
    if (*m != month) {
      month = *m;
      day = 1;
      hour = min = 0;
    }
    const auto d = next_bit(matching_days(schedule.days, year, month), day, 31);
    if (!d) {
      next_month();
      continue;
    }
    if (*d != day) {
      day = *d;
      hour = min = 0;
    }
    const auto h = next_bit(schedule.hours, hour, 23);
    if (!h) {  // past the last hour: the next day (a day past the month's end finds no match)
      ++day;
      hour = min = 0;
      continue;
    }
    if (*h != hour) {
      hour = *h;
      min = 0;
    }
    const auto mi = next_bit(schedule.minutes, min, 59);
    if (!mi) {
      ++hour;
      min = 0;
      continue;
    }
    return unix_from_civil(CivilTime{year, month, day, hour, *mi, 0});
  }
  return std::nullopt;
}

bool cron_matches(const CronSchedule& schedule, std::int64_t unix_seconds) {
  if (unix_seconds < 0 || unix_seconds % 60 != 0 || unix_seconds / 60 > last_minute) return false;
  const CivilTime t = civil_from_unix(unix_seconds);
  const int year = static_cast<int>(t.year);
  return schedule.years.test(static_cast<std::size_t>(year - first_cron_year)) &&
         (schedule.months >> t.month & 1) && (matching_days(schedule.days, year, t.month) >> t.day & 1) &&
         (schedule.hours >> t.hour & 1) && (schedule.minutes >> t.minute & 1);
}

}  // namespace stratus::schedule
