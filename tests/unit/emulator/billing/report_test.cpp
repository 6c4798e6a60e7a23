#include "emulator/billing/report.hpp"

#include <gtest/gtest.h>

namespace stratus::billing {
namespace {

constexpr double kX86Rate = 0.0000166667;  // first tier, USD per GB-s
constexpr double kArmRate = 0.0000133334;
constexpr double kPerRequest = 0.20 / 1e6;

LedgerRow row(std::string function, double duration_ms, std::int64_t billed_ms,
              Outcome outcome = Outcome::ok) {
  LedgerRow r;
  r.function = std::move(function);
  r.duration_ms = duration_ms;
  r.billed_ms = billed_ms;
  r.memory_mb = 128;
  r.outcome = outcome;
  return r;
}

// Function a (x86_64, 128 MB): four invocations of 100-400 ms, one of them cold, one error, one
// timeout, and a throttle. Function b (arm64, 1024 MB): one 1 s invocation.
std::vector<LedgerRow> sample() {
  std::vector<LedgerRow> rows;
  rows.push_back(row("a", 100, 150));
  rows.back().cold = true;
  rows.back().init_duration_ms = 50;
  rows.back().start_unix_ms = 5000;
  rows.push_back(row("a", 200, 200, Outcome::error));
  rows.back().start_unix_ms = 6000;
  rows.push_back(row("a", 300, 300));
  rows.back().start_unix_ms = 7000;
  rows.push_back(row("a", 400, 400, Outcome::timeout));
  rows.back().start_unix_ms = 8000;
  rows.push_back(row("a", 0, 0, Outcome::throttled));
  rows.back().start_unix_ms = 9000;
  rows.push_back(row("b", 1000, 1000));
  rows.back().memory_mb = 1024;
  rows.back().architecture = "arm64";
  rows.back().start_unix_ms = 4000;
  return rows;
}

TEST(Percentile, InterpolatesBetweenClosestRanks) {
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({7}, 99), 7);
  EXPECT_DOUBLE_EQ(percentile({400, 100, 300, 200}, 50), 250);  // unsorted input is fine
  EXPECT_DOUBLE_EQ(percentile({100, 200, 300, 400}, 95), 385);
  EXPECT_DOUBLE_EQ(percentile({100, 200, 300, 400}, 99), 397);
  EXPECT_DOUBLE_EQ(percentile({100, 200, 300, 400}, 0), 100);
  EXPECT_DOUBLE_EQ(percentile({100, 200, 300, 400}, 100), 400);
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_DOUBLE_EQ(percentile(hundred, 50), 50.5);
  EXPECT_DOUBLE_EQ(percentile(hundred, 95), 95.05);
  EXPECT_DOUBLE_EQ(percentile(hundred, 99), 99.01);
}

TEST(Report, CountsAndDurationsPerFunction) {
  const auto rows = sample();
  const Report report = build_report(rows, us_east_1_prices());
  ASSERT_EQ(report.functions.size(), 2u);
  const FunctionReport& a = report.functions[0];
  EXPECT_EQ(a.function, "a");
  EXPECT_EQ(a.memory_mb, 128);
  EXPECT_EQ(a.architecture, Architecture::x86_64);
  EXPECT_EQ(a.stats.invocations, 4);
  EXPECT_EQ(a.stats.errors, 2);
  EXPECT_EQ(a.stats.throttles, 1);
  EXPECT_EQ(a.stats.cold_starts, 1);
  EXPECT_DOUBLE_EQ(a.stats.p50_ms, 250);
  EXPECT_DOUBLE_EQ(a.stats.p95_ms, 385);
  EXPECT_DOUBLE_EQ(a.stats.p99_ms, 397);  // the throttle's 0 ms is not a duration
  EXPECT_EQ(a.stats.billed_ms, 1050);
  EXPECT_DOUBLE_EQ(a.stats.avg_billed_ms, 262.5);
  EXPECT_DOUBLE_EQ(a.stats.gb_seconds, 0.125 * 1.05);

  const FunctionReport& b = report.functions[1];
  EXPECT_EQ(b.function, "b");
  EXPECT_EQ(b.memory_mb, 1024);
  EXPECT_EQ(b.architecture, Architecture::arm64);
  EXPECT_DOUBLE_EQ(b.stats.gb_seconds, 1.0);
  EXPECT_DOUBLE_EQ(b.stats.usage.arm64_gb_seconds, 1.0);
  EXPECT_EQ(b.stats.usage.x86_64_gb_seconds, 0);

  const InvocationStats& t = report.total;
  EXPECT_EQ(t.invocations, 5);
  EXPECT_EQ(t.errors, 2);
  EXPECT_EQ(t.throttles, 1);
  EXPECT_EQ(t.cold_starts, 1);
  EXPECT_DOUBLE_EQ(t.p50_ms, 300);  // of 100, 200, 300, 400, 1000
  EXPECT_DOUBLE_EQ(t.p95_ms, 880);
  EXPECT_DOUBLE_EQ(t.p99_ms, 976);
  EXPECT_EQ(t.billed_ms, 2050);
  EXPECT_DOUBLE_EQ(t.avg_billed_ms, 410);
  EXPECT_DOUBLE_EQ(t.gb_seconds, 0.13125 + 1.0);
  EXPECT_EQ(report.first_start_unix_ms, 4000);
  EXPECT_EQ(report.last_start_unix_ms, 9000);
}

TEST(Report, CostAtListPriceAndWithinTheFreeTier) {
  const auto rows = sample();
  const Report report = build_report(rows, us_east_1_prices());
  const MonthlyCost& a = report.functions[0].stats.cost;
  EXPECT_NEAR(a.requests, 4 * kPerRequest, 1e-15);  // the throttle is not billed
  EXPECT_NEAR(a.x86_64_duration, 0.13125 * kX86Rate, 1e-15);
  EXPECT_EQ(a.arm64_duration, 0);

  const MonthlyCost& t = report.total.cost;
  EXPECT_NEAR(t.requests, 5 * kPerRequest, 1e-15);
  EXPECT_NEAR(t.x86_64_duration, 0.13125 * kX86Rate, 1e-15);
  EXPECT_NEAR(t.arm64_duration, 1.0 * kArmRate, 1e-15);
  EXPECT_NEAR(t.total(), 5 * 0.2e-6 + 0.13125 * kX86Rate + kArmRate, 1e-15);
  EXPECT_EQ(report.total.cost_free_tier.total(), 0);
  EXPECT_EQ(report.functions[1].stats.cost_free_tier.total(), 0);
}

TEST(Report, NoRowsGiveZeros) {
  const Report report = build_report({}, us_east_1_prices());
  EXPECT_TRUE(report.functions.empty());
  EXPECT_EQ(report.total.invocations, 0);
  EXPECT_EQ(report.total.avg_billed_ms, 0);
  EXPECT_EQ(report.total.p99_ms, 0);
  EXPECT_EQ(report.total.cost.total(), 0);
  EXPECT_EQ(report.first_start_unix_ms, 0);
}

TEST(Report, LatestRowDecidesTheConfiguration) {
  std::vector<LedgerRow> rows{row("a", 10, 10), row("a", 10, 10)};
  rows[0].start_unix_ms = 2000;
  rows[0].memory_mb = 512;
  rows[1].start_unix_ms = 1000;
  rows[1].memory_mb = 256;
  const Report report = build_report(rows, us_east_1_prices());
  EXPECT_EQ(report.functions[0].memory_mb, 512);
  EXPECT_DOUBLE_EQ(report.functions[0].stats.gb_seconds,
                   0.5 * 0.01 + 0.25 * 0.01);  // each row its own memory
}

// 100 requests/s over 30 days (2,592,000 s) split 4:1 by the measured invocations.
TEST(Projection, SplitsTheRateByTheMeasuredMix) {
  const auto rows = sample();
  const Report report = build_report(rows, us_east_1_prices());
  const MonthlyProjection p = project_report(report, 100, us_east_1_prices());
  ASSERT_EQ(p.functions.size(), 2u);
  EXPECT_DOUBLE_EQ(p.functions[0].requests_per_second, 80);
  EXPECT_DOUBLE_EQ(p.functions[1].requests_per_second, 20);
  // a: 207,360,000 requests x 0.125 GB x 0.2625 s = 6,804,000 GB-s on x86_64.
  EXPECT_DOUBLE_EQ(p.functions[0].projection.usage.requests, 207'360'000);
  EXPECT_NEAR(p.functions[0].projection.usage.x86_64_gb_seconds, 6'804'000, 1e-6);
  // b: 51,840,000 requests x 1 GB x 1 s on arm64.
  EXPECT_NEAR(p.functions[1].projection.usage.arm64_gb_seconds, 51'840'000, 1e-6);
  EXPECT_NEAR(p.functions[1].projection.cost.total(), 51.84e6 * kPerRequest + 51.84e6 * kArmRate, 1e-6);

  EXPECT_DOUBLE_EQ(p.usage.requests, 259'200'000);
  EXPECT_NEAR(p.cost.requests, 51.84, 1e-9);
  EXPECT_NEAR(p.cost.x86_64_duration, 6'804'000 * kX86Rate, 1e-6);  // $113.40
  EXPECT_NEAR(p.cost.arm64_duration, 51'840'000 * kArmRate, 1e-6);  // $691.20
  EXPECT_DOUBLE_EQ(round_to_cents(p.cost.total()), 856.44);
  // The free tier once for the account: 1 M requests and 400,000 GB-s off x86_64 first.
  EXPECT_NEAR(p.cost_free_tier.requests, 51.64, 1e-9);
  EXPECT_NEAR(p.cost_free_tier.x86_64_duration, 6'404'000 * kX86Rate, 1e-6);
  EXPECT_NEAR(p.cost_free_tier.arm64_duration, 51'840'000 * kArmRate, 1e-6);
}

TEST(Projection, ZeroOrNoInvocationsProjectNothing) {
  const auto rows = sample();
  const Report report = build_report(rows, us_east_1_prices());
  EXPECT_EQ(project_report(report, 0, us_east_1_prices()).cost.total(), 0);
  EXPECT_EQ(project_report(report, -5, us_east_1_prices()).requests_per_second, 0);
  const std::vector<LedgerRow> throttles{row("a", 0, 0, Outcome::throttled)};
  const MonthlyProjection none =
      project_report(build_report(throttles, us_east_1_prices()), 50, us_east_1_prices());
  ASSERT_EQ(none.functions.size(), 1u);
  EXPECT_EQ(none.functions[0].requests_per_second, 0);
  EXPECT_EQ(none.cost.total(), 0);
}

TEST(Rate, ParsesEveryUnit) {
  EXPECT_DOUBLE_EQ(*parse_rate("50/s").per_second, 50);
  EXPECT_DOUBLE_EQ(*parse_rate("50/sec").per_second, 50);
  EXPECT_DOUBLE_EQ(*parse_rate("50/second").per_second, 50);
  EXPECT_DOUBLE_EQ(*parse_rate("3000/min").per_second, 50);
  EXPECT_DOUBLE_EQ(*parse_rate("3000/minute").per_second, 50);
  EXPECT_DOUBLE_EQ(*parse_rate("10/h").per_second, 10.0 / 3600);
  EXPECT_DOUBLE_EQ(*parse_rate("36/hour").per_second, 0.01);
  EXPECT_DOUBLE_EQ(*parse_rate("8.64e4/day").per_second, 1);
  EXPECT_DOUBLE_EQ(*parse_rate("1e6/month").per_second, 1e6 / 2'592'000);
  EXPECT_DOUBLE_EQ(*parse_rate("0/s").per_second, 0);
  EXPECT_DOUBLE_EQ(*parse_rate("0.5/s").per_second, 0.5);
  EXPECT_TRUE(parse_rate("50/s").error.empty());
}

TEST(Rate, ErrorsSayWhatIsExpected) {
  EXPECT_EQ(parse_rate("x").error, "expected RATE/UNIT such as 50/s (got 'x')");
  EXPECT_EQ(parse_rate("50").error, "expected RATE/UNIT such as 50/s (got '50')");
  EXPECT_EQ(parse_rate("").error, "expected RATE/UNIT such as 50/s (got '')");
  EXPECT_EQ(parse_rate("/s").error, "expected RATE/UNIT such as 50/s (got '/s')");
  EXPECT_EQ(parse_rate("5x/s").error, "expected RATE/UNIT such as 50/s (got '5x/s')");
  EXPECT_EQ(parse_rate(" 5/s").error, "expected RATE/UNIT such as 50/s (got ' 5/s')");
  EXPECT_EQ(parse_rate("-5/s").error, "the rate must be a number at or above 0 (got '-5/s')");
  EXPECT_EQ(parse_rate("inf/s").error, "the rate must be a number at or above 0 (got 'inf/s')");
  EXPECT_EQ(parse_rate("nan/s").error, "the rate must be a number at or above 0 (got 'nan/s')");
  EXPECT_EQ(parse_rate("5/week").error, "unknown unit 'week' in '5/week' (use s, min, h, day or month)");
  EXPECT_EQ(parse_rate("5/").error, "unknown unit '' in '5/' (use s, min, h, day or month)");
  EXPECT_EQ(parse_rate("5/m").error, "unknown unit 'm' in '5/m' (use s, min, h, day or month)");
  EXPECT_FALSE(parse_rate("5/m").per_second.has_value());
}

}  // namespace
}  // namespace stratus::billing
