#include "emulator/billing/cost.hpp"

#include <gtest/gtest.h>

namespace stratus::billing {
namespace {

const PriceTable& prices() {
  return us_east_1_prices();
}

MonthlyUsage usage_of(double requests, int memory_mb, std::int64_t ms_each, Architecture arch) {
  MonthlyUsage usage;
  usage.requests = requests;
  const double gb_s = requests * gb_seconds(memory_mb, ms_each);
  (arch == Architecture::arm64 ? usage.arm64_gb_seconds : usage.x86_64_gb_seconds) = gb_s;
  return usage;
}

TEST(Cost, GbSeconds) {
  EXPECT_DOUBLE_EQ(gb_seconds(1024, 1000), 1.0);
  EXPECT_DOUBLE_EQ(gb_seconds(512, 300), 0.15);
  EXPECT_DOUBLE_EQ(gb_seconds(128, 1), 0.125 / 1000);
  EXPECT_EQ(gb_seconds(0, 1000), 0);
  EXPECT_EQ(gb_seconds(128, -1), 0);
  EXPECT_DOUBLE_EQ(ephemeral_gb_seconds(10240, 1000), 9.5);
  EXPECT_EQ(ephemeral_gb_seconds(512, 1000), 0);
}

// aws.amazon.com/lambda/pricing, "Example 2": 128 MB, 30 M invocations of 200 ms in a month:
// compute $5.83 + requests $5.80 = $11.63.
TEST(Cost, AwsExample128MbThirtyMillion) {
  const MonthlyCost cost = monthly_cost(usage_of(30e6, 128, 200, Architecture::x86_64), prices(), true);
  EXPECT_DOUBLE_EQ(round_to_cents(cost.x86_64_duration), 5.83);
  EXPECT_DOUBLE_EQ(round_to_cents(cost.requests), 5.80);
  EXPECT_DOUBLE_EQ(round_to_cents(cost.total()), 11.63);
}

// aws.amazon.com/lambda/pricing, "Example 1": 512 MB, 3 M invocations of 1 s: AWS printed
// $18.34 + $0.40 = $18.74 using the rate rounded to $0.00001667. At the exact rate
// $0.0000166667 the compute is $18.33.
TEST(Cost, AwsExample512MbThreeMillion) {
  const MonthlyUsage usage = usage_of(3e6, 512, 1000, Architecture::x86_64);
  EXPECT_DOUBLE_EQ(usage.x86_64_gb_seconds, 1.5e6);
  const MonthlyCost exact = monthly_cost(usage, prices(), true);
  EXPECT_DOUBLE_EQ(round_to_cents(exact.x86_64_duration), 18.33);
  EXPECT_DOUBLE_EQ(round_to_cents(exact.requests), 0.40);

  PriceTable rounded = prices();
  rounded.x86_64[0].price_per_gb_second = 0.00001667;
  const MonthlyCost as_printed = monthly_cost(usage, rounded, true);
  EXPECT_DOUBLE_EQ(round_to_cents(as_printed.x86_64_duration), 18.34);
  EXPECT_DOUBLE_EQ(round_to_cents(as_printed.total()), 18.74);
}

// The Arm example of the current pricing page (3 M requests, 120 ms, 1536 MB, arm64):
// 540,000 GB-s - 400,000 free = 140,000 x $0.0000133334 = $1.87, + $0.40 requests = $2.27.
TEST(Cost, ArmExample1536Mb) {
  const MonthlyCost cost = monthly_cost(usage_of(3e6, 1536, 120, Architecture::arm64), prices(), true);
  EXPECT_DOUBLE_EQ(round_to_cents(cost.arm64_duration), 1.87);
  EXPECT_EQ(cost.x86_64_duration, 0);
  EXPECT_DOUBLE_EQ(round_to_cents(cost.total()), 2.27);
  // The same on x86_64: 140,000 x $0.0000166667 = $2.33.
  const MonthlyCost x86 = monthly_cost(usage_of(3e6, 1536, 120, Architecture::x86_64), prices(), true);
  EXPECT_DOUBLE_EQ(round_to_cents(x86.total()), 2.73);
}

TEST(Cost, X86TierBoundaries) {
  const auto& tiers = prices().x86_64;
  EXPECT_NEAR(tiered_duration_cost(6e9, tiers), 100000.2, 1e-3);
  EXPECT_NEAR(tiered_duration_cost(15e9, tiers), 100000.2 + 135000.0, 1e-3);
  EXPECT_NEAR(tiered_duration_cost(16e9, tiers), 235000.2 + 13333.4, 1e-3);
  // One GB-s past the first boundary is charged at the second rate.
  EXPECT_NEAR(tiered_duration_cost(6e9 + 1, tiers) - tiered_duration_cost(6e9, tiers), 0.000015, 1e-9);
  EXPECT_EQ(tiered_duration_cost(0, tiers), 0);
  EXPECT_EQ(tiered_duration_cost(-1, tiers), 0);
}

TEST(Cost, ArmTierBoundaries) {
  const auto& tiers = prices().arm64;
  EXPECT_NEAR(tiered_duration_cost(7.5e9, tiers), 100000.5, 1e-3);
  EXPECT_NEAR(tiered_duration_cost(18.75e9, tiers), 100000.5 + 135001.125, 1e-3);
  EXPECT_NEAR(tiered_duration_cost(20e9, tiers), 235001.625 + 13333.375, 1e-3);
  EXPECT_NEAR(tiered_duration_cost(7.5e9 + 1, tiers) - tiered_duration_cost(7.5e9, tiers), 0.0000120001,
              1e-9);
}

TEST(Cost, TiersApplyPerArchitecture) {
  MonthlyUsage usage;
  usage.x86_64_gb_seconds = 6e9;
  usage.arm64_gb_seconds = 6e9;
  const MonthlyCost cost = monthly_cost(usage, prices(), false);
  // Neither architecture crosses its own first boundary, though the sum would.
  EXPECT_NEAR(cost.x86_64_duration, 6e9 * 0.0000166667, 1e-3);
  EXPECT_NEAR(cost.arm64_duration, 6e9 * 0.0000133334, 1e-3);
}

TEST(Cost, FreeTierCoversX86FirstThenArm) {
  MonthlyUsage usage;
  usage.requests = 900000;
  usage.x86_64_gb_seconds = 300000;
  usage.arm64_gb_seconds = 300000;
  const MonthlyCost free = monthly_cost(usage, prices(), true);
  EXPECT_EQ(free.requests, 0);
  EXPECT_EQ(free.x86_64_duration, 0);
  EXPECT_NEAR(free.arm64_duration, 200000 * 0.0000133334, 1e-9);

  const MonthlyCost full = monthly_cost(usage, prices(), false);
  EXPECT_NEAR(full.requests, 0.18, 1e-12);
  EXPECT_NEAR(full.x86_64_duration, 300000 * 0.0000166667, 1e-9);
  EXPECT_NEAR(full.arm64_duration, 300000 * 0.0000133334, 1e-9);

  usage.x86_64_gb_seconds = 500000;
  const MonthlyCost over = monthly_cost(usage, prices(), true);
  EXPECT_NEAR(over.x86_64_duration, 100000 * 0.0000166667, 1e-9);
  EXPECT_NEAR(over.arm64_duration, 300000 * 0.0000133334, 1e-9);
}

TEST(Cost, EphemeralStorageIsNeverFree) {
  MonthlyUsage usage;
  usage.ephemeral_gb_seconds = 1e6;
  EXPECT_NEAR(monthly_cost(usage, prices(), true).ephemeral, 0.0309, 1e-12);
}

TEST(Cost, ProjectionOverAThirtyDayMonth) {
  Workload workload;
  workload.avg_billed_ms = 100;
  workload.memory_mb = 128;
  workload.requests_per_second = 1;
  const Projection free = project_monthly(workload, prices(), true);
  EXPECT_DOUBLE_EQ(free.usage.requests, 2592000);
  EXPECT_DOUBLE_EQ(free.usage.x86_64_gb_seconds, 32400);
  EXPECT_EQ(free.cost.x86_64_duration, 0);
  EXPECT_NEAR(free.cost.requests, 0.3184, 1e-9);

  const Projection full = project_monthly(workload, prices(), false);
  EXPECT_NEAR(full.cost.total(), 0.5184 + 32400 * 0.0000166667, 1e-9);

  workload.architecture = Architecture::arm64;
  workload.ephemeral_mb = 1536;
  const Projection arm = project_monthly(workload, prices(), false);
  EXPECT_EQ(arm.usage.x86_64_gb_seconds, 0);
  EXPECT_DOUBLE_EQ(arm.usage.arm64_gb_seconds, 32400);
  EXPECT_DOUBLE_EQ(arm.usage.ephemeral_gb_seconds, 259200);  // 2,592,000 x 1 GB x 0.1 s
  EXPECT_NEAR(arm.cost.arm64_duration, 32400 * 0.0000133334, 1e-9);

  workload.requests_per_second = -3;
  EXPECT_EQ(project_monthly(workload, prices(), false).cost.total(), 0);
}

TEST(Cost, RoundToCents) {
  EXPECT_DOUBLE_EQ(round_to_cents(1.866676), 1.87);
  EXPECT_DOUBLE_EQ(round_to_cents(18.333337), 18.33);
  EXPECT_DOUBLE_EQ(round_to_cents(0.004), 0.0);
}

}  // namespace
}  // namespace stratus::billing
