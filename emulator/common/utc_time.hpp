#pragma once
// Calendar arithmetic in UTC on Unix seconds, with no clock and no time zone database.
// The proleptic Gregorian calendar is used for every year; leap seconds do not exist here
// (as in Unix time and in every AWS timestamp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus {

struct CivilTime {
  std::int64_t year = 1970;
  int month = 1;  // 1-12
  int day = 1;    // 1-31
  int hour = 0;   // 0-23
  int minute = 0;
  int second = 0;
};

// Days since 1970-01-01 of the given date (negative before it). `month` 1-12, `day` 1-31; a day
// past the month's end counts on into the next month.
std::int64_t days_from_civil(std::int64_t year, int month, int day);

// Day of the week of a day number from days_from_civil: 0 = Sunday ... 6 = Saturday.
int weekday_from_days(std::int64_t days);

bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);  // 28-31

// Total over the whole int64 range: the year is an int64 and cannot overflow.
CivilTime civil_from_unix(std::int64_t unix_seconds);

// The inverse of civil_from_unix, for in-range fields and a result that fits in int64.
std::int64_t unix_from_civil(const CivilTime& time);

// "2026-01-01T00:00:00Z", the form of the `time` field of EventBridge events. Years before 0 or
// past 9999 are printed with their sign and all their digits.
std::string format_iso8601(std::int64_t unix_seconds);

// "2026-11-23T00:50:14.123Z": milliseconds, as S3 listings and Lambda's records print times.
std::string format_iso_ms(std::int64_t unix_ms);

// Reads exactly "YYYY-MM-DDTHH:MM:SSZ" (the form format_iso8601 writes for years 0000-9999);
// nullopt for anything else, including an impossible date such as 2026-02-30.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace stratus
