#include "emulator/billing/ledger.hpp"

#include <array>

namespace stratus::billing {

namespace {
constexpr std::array<std::string_view, 5> kNames{"ok", "error", "timeout", "oom", "throttled"};
}

std::string_view outcome_name(Outcome outcome) {
  return kNames[static_cast<std::size_t>(outcome)];
}

std::optional<Outcome> parse_outcome(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Outcome>(i);
  return std::nullopt;
}

}  // namespace stratus::billing
