#include "emulator/triggers/invoke_api/list_page.hpp"

#include <gtest/gtest.h>

namespace stratus::triggers {
namespace {

std::vector<std::string> names(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("fn-" + std::to_string(100 + i));
  return out;
}

TEST(ListPage, PagesOfAtMostFiftyChainedByTheNextFirstName) {
  const auto all = names(120);
  ListPage p = list_page(all, std::nullopt, std::nullopt);
  EXPECT_EQ(p.begin, 0u);
  EXPECT_EQ(p.end, 50u);
  EXPECT_EQ(p.next_marker, "fn-150");
  p = list_page(all, std::string("10000"), p.next_marker);
  EXPECT_EQ(p.begin, 50u);
  EXPECT_EQ(p.end, 100u);
  p = list_page(all, std::string("7"), std::string("fn-215"));
  EXPECT_EQ(p.begin, 115u);
  EXPECT_EQ(p.end, 120u);
  EXPECT_EQ(p.next_marker, "") << "the last page has no marker";
  p = list_page(all, std::string("3"), std::string(""));
  EXPECT_EQ(p.end, 3u);
  EXPECT_EQ(p.next_marker, "fn-103");
  EXPECT_EQ(list_page({}, std::nullopt, std::nullopt).end, 0u);
}

TEST(ListPage, BadMaxItemsAndUnknownMarkersAreErrors) {
  const auto all = names(3);
  for (const char* bad : {"0", "10001", "-1", "abc", "", "123456"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(list_page(all, std::string(bad), std::nullopt).error,
              "1 validation error detected: Value '" + std::string(bad) +
                  "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000");
  }
  EXPECT_EQ(list_page(all, std::nullopt, std::string("gone")).error, "Invalid marker: gone");
}

}  // namespace
}  // namespace stratus::triggers
