// The CloudWatch Logs filter pattern subset `stratus serve` matches.
#include "emulator/platform/filter_pattern.hpp"

#include <gtest/gtest.h>

namespace stratus::platform {
namespace {

bool match(const std::string& pattern, const std::string& line) {
  std::string error;
  auto p = FilterPattern::parse(pattern, error);
  EXPECT_TRUE(p) << error;
  return p && p->matches(line);
}

TEST(FilterPattern, TermsAreAndedAndCaseSensitive) {
  EXPECT_TRUE(match("", "anything"));
  EXPECT_TRUE(match("ERROR", "[ERROR] boom"));
  EXPECT_FALSE(match("ERROR", "[error] boom"));
  EXPECT_TRUE(match("ERROR boom", "[ERROR] boom"));
  EXPECT_FALSE(match("ERROR bang", "[ERROR] boom"));
}

TEST(FilterPattern, QuotedPhrasesMatchAsOneString) {
  EXPECT_TRUE(match("\"Task timed out\"", "2026 id Task timed out after 3.00 seconds"));
  EXPECT_FALSE(match("\"Task timed out\"", "Task out timed"));
  EXPECT_TRUE(match("\"say \\\"hi\\\"\"", "they say \"hi\" here"));
}

TEST(FilterPattern, OptionalAndExcludedTerms) {
  EXPECT_TRUE(match("?ERROR ?WARN", "WARN low disk"));
  EXPECT_FALSE(match("?ERROR ?WARN", "INFO fine"));
  EXPECT_TRUE(match("ERROR -Retrying", "ERROR failed"));
  EXPECT_FALSE(match("ERROR -Retrying", "ERROR Retrying now"));
}

TEST(FilterPattern, UnsupportedKindsAndBadQuotesAreErrors) {
  std::string error;
  EXPECT_FALSE(FilterPattern::parse("{ $.level = \"error\" }", error));
  EXPECT_EQ(
      error,
      "JSON ({ $.field = value }) and space-delimited ([a, b]) filter patterns are not supported by stratus "
      "serve; use terms and \"quoted phrases\"");
  EXPECT_FALSE(FilterPattern::parse("[ip, user]", error));
  EXPECT_FALSE(FilterPattern::parse("\"open", error));
  EXPECT_EQ(error, "the filter pattern has an unterminated quote: \"open");
}

}  // namespace
}  // namespace stratus::platform
