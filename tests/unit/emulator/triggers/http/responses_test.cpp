// From Lambda results to API Gateway responses (payload 2.0 inference, 1.0 strictness) and API
// Gateway's own errors.
#include "emulator/triggers/http/responses.hpp"

#include <gtest/gtest.h>

namespace stratus::triggers::http {
namespace {

std::vector<std::string> values(const net::Response& res, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [key, value] : res.headers)
    if (key == name) out.push_back(value);
  return out;
}

TEST(MapV2Response, InfersA200JsonResponse) {
  auto res = map_v2_response(R"({"message":"hi"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->content_type, "application/json");
  EXPECT_EQ(res->body, R"({"message":"hi"})");
  res = map_v2_response(R"("Hello")");  // a JSON string gives its text
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "Hello");
  res = map_v2_response("[1,2]");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "[1,2]");
  res = map_v2_response("42");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "42");
  EXPECT_FALSE(map_v2_response("not json"));
}

TEST(MapV2Response, StructuredResponse) {
  auto res = map_v2_response(
      R"({"statusCode":201,"headers":{"Content-Type":"text/plain","x-n":5},"cookies":["a=1","b=2; Path=/"],)"
      R"("body":"aGk=","isBase64Encoded":true,"extra":"ignored"})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->content_type, "text/plain");
  EXPECT_EQ(res->body, "hi");
  EXPECT_EQ(values(*res, "x-n"), std::vector<std::string>{"5"});
  EXPECT_EQ(values(*res, "Set-Cookie"), (std::vector<std::string>{"a=1", "b=2; Path=/"}));
  res = map_v2_response(R"({"statusCode":404})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "");
  EXPECT_FALSE(map_v2_response(R"({"statusCode":"abc"})"));
  EXPECT_FALSE(map_v2_response(R"({"statusCode":200,"body":"%%%","isBase64Encoded":true})"));
}

TEST(MapV1Response, MergesHeadersAndMultiValueHeaders) {
  auto res = map_v1_response(
      R"({"statusCode":200,"headers":{"X-A":"1","X-B":"single"},"multiValueHeaders":{"X-B":["m1","m2"]},)"
      R"("body":"ok","isBase64Encoded":false})",
      true);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok");
  EXPECT_EQ(values(*res, "X-A"), std::vector<std::string>{"1"});
  EXPECT_EQ(values(*res, "X-B"), (std::vector<std::string>{"m1", "m2"}));  // the multi values win
  res = map_v1_response(R"({"statusCode":"302","headers":{"Location":"/x"},"body":null})", true);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 302);
  EXPECT_EQ(values(*res, "Location"), std::vector<std::string>{"/x"});
  res = map_v1_response(R"({"statusCode":200,"body":"AAEC","base64Encoded":true})", true);  // the legacy key
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, std::string("\x00\x01\x02", 3));
}

TEST(MapV1Response, Base64BodyIsKeptAsTextWhenNotToBeDecoded) {
  const std::string payload = R"({"statusCode":200,"body":"aGk=","isBase64Encoded":true})";
  EXPECT_EQ(map_v1_response(payload, true)->body, "hi");
  EXPECT_EQ(map_v1_response(payload, true, false)->body, "aGk=");
}

TEST(MapV1Response, RestIsStrict) {
  EXPECT_FALSE(map_v1_response(R"({"body":"no status"})", true));
  EXPECT_FALSE(map_v1_response(R"({"statusCode":200,"body":{"an":"object"}})", true));
  EXPECT_FALSE(map_v1_response(R"({"statusCode":200,"unknown":1})", true));
  EXPECT_FALSE(map_v1_response(R"("just a string")", true));
  EXPECT_FALSE(map_v1_response(R"([1])", true));
  EXPECT_FALSE(map_v1_response(R"({"statusCode":200,"headers":"x"})", true));
  // An HTTP API on payload 1.0 ignores keys it does not know.
  auto res = map_v1_response(R"({"statusCode":200,"unknown":1,"body":"b"})", false);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "b");
  EXPECT_FALSE(map_v1_response(R"({"body":"no status"})", false));
}

TEST(GatewayError, BodiesAndStatusesPerApi) {
  auto e = gateway_error(ApiKind::rest, GatewayError::not_found);
  EXPECT_EQ(e.status, 403);
  EXPECT_EQ(e.body, R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(values(e, "x-amzn-ErrorType"), std::vector<std::string>{"MissingAuthenticationTokenException"});
  e = gateway_error(ApiKind::http_api, GatewayError::not_found);
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.body, R"({"message":"Not Found"})");
  e = gateway_error(ApiKind::rest, GatewayError::integration_failure);
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.body, R"({"message": "Internal server error"})");
  e = gateway_error(ApiKind::http_api, GatewayError::integration_failure);
  EXPECT_EQ(e.status, 500);
  EXPECT_EQ(e.body, R"({"message":"Internal Server Error"})");
  EXPECT_EQ(gateway_error(ApiKind::function_url, GatewayError::integration_failure).status, 502);
  EXPECT_EQ(gateway_error(ApiKind::rest, GatewayError::throttled).status, 500);
  EXPECT_EQ(gateway_error(ApiKind::http_api, GatewayError::throttled).status, 503);
  EXPECT_EQ(gateway_error(ApiKind::function_url, GatewayError::throttled).status, 429);
  e = gateway_error(ApiKind::rest, GatewayError::integration_timeout);
  EXPECT_EQ(e.status, 504);
  EXPECT_EQ(e.body, R"({"message": "Endpoint request timed out"})");
  EXPECT_EQ(gateway_error(ApiKind::http_api, GatewayError::integration_timeout).status, 503);
  EXPECT_EQ(gateway_error(ApiKind::http_api, GatewayError::too_large).status, 413);
}

}  // namespace
}  // namespace stratus::triggers::http
