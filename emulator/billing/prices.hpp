#pragma once
// The AWS Lambda price table the cost estimator uses, read from a dated JSON file
// (emulator/billing/prices-us-east-1.json, embedded in the binary as embedded_prices()).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::billing {

enum class Architecture { x86_64, arm64 };

std::string_view architecture_name(Architecture arch);  // "x86_64" / "arm64"

struct DurationTier {
  std::optional<double> up_to_gb_seconds;  // cumulative monthly upper bound; nullopt = no bound
  double price_per_gb_second = 0;
};

struct PriceTable {
  std::string region;
  std::string as_of;  // "YYYY-MM-DD" the prices were checked
  std::vector<std::string> sources;
  double request_price_per_million = 0;
  std::int64_t free_requests = 0;  // per month
  double free_gb_seconds = 0;      // per month, shared by both architectures
  int ephemeral_free_mb = 0;       // /tmp included in the price
  double ephemeral_price_per_gb_second = 0;
  std::vector<DurationTier> x86_64;  // ascending bounds, the last unbounded
  std::vector<DurationTier> arm64;

  const std::vector<DurationTier>& tiers(Architecture arch) const {
    return arch == Architecture::arm64 ? arm64 : x86_64;
  }
};

struct PriceParse {
  std::optional<PriceTable> table;
  std::string error;  // set when table is empty: "prices: <what>"
};

// Parses a price file. Never throws; a malformed file gives an error such as
// "prices: not valid JSON", "prices: missing number 'request_price_per_million'",
// "prices: 'duration.arm64' must be a non-empty array of tiers with ascending bounds, the last
// unbounded".
PriceParse parse_prices(std::string_view json_text);

// The embedded us-east-1 table (parsed once). Aborts only if the shipped file is broken, which
// the unit tests rule out.
const PriceTable& us_east_1_prices();

}  // namespace stratus::billing
