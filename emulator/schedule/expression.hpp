#pragma once
// EventBridge schedule expressions, as in a serverless.yml `schedule` event or a PutRule call:
//
//   rate(value unit)   value a positive integer; unit minute | minutes | hour | hours | day | days,
//                      singular for 1 and plural otherwise (AWS rejects rate(1 minutes) and
//                      rate(5 minute), and so does this).
//   cron(fields)       AWS's six-field cron, documented in cron.hpp.
//
// The text is taken as AWS takes it: a lower-case `rate(` or `cron(` prefix, nothing after the
// closing parenthesis, at most 256 characters (PutRule's limit). Inside the parentheses, runs of
// white space separate the parts.
//
// Usage:
//   const auto parsed = schedule::parse("cron(0 12 ? * MON-FRI *)");
//   if (!parsed.expression) report(parsed.error);
//   std::optional<std::int64_t> next = parsed.expression->next_after(now, rule_created_at);
//
// Everything here is pure: times are Unix seconds in UTC passed in by the caller, never read
// from a clock, so a scheduler with an injectable clock can drive it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/schedule/cron.hpp"

namespace stratus::schedule {

struct ParseResult;

class Expression {
 public:
  enum class Kind { rate, cron };

  Kind kind() const { return m_kind; }

  // The period of a rate(): 60 for rate(1 minute), 86400 * 2 for rate(2 days); 0 for a cron().
  std::int64_t rate_seconds() const { return m_rate_seconds; }

  // The first fire time strictly after `after`, or nullopt when there is none.
  //
  // rate(): AWS starts a rate schedule when the rule is created, so the fire times are
  //   anchor + k * period for k >= 1, where `anchor` is that creation time (any second, not
  //   rounded). nullopt only when the answer would overflow int64.
  // cron(): `anchor` is ignored. The answer is a whole minute (a multiple of 60) in 1970-2199;
  //   nullopt when the year field has no later match, or the expression can never fire
  //   (cron(0 0 30 2 ? *)). Fast whatever the expression: it skips years, months, days and
  //   hours that cannot match instead of stepping minute by minute.
  std::optional<std::int64_t> next_after(std::int64_t after, std::int64_t anchor = 0) const;

  // Whether `unix_seconds` is exactly one of the fire times next_after would produce.
  bool fires_at(std::int64_t unix_seconds, std::int64_t anchor = 0) const;

  // The expression normalised: white space runs collapsed to one space, letters of cron fields
  // upper-cased, leading zeros of a rate value dropped: "rate(5 minutes)", "cron(0 12 ? * MON *)".
  const std::string& canonical() const { return m_canonical; }

  // The parsed cron fields; meaningful only for Kind::cron.
  const CronSchedule& cron() const { return m_cron; }

 private:
  friend ParseResult parse(std::string_view text);
  Expression() = default;

  Kind m_kind = Kind::rate;
  std::int64_t m_rate_seconds = 0;
  CronSchedule m_cron;
  std::string m_canonical;
};

// An expression, or why `text` is not one. The error is a whole sentence for the user, naming the
// expression, the field and the fix, e.g.
//   invalid cron expression 'cron(0 25 * * ? *)': hours must be 0-23 (got 25)
//   invalid rate expression 'rate(5 minute)': use 'minutes' for a value other than 1, e.g. rate(5 minutes)
//   invalid schedule expression 'every 5 minutes': expected rate(...) or cron(...)
// Any input is safe: control bytes are quoted as \xNN and very long inputs are shortened in the
// message.
struct ParseResult {
  std::optional<Expression> expression;
  std::string error;
};

ParseResult parse(std::string_view text);

}  // namespace stratus::schedule
