#include "emulator/billing/cost.hpp"

#include <algorithm>
#include <cmath>

namespace stratus::billing {
namespace {

double finite_non_negative(double value) {
  return std::isfinite(value) && value > 0 ? value : 0.0;
}

}  // namespace

double gb_seconds(int memory_mb, std::int64_t billed_ms) {
  if (memory_mb <= 0 || billed_ms <= 0) return 0;
  return (memory_mb / 1024.0) * (static_cast<double>(billed_ms) / 1000.0);
}

double ephemeral_gb_seconds(int ephemeral_mb, std::int64_t billed_ms, int free_mb) {
  if (ephemeral_mb <= free_mb) return 0;
  return gb_seconds(ephemeral_mb - free_mb, billed_ms);
}

double tiered_duration_cost(double gb_s, const std::vector<DurationTier>& tiers) {
  double remaining = finite_non_negative(gb_s);
  double floor = 0;  // cumulative GB-s already charged by lower tiers
  double cost = 0;
  for (const DurationTier& tier : tiers) {
    if (remaining <= 0) break;
    double in_tier = remaining;
    if (tier.up_to_gb_seconds) in_tier = std::min(remaining, *tier.up_to_gb_seconds - floor);
    cost += in_tier * tier.price_per_gb_second;
    remaining -= in_tier;
    if (tier.up_to_gb_seconds) floor = *tier.up_to_gb_seconds;
  }
  return cost;
}

MonthlyCost monthly_cost(const MonthlyUsage& usage, const PriceTable& prices, bool free_tier) {
  double requests = finite_non_negative(usage.requests);
  double x86 = finite_non_negative(usage.x86_64_gb_seconds);
  double arm = finite_non_negative(usage.arm64_gb_seconds);
  if (free_tier) {
    requests = std::max(0.0, requests - static_cast<double>(prices.free_requests));
    double free_left = prices.free_gb_seconds;
    const double from_x86 = std::min(free_left, x86);
    x86 -= from_x86;
    free_left -= from_x86;
    arm -= std::min(free_left, arm);
  }
  MonthlyCost cost;
  cost.requests = requests / 1e6 * prices.request_price_per_million;
  cost.x86_64_duration = tiered_duration_cost(x86, prices.x86_64);
  cost.arm64_duration = tiered_duration_cost(arm, prices.arm64);
  cost.ephemeral = finite_non_negative(usage.ephemeral_gb_seconds) * prices.ephemeral_price_per_gb_second;
  return cost;
}

Projection project_monthly(const Workload& workload, const PriceTable& prices, bool free_tier) {
  Projection projection;
  const double requests = finite_non_negative(workload.requests_per_second) * seconds_per_month;
  const double billed_ms = finite_non_negative(workload.avg_billed_ms);
  const double memory_gb = std::max(0, workload.memory_mb) / 1024.0;
  // Averages need not be whole milliseconds, so the GB-s are computed here in doubles rather
  // than through gb_seconds(int, int64).
  const double gb_s = requests * memory_gb * billed_ms / 1000.0;
  projection.usage.requests = requests;
  if (workload.architecture == Architecture::arm64) {
    projection.usage.arm64_gb_seconds = gb_s;
  } else {
    projection.usage.x86_64_gb_seconds = gb_s;
  }
  const int extra_tmp_mb = std::max(0, workload.ephemeral_mb - prices.ephemeral_free_mb);
  projection.usage.ephemeral_gb_seconds = requests * (extra_tmp_mb / 1024.0) * billed_ms / 1000.0;
  projection.cost = monthly_cost(projection.usage, prices, free_tier);
  return projection;
}

double round_to_cents(double usd) {
  return std::round(usd * 100.0) / 100.0;
}

}  // namespace stratus::billing
