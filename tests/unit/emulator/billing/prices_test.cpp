#include "emulator/billing/prices.hpp"

#include <gtest/gtest.h>

#include "emulator/common/embedded.hpp"

namespace stratus::billing {
namespace {

TEST(Prices, EmbeddedUsEast1MatchesThePublishedTable) {
  const PriceTable& p = us_east_1_prices();
  EXPECT_EQ(p.region, "us-east-1");
  EXPECT_EQ(p.as_of, "2026-11-22");
  ASSERT_FALSE(p.sources.empty());
  EXPECT_EQ(p.sources.front(), "https://aws.amazon.com/lambda/pricing/");
  EXPECT_DOUBLE_EQ(p.request_price_per_million, 0.20);
  EXPECT_EQ(p.free_requests, 1000000);
  EXPECT_DOUBLE_EQ(p.free_gb_seconds, 400000);
  EXPECT_EQ(p.ephemeral_free_mb, 512);
  EXPECT_DOUBLE_EQ(p.ephemeral_price_per_gb_second, 0.0000000309);

  ASSERT_EQ(p.x86_64.size(), 3u);
  EXPECT_EQ(p.x86_64[0].up_to_gb_seconds, 6e9);
  EXPECT_EQ(p.x86_64[1].up_to_gb_seconds, 15e9);
  EXPECT_FALSE(p.x86_64[2].up_to_gb_seconds);
  EXPECT_DOUBLE_EQ(p.x86_64[0].price_per_gb_second, 0.0000166667);
  EXPECT_DOUBLE_EQ(p.x86_64[1].price_per_gb_second, 0.0000150000);
  EXPECT_DOUBLE_EQ(p.x86_64[2].price_per_gb_second, 0.0000133334);

  ASSERT_EQ(p.arm64.size(), 3u);
  EXPECT_EQ(p.arm64[0].up_to_gb_seconds, 7.5e9);
  EXPECT_EQ(p.arm64[1].up_to_gb_seconds, 18.75e9);
  EXPECT_FALSE(p.arm64[2].up_to_gb_seconds);
  EXPECT_DOUBLE_EQ(p.arm64[0].price_per_gb_second, 0.0000133334);
  EXPECT_DOUBLE_EQ(p.arm64[1].price_per_gb_second, 0.0000120001);
  EXPECT_DOUBLE_EQ(p.arm64[2].price_per_gb_second, 0.0000106667);

  EXPECT_EQ(&p.tiers(Architecture::arm64), &p.arm64);
  EXPECT_EQ(&p.tiers(Architecture::x86_64), &p.x86_64);
  EXPECT_EQ(architecture_name(Architecture::arm64), "arm64");
  EXPECT_EQ(architecture_name(Architecture::x86_64), "x86_64");
}

TEST(Prices, EmbeddedFileIsThere) {
  const EmbeddedFile* file = find_embedded(embedded_prices(), "prices-us-east-1.json");
  ASSERT_NE(file, nullptr);
  EXPECT_NE(file->data.find("\"as_of\""), std::string_view::npos);
}

constexpr const char* kMinimal = R"({"region":"r","as_of":"d","request_price_per_million":1,
  "free_tier":{"requests":0,"gb_seconds":0},"ephemeral_storage":{"free_mb":512,"price_per_gb_second":0},
  "duration":{"x86_64":[{"up_to_gb_seconds":null,"price_per_gb_second":1}],
              "arm64":[{"up_to_gb_seconds":10,"price_per_gb_second":2},{"up_to_gb_seconds":null,"price_per_gb_second":1}]}})";

TEST(Prices, ParsesAMinimalFile) {
  const PriceParse parsed = parse_prices(kMinimal);
  ASSERT_TRUE(parsed.table) << parsed.error;
  EXPECT_TRUE(parsed.table->sources.empty());
  EXPECT_EQ(parsed.table->arm64.size(), 2u);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Prices, Errors) {
  EXPECT_EQ(parse_prices("{").error, "prices: not valid JSON");
  EXPECT_EQ(parse_prices("[]").error, "prices: not valid JSON");
  EXPECT_EQ(parse_prices(replaced(kMinimal, "\"region\":\"r\"", "\"region\":1")).error,
            "prices: missing string 'region'");
  EXPECT_EQ(parse_prices(replaced(kMinimal, "\"request_price_per_million\":1", "\"x\":1")).error,
            "prices: missing number 'request_price_per_million'");
  EXPECT_EQ(parse_prices(replaced(kMinimal, "\"gb_seconds\":0", "\"gb_seconds\":-1")).error,
            "prices: missing number 'free_tier.gb_seconds'");
  const std::string arm_error =
      "prices: 'duration.arm64' must be a non-empty array of tiers with ascending bounds, the last unbounded";
  EXPECT_EQ(parse_prices(replaced(kMinimal, "\"up_to_gb_seconds\":10", "\"up_to_gb_seconds\":null")).error,
            arm_error);
  EXPECT_EQ(parse_prices(replaced(kMinimal, "\"up_to_gb_seconds\":10", "\"up_to_gb_seconds\":0")).error,
            arm_error);
  EXPECT_EQ(
      parse_prices(replaced(kMinimal, "\"up_to_gb_seconds\":10,\"price_per_gb_second\":2", "\"a\":1")).error,
      arm_error);
  EXPECT_EQ(
      parse_prices(replaced(kMinimal, "[{\"up_to_gb_seconds\":null,\"price_per_gb_second\":1}]", "[]")).error,
      "prices: 'duration.x86_64' must be a non-empty array of tiers with ascending bounds, the last "
      "unbounded");
}

}  // namespace
}  // namespace stratus::billing
