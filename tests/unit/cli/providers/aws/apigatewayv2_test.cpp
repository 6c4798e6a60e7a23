// CORS configurations compare equal when AWS only changed their case or order.
#include "cli/providers/aws/apigatewayv2.hpp"

#include <gtest/gtest.h>

namespace stratus::aws {
namespace {

TEST(CanonicalCors, IgnoresCaseOrderAndEmptyMembers) {
  EXPECT_EQ(canonical_cors(
                R"({"allowOrigins":["*"],"allowMethods":["POST","get"],"exposeHeaders":[],"maxAge":null})"),
            canonical_cors(R"({"allowMethods":["GET","post"],"allowOrigins":["*"]})"));
  EXPECT_EQ(canonical_cors(R"({"allowMethods":["GET"],"maxAge":300})"),
            R"({"allowMethods":["get"],"maxAge":300})");
  EXPECT_NE(canonical_cors(R"({"allowMethods":["GET"]})"), canonical_cors(R"({"allowMethods":["PUT"]})"));
}

TEST(CanonicalCors, NoneIsEmpty) {
  EXPECT_EQ(canonical_cors(""), "");
  EXPECT_EQ(canonical_cors("{}"), "");
  EXPECT_EQ(canonical_cors("not json"), "");
}

}  // namespace
}  // namespace stratus::aws
