#include "emulator/schedule/expression.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace stratus::schedule {
namespace {

// PutRule's ScheduleExpression holds at most 256 characters; AWS rejects longer ones, and the
// limit also keeps every error message short.
constexpr std::size_t max_expression_length = 256;
constexpr std::size_t max_quoted_length = 60;  // of an over-long expression, in its error

// Makes any bytes printable for a message: control bytes and non-ASCII become \xNN. Every
// message passes through it once, so user text in a reason needs no escaping of its own.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      out += escaped;
    }
  }
  return out;
}

ParseResult failure(std::string_view kind, std::string_view text, std::string_view reason) {
  return {std::nullopt, printable("invalid " + std::string(kind) + " expression '" + std::string(text) +
                                  "': " + std::string(reason))};
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end])) ++end;
    if (end > i) words.push_back(text.substr(i, end - i));
    i = end + 1;
  }
  return words;
}

struct RateUnit {
  std::string_view singular;
  std::string_view plural;
  std::int64_t seconds;
};
constexpr RateUnit rate_units[] = {
    {"minute", "minutes", 60}, {"hour", "hours", 3600}, {"day", "days", 86400}};

// The part of a rate(...) between the parentheses; the reason it is wrong, or the period.
struct RateParse {
  std::int64_t seconds = 0;
  std::string canonical;
  std::string error;
};

RateParse parse_rate(std::string_view inside) {
  const auto words = split_words(inside);
  if (words.size() != 2) return {0, {}, "expected rate(value unit), e.g. rate(5 minutes)"};
  const std::string_view value_text = words[0];
  const std::string_view unit_text = words[1];
  bool digits = !value_text.empty();
  for (const char c : value_text) digits = digits && c >= '0' && c <= '9';
  if (!digits) return {0, {}, "value must be a positive integer (got '" + std::string(value_text) + "')"};
  std::size_t first = value_text.find_first_not_of('0');
  if (first == std::string_view::npos) return {0, {}, "value must be a positive integer (got 0)"};
  const std::string_view significant = value_text.substr(first);
  // A billion days is 2.7 million years; anything longer would never fire, and the bound keeps the
  // period far from overflowing int64.
  if (significant.size() > 9)
    return {0, {}, "value must be at most 999999999 (got " + std::string(value_text) + ")"};
  const std::int64_t value = std::stoll(std::string(significant));
  for (const RateUnit& unit : rate_units) {
    if (unit_text != unit.singular && unit_text != unit.plural) continue;
    const std::string value_string = std::to_string(value);
    if (value == 1 && unit_text == unit.plural)
      return {0,
              {},
              "use '" + std::string(unit.singular) + "' for a value of 1, e.g. rate(1 " +
                  std::string(unit.singular) + ")"};
    if (value != 1 && unit_text == unit.singular)
      return {0,
              {},
              "use '" + std::string(unit.plural) + "' for a value other than 1, e.g. rate(" + value_string +
                  " " + std::string(unit.plural) + ")"};
    return {value * unit.seconds, "rate(" + value_string + " " + std::string(unit_text) + ")", {}};
  }
  return {
      0, {}, "unit must be minute, minutes, hour, hours, day or days (got '" + std::string(unit_text) + "')"};
}

std::string canonical_cron(std::string_view inside) {
  std::string out = "cron(";
  for (const std::string_view word : split_words(inside)) {
    if (out.size() > 5) out += ' ';
    for (char c : word) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out + ")";
}

}  // namespace

ParseResult parse(std::string_view text) {
  if (text.size() > max_expression_length)
    return {std::nullopt, "invalid schedule expression '" + printable(text.substr(0, max_quoted_length)) +
                              "...': longer than 256 characters (got " + std::to_string(text.size()) + ")"};
  std::string_view kind;
  if (text.starts_with("rate(")) kind = "rate";
  if (text.starts_with("cron(")) kind = "cron";
  if (kind.empty()) return failure("schedule", text, "expected rate(...) or cron(...)");
  const std::size_t close = text.find(')');
  if (close == std::string_view::npos) return failure(kind, text, "missing ')' at the end");
  if (close + 1 != text.size())
    return failure(kind, text, "unexpected '" + std::string(text.substr(close + 1)) + "' after ')'");
  const std::string_view inside = text.substr(5, close - 5);

  Expression expression;
  if (kind == "rate") {
    RateParse rate = parse_rate(inside);
    if (!rate.error.empty()) return failure(kind, text, rate.error);
    expression.m_kind = Expression::Kind::rate;
    expression.m_rate_seconds = rate.seconds;
    expression.m_canonical = std::move(rate.canonical);
  } else {
    CronParseResult cron = parse_cron_fields(inside);
    if (!cron.schedule) return failure(kind, text, cron.error);
    expression.m_kind = Expression::Kind::cron;
    expression.m_cron = *cron.schedule;
    expression.m_canonical = canonical_cron(inside);
  }
  return {std::move(expression), {}};
}

// Rate arithmetic runs in uint64: the distance between any two int64 values fits there, so an
// anchor far in the past still gives the right answer instead of an overflow.
std::optional<std::int64_t> Expression::next_after(std::int64_t after, std::int64_t anchor) const {
  if (m_kind == Kind::cron) return next_cron_time(m_cron, after);
  // anchor + k * period for the smallest k >= 1 with a result > after.
  const auto period = static_cast<std::uint64_t>(m_rate_seconds);
  std::uint64_t k = 1;
  if (after >= anchor)
    k = (static_cast<std::uint64_t>(after) - static_cast<std::uint64_t>(anchor)) / period + 1;
  std::uint64_t offset = 0;
  if (__builtin_mul_overflow(k, period, &offset)) return std::nullopt;
  const std::uint64_t room = static_cast<std::uint64_t>(INT64_MAX) - static_cast<std::uint64_t>(anchor);
  if (offset > room) return std::nullopt;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(anchor) + offset);
}

bool Expression::fires_at(std::int64_t unix_seconds, std::int64_t anchor) const {
  if (m_kind == Kind::cron) return cron_matches(m_cron, unix_seconds);
  if (unix_seconds <= anchor) return false;
  const std::uint64_t since = static_cast<std::uint64_t>(unix_seconds) - static_cast<std::uint64_t>(anchor);
  return since % static_cast<std::uint64_t>(m_rate_seconds) == 0;
}

}  // namespace stratus::schedule
