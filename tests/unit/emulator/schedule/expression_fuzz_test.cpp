// Bounded, deterministic fuzzing of schedule::parse and next_after: random text never crashes or
// hangs, errors are printable sentences, and for every valid random cron the next fire time agrees
// with a minute-by-minute check of fires_at (which evaluates the fields directly, without the
// skipping search).
#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <string>

#include "emulator/common/utc_time.hpp"
#include "emulator/schedule/expression.hpp"

namespace stratus::schedule {
namespace {

class Random {
 public:
  explicit Random(std::uint32_t seed) : m_engine(seed) {}
  int below(int n) { return static_cast<int>(m_engine() % static_cast<std::uint32_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  bool one_in(int n) { return below(n) == 0; }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(static_cast<int>(N))];
  }

 private:
  std::mt19937 m_engine;
};

// One list item of a plain field with values lo..hi (mostly in range, sometimes a step past it).
std::string plain_item(Random& r, int lo, int hi) {
  const auto value = [&] { return std::to_string(r.between(lo, hi)); };
  switch (r.below(6)) {
    case 0: return "*";
    case 1: return value();
    case 2: return value() + "-" + value();
    case 3: return "*/" + std::to_string(r.between(1, hi - lo + 1));
    case 4: return value() + "/" + std::to_string(r.between(1, hi));
    default: return value() + "-" + value() + "/" + std::to_string(r.between(1, hi));
  }
}

std::string plain_field(Random& r, int lo, int hi) {
  std::string field = plain_item(r, lo, hi);
  for (int n = r.below(3); n > 0; --n) field += "," + plain_item(r, lo, hi);
  return field;
}

std::string day_of_month(Random& r) {
  const std::string day = std::to_string(r.between(1, 31));
  switch (r.below(6)) {
    case 0: return "L";
    case 1: return "LW";
    case 2: return day + "W";
    default: return plain_field(r, 1, 31);
  }
}

std::string day_of_week(Random& r) {
  static const char* const names[] = {"SUN", "mon", "Tue", "WED", "thu", "FRI", "sat"};
  const std::string day = r.one_in(2) ? std::to_string(r.between(1, 7)) : names[r.below(7)];
  switch (r.below(6)) {
    case 0: return "L";
    case 1: return day + "L";
    case 2: return day + "#" + std::to_string(r.between(1, 5));
    case 3: return day + "-" + names[r.below(7)];
    default: return plain_field(r, 1, 7);
  }
}

std::string random_cron(Random& r) {
  static const char* const years[] = {"*", "*", "*", "2026-2028", "2027", "2026,2035", "2026/3", "1970-1980"};
  const bool dom_question = r.one_in(2);
  return "cron(" + plain_field(r, 0, 59) + " " + plain_field(r, 0, 23) + " " +
         (dom_question ? std::string("?") : day_of_month(r)) + " " + plain_field(r, 1, 12) + " " +
         (dom_question ? day_of_week(r) : std::string("?")) + " " + r.pick(years) + ")";
}

bool printable_ascii(const std::string& text) {
  for (const char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

TEST(ScheduleFuzz, NextAfterAgreesWithMinuteByMinuteMatching) {
  Random r(20260101);
  const std::int64_t start_2026 = 1767225600;
  int checked = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string text = random_cron(r);
    const ParseResult parsed = parse(text);
    if (!parsed.expression) continue;  // e.g. a random range that made a step out of bounds
    ++checked;
    const Expression& e = *parsed.expression;
    const std::int64_t after = start_2026 + r.between(0, 5 * 365) * 86400LL + r.between(0, 86399);
    const auto next = e.next_after(after);
    // Every minute from `after` up to the answer (or a day, whichever is first) must not fire.
    const std::int64_t first_minute = (after / 60 + 1) * 60;
    const std::int64_t horizon = next ? std::min(*next, first_minute + 86400) : first_minute + 86400;
    for (std::int64_t t = first_minute; t < horizon; t += 60)
      ASSERT_FALSE(e.fires_at(t)) << text << " after " << format_iso8601(after) << " skipped "
                                  << format_iso8601(t);
    if (!next) continue;
    ASSERT_GT(*next, after) << text;
    ASSERT_EQ(*next % 60, 0) << text;
    ASSERT_TRUE(e.fires_at(*next)) << text << " after " << format_iso8601(after) << " gave "
                                   << format_iso8601(*next);
  }
  EXPECT_GT(checked, 3000);  // the generator mostly makes valid expressions
}

TEST(ScheduleFuzz, RandomTextNeverCrashesOrHangs) {
  Random r(7);
  static const char* const prefixes[] = {"", "cron(", "rate(", "cron(0 0 ", "cron(* * ? * ", "rate(1 "};
  static const char alphabet[] = "0123456789012345*/,-?LW#() \t()JANFEBDECMONSUNFRIlwxyz\x01\x7f\xff";
  int valid = 0;
  for (int i = 0; i < 50000; ++i) {
    std::string text;
    if (r.one_in(2)) {
      // A mutation of a valid expression: a few characters deleted, inserted or replaced.
      text = random_cron(r);
      for (int n = r.between(1, 3); n > 0 && !text.empty(); --n) {
        const auto at = static_cast<std::size_t>(r.below(static_cast<int>(text.size())));
        const char c = alphabet[r.below(sizeof alphabet - 1)];
        switch (r.below(3)) {
          case 0: text.erase(at, 1); break;
          case 1: text.insert(at, 1, c); break;
          default: text[at] = c;
        }
      }
    } else {
      text = r.pick(prefixes);
      for (int n = r.below(40); n > 0; --n) text += alphabet[r.below(sizeof alphabet - 1)];
      if (r.one_in(2)) text += ")";
    }
    const ParseResult parsed = parse(text);
    if (!parsed.expression) {
      ASSERT_EQ(parsed.error.rfind("invalid ", 0), 0u) << text;
      ASSERT_TRUE(printable_ascii(parsed.error)) << parsed.error;
      continue;
    }
    ++valid;
    ASSERT_TRUE(parsed.error.empty());
    const Expression& e = *parsed.expression;
    for (const std::int64_t after : {std::int64_t{INT64_MIN}, std::int64_t{-1}, std::int64_t{1767225600},
                                     std::int64_t{7258118399}, std::int64_t{INT64_MAX}}) {
      const auto next = e.next_after(after, 1767225600);
      if (!next) continue;
      ASSERT_GT(*next, after) << text;
      ASSERT_TRUE(e.fires_at(*next, 1767225600)) << text;
    }
  }
  EXPECT_GT(valid, 100);
}

}  // namespace
}  // namespace stratus::schedule
