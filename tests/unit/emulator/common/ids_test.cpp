#include "emulator/common/ids.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace stratus {
namespace {

TEST(Ids, RequestIdIsCanonicalUuidV4) {
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 200; ++i) {
    std::string id = new_request_id();
    EXPECT_TRUE(std::regex_match(id, uuid_v4)) << id;
  }
}

TEST(Ids, RequestIdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(new_request_id());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Ids, TraceIdHasXRayShapeWithTheEpochInHex) {
  std::string trace = new_trace_id(1542409706);  // 0x5bef4dea
  const std::regex shape("Root=1-5bef4dea-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
  EXPECT_TRUE(std::regex_match(trace, shape)) << trace;
  EXPECT_NE(new_trace_id(1542409706), trace);
}

TEST(Ids, TraceIdNowUsesTheWallClock) {
  const std::regex shape("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0");
  std::string trace = new_trace_id();
  ASSERT_TRUE(std::regex_match(trace, shape)) << trace;
  EXPECT_GE(std::stoll(trace.substr(7, 8), nullptr, 16), 0x6000'0000LL);  // after 2021
}

}  // namespace
}  // namespace stratus
