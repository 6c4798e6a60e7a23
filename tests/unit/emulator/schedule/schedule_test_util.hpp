#pragma once
// Helpers for the schedule tests: times in and out as ISO-8601 text, so assertions read as dates.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/common/utc_time.hpp"
#include "emulator/schedule/expression.hpp"

namespace stratus::schedule::testing {

using Times = std::vector<std::string>;

// "2026-01-01T00:00:00Z" -> Unix seconds; aborts the test binary on a typo rather than testing 0.
inline std::int64_t at(std::string_view iso) {
  const auto t = parse_iso8601(iso);
  if (!t) throw std::invalid_argument("bad ISO time in test: " + std::string(iso));
  return *t;
}

// The next `count` fire times of `text` after `after`, as ISO text; "none" where next_after has
// none, "parse error: ..." when the expression does not parse.
inline Times next_times(std::string_view text, std::string_view after, int count = 1,
                        std::int64_t anchor = 0) {
  const ParseResult parsed = parse(text);
  if (!parsed.expression) return {"parse error: " + parsed.error};
  Times out;
  std::int64_t t = at(after);
  for (int i = 0; i < count; ++i) {
    const auto next = parsed.expression->next_after(t, anchor);
    if (!next) {
      out.push_back("none");
      break;
    }
    out.push_back(format_iso8601(*next));
    t = *next;
  }
  return out;
}

inline std::string next_time(std::string_view text, std::string_view after) {
  return next_times(text, after, 1).front();
}

// The error for `text`, or "(valid)".
inline std::string error_of(std::string_view text) {
  const ParseResult parsed = parse(text);
  return parsed.expression ? "(valid)" : parsed.error;
}

}  // namespace stratus::schedule::testing
