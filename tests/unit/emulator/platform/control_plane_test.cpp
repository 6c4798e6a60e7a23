#include "emulator/platform/control_plane.hpp"

#include <gtest/gtest.h>

namespace stratus::platform {
namespace {

constexpr const char* kMe = "111111111111";

TEST(ResolveFunctionTest, NamesAndArnsOfTheCallersAccountLeadToTheName) {
  for (const char* ref : {"fn", "fn:$LATEST", "111111111111:function:fn", "111111111111:function:fn:$LATEST",
                          "arn:aws:lambda:us-east-1:111111111111:function:fn",
                          "arn:aws:lambda:us-east-1:111111111111:function:fn:$LATEST"}) {
    SCOPED_TRACE(ref);
    EXPECT_EQ(resolve_function(ref, kMe, "us-east-1").name, "fn");
  }
}

TEST(ResolveFunctionTest, AQualifierIsKeptApart) {
  for (const char* ref :
       {"fn:3", "111111111111:function:fn:3", "arn:aws:lambda:us-east-1:111111111111:function:fn:3"}) {
    SCOPED_TRACE(ref);
    const FunctionTarget target = resolve_function(ref, kMe, "us-east-1");
    EXPECT_EQ(target.name, "fn");
    EXPECT_EQ(target.qualifier, "3");
    EXPECT_EQ(target.arn, "arn:aws:lambda:us-east-1:111111111111:function:fn:3");
  }
  EXPECT_EQ(resolve_function("fn:provisioned", kMe, "us-east-1").qualifier, "provisioned");
  EXPECT_EQ(resolve_function("fn", kMe, "us-east-1").qualifier, "");
  EXPECT_EQ(resolve_function("fn:a/b", kMe, "us-east-1").name, "");  // not a qualifier
}

TEST(ResolveFunctionTest, AnotherAccountOrABadNameLeadsNowhereWithTheCallersArn) {
  FunctionTarget other =
      resolve_function("arn:aws:lambda:us-east-1:222222222222:function:fn", kMe, "us-east-1");
  EXPECT_EQ(other.name, "");
  EXPECT_EQ(other.arn, "arn:aws:lambda:us-east-1:111111111111:function:fn");
  EXPECT_EQ(resolve_function("222222222222:function:fn", kMe, "us-east-1").name, "");
  EXPECT_EQ(resolve_function("a/b", kMe, "us-east-1").name, "");
  EXPECT_EQ(resolve_function(std::string(65, 'x'), kMe, "us-east-1").name, "");
  EXPECT_EQ(resolve_function("a:b:c", kMe, "us-east-1").name, "");
}

TEST(LambdaErrorTest, CarriesTheErrorTypeHeaderAndTheUserBody) {
  const net::wire::Response res =
      lambda_error(404, "ResourceNotFoundException", "Function not found: x", "Message");
  EXPECT_EQ(res.status, 404);
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0],
            (std::pair<std::string, std::string>{"x-amzn-ErrorType", "ResourceNotFoundException"}));
  EXPECT_EQ(res.body, R"({"Type":"User","Message":"Function not found: x"})");
}

}  // namespace
}  // namespace stratus::platform
