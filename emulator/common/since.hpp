#pragma once
// The `--since` argument of commands that read history (billing, logs): a span back from now
// ("90s", "30m", "1h", "2d") or a UTC time ("2026-01-01", "2026-01-01T08:00:00Z").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus {

struct SinceParse {
  std::optional<std::int64_t> unix_ms;
  // When unix_ms is empty: "expected a span such as 30m, 1h or 2d, or a UTC time such as
  // 2026-01-01T00:00:00Z (got 'x')".
  std::string error;
};

// `now_unix_ms` anchors the spans. Units: s, m (minutes), h, d; the number is a whole number.
SinceParse parse_since(std::string_view text, std::int64_t now_unix_ms);

}  // namespace stratus
