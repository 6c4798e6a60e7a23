#include "emulator/common/since.hpp"

#include <charconv>
#include <limits>

#include "emulator/common/utc_time.hpp"

namespace stratus {

namespace {

std::optional<std::int64_t> unit_ms(std::string_view unit) {
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return std::nullopt;
}

}  // namespace

SinceParse parse_since(std::string_view text, std::int64_t now_unix_ms) {
  if (auto seconds = parse_iso8601(text)) return {*seconds * 1000, ""};
  if (text.size() == 10) {  // a date alone: its midnight, UTC
    if (auto seconds = parse_iso8601(std::string(text) + "T00:00:00Z")) return {*seconds * 1000, ""};
  }
  const std::string error =
      "expected a span such as 30m, 1h or 2d, or a UTC time such as 2026-01-01T00:00:00Z (got '" +
      std::string(text) + "')";
  std::int64_t count = 0;
  const char* end = text.data() + text.size();
  const auto [unit_start, ec] = std::from_chars(text.data(), end, count);
  if (ec != std::errc() || unit_start == text.data() || count < 0) return {std::nullopt, error};
  const auto ms = unit_ms(std::string_view(unit_start, static_cast<std::size_t>(end - unit_start)));
  if (!ms) return {std::nullopt, error};
  if (count > (std::numeric_limits<std::int64_t>::max() / 2) / *ms) return {std::nullopt, error};
  return {now_unix_ms - count * *ms, ""};
}

}  // namespace stratus
