#include "emulator/billing/prices.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "emulator/common/embedded.hpp"

namespace stratus::billing {
namespace {

using nlohmann::json;

// Looks up a dotted path of object keys; nullptr when any step is missing or not an object.
const json* find(const json& root, std::string_view dotted) {
  const json* node = &root;
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const std::string key(dotted.substr(0, dot));
    if (!node->is_object()) return nullptr;
    const auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return node;
}

bool read_number(const json& root, std::string_view path, double& out, std::string& error) {
  const json* node = find(root, path);
  if (node == nullptr || !node->is_number() || node->get<double>() < 0) {
    error = "prices: missing number '" + std::string(path) + "'";
    return false;
  }
  out = node->get<double>();
  return true;
}

bool read_string(const json& root, std::string_view path, std::string& out, std::string& error) {
  const json* node = find(root, path);
  if (node == nullptr || !node->is_string()) {
    error = "prices: missing string '" + std::string(path) + "'";
    return false;
  }
  out = node->get<std::string>();
  return true;
}

bool read_tiers(const json& root, std::string_view path, std::vector<DurationTier>& out, std::string& error) {
  error = "prices: '" + std::string(path) +
          "' must be a non-empty array of tiers with ascending bounds, the last unbounded";
  const json* node = find(root, path);
  if (node == nullptr || !node->is_array() || node->empty()) return false;
  double previous = 0;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const json& tier = (*node)[i];
    if (!tier.is_object()) return false;
    const auto price = tier.find("price_per_gb_second");
    const auto bound = tier.find("up_to_gb_seconds");
    if (price == tier.end() || !price->is_number() || price->get<double>() < 0) return false;
    if (bound == tier.end()) return false;
    const bool last = i + 1 == node->size();
    DurationTier parsed;
    parsed.price_per_gb_second = price->get<double>();
    if (last) {
      if (!bound->is_null()) return false;
    } else {
      if (!bound->is_number() || bound->get<double>() <= previous) return false;
      previous = bound->get<double>();
      parsed.up_to_gb_seconds = previous;
    }
    out.push_back(parsed);
  }
  error.clear();
  return true;
}

}  // namespace

std::string_view architecture_name(Architecture arch) {
  return arch == Architecture::arm64 ? "arm64" : "x86_64";
}

PriceParse parse_prices(std::string_view json_text) {
  PriceParse result;
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    result.error = "prices: not valid JSON";
    return result;
  }
  PriceTable table;
  std::string& error = result.error;
  double free_requests = 0;
  double ephemeral_free_mb = 0;
  if (!read_string(root, "region", table.region, error) || !read_string(root, "as_of", table.as_of, error) ||
      !read_number(root, "request_price_per_million", table.request_price_per_million, error) ||
      !read_number(root, "free_tier.requests", free_requests, error) ||
      !read_number(root, "free_tier.gb_seconds", table.free_gb_seconds, error) ||
      !read_number(root, "ephemeral_storage.free_mb", ephemeral_free_mb, error) ||
      !read_number(root, "ephemeral_storage.price_per_gb_second", table.ephemeral_price_per_gb_second,
                   error) ||
      !read_tiers(root, "duration.x86_64", table.x86_64, error) ||
      !read_tiers(root, "duration.arm64", table.arm64, error)) {
    return result;
  }
  table.free_requests = static_cast<std::int64_t>(free_requests);
  table.ephemeral_free_mb = static_cast<int>(ephemeral_free_mb);
  if (const json* sources = find(root, "sources"); sources != nullptr && sources->is_array()) {
    for (const json& source : *sources) {
      if (source.is_string()) table.sources.push_back(source.get<std::string>());
    }
  }
  result.table = std::move(table);
  return result;
}

const PriceTable& us_east_1_prices() {
  static const PriceTable table = [] {
    const EmbeddedFile* file = find_embedded(embedded_prices(), "prices-us-east-1.json");
    if (file == nullptr) std::abort();
    PriceParse parsed = parse_prices(file->data);
    if (!parsed.table) std::abort();  // the shipped file is checked by the unit tests
    return std::move(*parsed.table);
  }();
  return table;
}

}  // namespace stratus::billing
