#pragma once
// Lambda on-demand cost arithmetic on a PriceTable: GB-seconds, tiered monthly duration charges
// per architecture, the request charge, /tmp above the free 512 MB, the monthly free tier, and a
// projection from measured averages to a month at a steady request rate. Pure functions.
#include <cstdint>

#include "emulator/billing/prices.hpp"

namespace stratus::billing {

// Configured memory (MB / 1024) x billed seconds (ms / 1000).
double gb_seconds(int memory_mb, std::int64_t billed_ms);

// The GB-s of /tmp billed for one invocation: (ephemeral_mb - free_mb) / 1024 x billed seconds;
// 0 at or below the free size.
double ephemeral_gb_seconds(int ephemeral_mb, std::int64_t billed_ms, int free_mb = 512);

// A month of usage, aggregated per architecture (tiers apply to each architecture's monthly total).
struct MonthlyUsage {
  double requests = 0;
  double x86_64_gb_seconds = 0;
  double arm64_gb_seconds = 0;
  double ephemeral_gb_seconds = 0;  // already net of the free 512 MB (see ephemeral_gb_seconds)
};

struct MonthlyCost {
  double requests = 0;  // USD
  double x86_64_duration = 0;
  double arm64_duration = 0;
  double ephemeral = 0;
  double total() const { return requests + x86_64_duration + arm64_duration + ephemeral; }
};

// The charge for `gb_seconds` of one architecture's monthly usage through its tiers (each tier's
// bound is cumulative: x86_64 pays 0.0000166667 up to 6 B GB-s, then 0.000015 up to 15 B, ...).
double tiered_duration_cost(double gb_seconds, const std::vector<DurationTier>& tiers);

// The month's cost. With `free_tier`, the first free_requests requests are free and the free GB-s
// are taken off before the tiers apply. AWS pools the 400,000 free GB-s across both architectures
// without saying which usage it offsets; this takes it off x86_64 first (the dearer rate, so the
// estimate is the lowest the bill can be), then arm64. The free tier does not cover /tmp.
MonthlyCost monthly_cost(const MonthlyUsage& usage, const PriceTable& prices, bool free_tier);

// Seconds in the month a projection covers: 30 days, the month AWS's pricing examples use.
inline constexpr double seconds_per_month = 30.0 * 24 * 3600;

struct Workload {
  double avg_billed_ms = 0;  // measured average billed duration per invocation
  int memory_mb = 128;
  Architecture architecture = Architecture::x86_64;
  double requests_per_second = 0;  // steady rate over the month
  int ephemeral_mb = 512;
};

struct Projection {
  MonthlyUsage usage;
  MonthlyCost cost;
};

// The month at `requests_per_second` (requests = rate x seconds_per_month), each invocation
// billing avg_billed_ms at memory_mb. Negative or non-finite inputs count as 0.
Projection project_monthly(const Workload& workload, const PriceTable& prices, bool free_tier);

// Whole cents, half away from zero, for comparing with the dollar amounts AWS quotes.
double round_to_cents(double usd);

}  // namespace stratus::billing
