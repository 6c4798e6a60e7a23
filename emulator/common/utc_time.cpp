#include "emulator/common/utc_time.hpp"

#include <cstdio>

namespace stratus {
namespace {

constexpr std::int64_t seconds_per_day = 86400;

// Division and remainder rounding toward minus infinity, so times before 1970 land on the
// right day instead of the next one.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// For b > 0; never overflows, even for INT64_MIN.
std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  const std::int64_t r = a % b;
  return r < 0 ? r + b : r;
}

// The calendar repeats every 400 years (146097 days). Counting years from March puts the leap
// day at the end of the counted year, which turns month lengths into one linear formula.
// (The method is the well-known one of H. Hinnant's "chrono-compatible low-level date
// algorithms".)
struct Ymd {
  std::int64_t year;
  int month;
  int day;
};

Ymd civil_from_days(std::int64_t days) {
  const std::int64_t shifted = days + 719468;  // day 0 = 0000-03-01
  const std::int64_t era = floor_div(shifted, 146097);
  const std::int64_t day_of_era = shifted - era * 146097;  // [0, 146096]
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11]
  const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  const std::int64_t y = month <= 2 ? year - 1 : year;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t year_of_era = y - era * 400;  // [0, 399]
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

int weekday_from_days(std::int64_t days) {
  return static_cast<int>(floor_mod(days + 4, 7));  // 1970-01-01 was a Thursday
}

bool is_leap_year(std::int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(std::int64_t year, int month) {
  static constexpr int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year)) return 29;
  return lengths[(month - 1) % 12];
}

CivilTime civil_from_unix(std::int64_t unix_seconds) {
  const std::int64_t days = floor_div(unix_seconds, seconds_per_day);
  const std::int64_t second_of_day = floor_mod(unix_seconds, seconds_per_day);
  const Ymd date = civil_from_days(days);
  CivilTime time;
  time.year = date.year;
  time.month = date.month;
  time.day = date.day;
  time.hour = static_cast<int>(second_of_day / 3600);
  time.minute = static_cast<int>(second_of_day / 60 % 60);
  time.second = static_cast<int>(second_of_day % 60);
  return time;
}

std::int64_t unix_from_civil(const CivilTime& time) {
  return days_from_civil(time.year, time.month, time.day) * seconds_per_day + time.hour * 3600 +
         time.minute * 60 + time.second;
}

std::string format_iso8601(std::int64_t unix_seconds) {
  const CivilTime t = civil_from_unix(unix_seconds);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(t.year),
                t.month, t.day, t.hour, t.minute, t.second);
  return buffer;
}

std::string format_iso_ms(std::int64_t unix_ms) {
  const std::int64_t seconds = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);  // floor
  const CivilTime t = civil_from_unix(seconds);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(t.year), t.month, t.day, t.hour, t.minute, t.second,
                static_cast<int>(unix_ms - seconds * 1000));
  return buffer;
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
  // 0123456789012345678
  // YYYY-MM-DDTHH:MM:SSZ
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  CivilTime t;
  int year = 0;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, t.month) ||
      !read_digits(text, 8, 2, t.day) || !read_digits(text, 11, 2, t.hour) ||
      !read_digits(text, 14, 2, t.minute) || !read_digits(text, 17, 2, t.second))
    return std::nullopt;
  t.year = year;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > days_in_month(t.year, t.month) || t.hour > 23 ||
      t.minute > 59 || t.second > 59)
    return std::nullopt;
  return unix_from_civil(t);
}

}  // namespace stratus
