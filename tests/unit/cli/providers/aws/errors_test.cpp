#include "cli/providers/aws/errors.hpp"

#include <gtest/gtest.h>

namespace stratus::aws {
namespace {

TEST(AwsErrors, RestJsonTakesTheCodeFromTheHeaderAndTheMessageFromTheBody) {
  auto e = parse_aws_error(
      404,
      {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"},
       {"x-amzn-RequestId", "req-1"}},
      R"({"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:1:function:f"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ResourceNotFoundException");
  EXPECT_EQ(e->message, "Function not found: arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(e->request_id, "req-1");
  EXPECT_EQ(e->describe(),
            "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:1:function:f (HTTP 404, "
            "request "
            "id req-1)");
}

TEST(AwsErrors, JsonTypeDropsItsNamespace) {
  auto e = parse_aws_error(
      400, {}, R"({"__type":"com.amazonaws.events#ThrottlingException","message":"Rate exceeded"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "ThrottlingException");
  EXPECT_EQ(e->message, "Rate exceeded");
  EXPECT_TRUE(e->is_throttling());
}

TEST(AwsErrors, QueryXmlErrorResponse) {
  auto e = parse_aws_error(
      400, {},
      "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
      "<Code>Throttling</Code><Message>Rate exceeded &amp; more</Message></Error><RequestId>abc</RequestId>"
      "</ErrorResponse>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "Throttling");
  EXPECT_EQ(e->message, "Rate exceeded & more");
  EXPECT_EQ(e->request_id, "abc");
  EXPECT_TRUE(e->is_throttling());
}

TEST(AwsErrors, S3XmlErrorAndRequestIdHeader) {
  auto e = parse_aws_error(
      404, {{"x-amz-request-id", "s3req"}},
      "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket "
      "does not exist</Message></Error>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "NoSuchBucket");
  EXPECT_EQ(e->request_id, "s3req");
  EXPECT_FALSE(e->is_throttling());
}

TEST(AwsErrors, UnknownShapesFallBackToTheStatus) {
  auto e = parse_aws_error(502, {}, "Bad Gateway");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "502");
  EXPECT_EQ(e->message, "Bad Gateway");
  EXPECT_EQ(e->describe(), "502: Bad Gateway (HTTP 502)");
  EXPECT_EQ(parse_aws_error(500, {}, "{not json")->code, "500");
  EXPECT_FALSE(parse_aws_error(200, {}, "{}"));
  EXPECT_FALSE(parse_aws_error(304, {}, ""));
}

}  // namespace
}  // namespace stratus::aws
