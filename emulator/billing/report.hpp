#pragma once
// What `stratus billing` shows: ledger rows aggregated per function and in total (counts,
// duration percentiles, billed time, GB-seconds, cost), and a projection of the measured
// workload to a month at a given request rate. Pure functions of the rows and a price table.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/billing/cost.hpp"
#include "emulator/billing/ledger.hpp"
#include "emulator/billing/prices.hpp"

namespace stratus::billing {

// The p-th percentile (0-100) of `values` by linear interpolation between the closest ranks
// (rank = p/100 x (n - 1), as numpy's default and Excel's PERCENTILE.INC); 0 for no values.
double percentile(std::vector<double> values, double p);

struct InvocationStats {
  // Invocations are the rows that ran: every outcome but `throttled`. As in Lambda's metrics,
  // throttles are counted apart and are neither billed nor part of the durations.
  std::int64_t invocations = 0;
  std::int64_t errors = 0;  // outcome error, timeout or oom
  std::int64_t throttles = 0;
  std::int64_t cold_starts = 0;
  double p50_ms = 0;  // of duration_ms over the invocations
  double p95_ms = 0;
  double p99_ms = 0;
  double avg_billed_ms = 0;    // billed_ms averaged over the invocations
  std::int64_t billed_ms = 0;  // summed
  double gb_seconds = 0;       // gb_seconds(memory_mb, billed_ms) summed, both architectures
  MonthlyUsage usage;          // requests = invocations; GB-s split by architecture
  MonthlyCost cost;            // at list price, as if the rows were one month's usage
  // Less the monthly free tier. For one function: as if it were the only one in the account
  // (the free tier is account-wide), so these do not add up to the total's.
  MonthlyCost cost_free_tier;
};

struct FunctionReport {
  std::string function;
  // The configuration of the function's most recent row (what a projection assumes).
  int memory_mb = 128;
  Architecture architecture = Architecture::x86_64;
  InvocationStats stats;
};

struct Report {
  std::vector<FunctionReport> functions;  // sorted by name
  InvocationStats total;                  // every row; tiers apply per architecture to the sums
  std::int64_t first_start_unix_ms = 0;   // the rows' time span (0 when there are none)
  std::int64_t last_start_unix_ms = 0;
};

Report build_report(std::span<const LedgerRow> rows, const PriceTable& prices);

struct FunctionProjection {
  std::string function;
  double requests_per_second = 0;  // its share of the rate
  Projection projection;           // at list price
};

// A month (seconds_per_month) at `requests_per_second` in total. The rate is split across the
// functions in proportion to their measured invocation counts: the ledger is taken as a sample of
// the traffic mix. Each share runs at its function's measured avg_billed_ms, latest memory and
// architecture (billing::project_monthly). The usage is then summed per architecture before
// pricing, so tiers and the free tier apply to the account's month, as AWS bills it. Throttles
// are not projected: a real account's concurrency would run them.
struct MonthlyProjection {
  double requests_per_second = 0;
  std::vector<FunctionProjection> functions;  // the report's order
  MonthlyUsage usage;
  MonthlyCost cost;
  MonthlyCost cost_free_tier;
};

MonthlyProjection project_report(const Report& report, double requests_per_second, const PriceTable& prices);

// "50/s", "3000/min", "10/h", "2e5/day", "1e6/month" (a month is seconds_per_month, 30 days)
// -> requests per second. Units: s, sec, second, min, minute, h, hour, day, month.
struct RateParse {
  std::optional<double> per_second;
  std::string error;  // set when per_second is empty, e.g. "expected RATE/UNIT such as 50/s (got 'x')"
};
RateParse parse_rate(std::string_view text);

}  // namespace stratus::billing
