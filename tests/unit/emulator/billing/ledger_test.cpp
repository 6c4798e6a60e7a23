#include "emulator/billing/ledger.hpp"

#include <gtest/gtest.h>

namespace stratus::billing {
namespace {

TEST(Ledger, OutcomeNamesRoundTrip) {
  for (Outcome o : {Outcome::ok, Outcome::error, Outcome::timeout, Outcome::oom, Outcome::throttled})
    EXPECT_EQ(parse_outcome(outcome_name(o)), o);
  EXPECT_EQ(outcome_name(Outcome::oom), "oom");
  EXPECT_FALSE(parse_outcome("OK").has_value());
  EXPECT_FALSE(parse_outcome("").has_value());
}

}  // namespace
}  // namespace stratus::billing
