#pragma once
// One metered invocation: the row the engine appends to the billing ledger for every invocation,
// throttles included, and what `stratus billing` aggregates.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stratus::billing {

enum class Outcome { ok, error, timeout, oom, throttled };

std::string_view outcome_name(Outcome outcome);               // "ok", "error", ...
std::optional<Outcome> parse_outcome(std::string_view name);  // the inverse

struct LedgerRow {
  std::string function;  // deployed name
  std::string request_id;
  std::int64_t start_unix_ms = 0;
  double duration_ms = 0;                  // handler time (0 for a throttle)
  std::optional<double> init_duration_ms;  // cold starts only
  std::int64_t billed_ms = 0;              // ceil(init + duration); 0 for a throttle
  int memory_mb = 128;                     // configured
  std::int64_t max_memory_used_mb = 0;
  std::string architecture = "x86_64";
  bool cold = false;
  Outcome outcome = Outcome::ok;
  std::string error_type;  // "Runtime.ExitError", "Sandbox.Timedout", ...; "" when ok
};

}  // namespace stratus::billing
