#include "emulator/triggers/http/api_gateway_events.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stratus::triggers::http {
namespace {

using nlohmann::json;

ApiRequest request() {
  ApiRequest r;
  r.method = "GET";
  r.path = "/items/42";
  r.raw_query = "q=a&q=b&flag";
  r.headers = {{"Accept", "*/*"},
               {"X-Multi", "v1"},
               {"x-multi", "v2"},
               {"User-Agent", "curl/8.5.0"},
               {"Cookie", "s=1; t=2"}};
  r.source_ip = "203.0.113.1";
  r.time_ms = 1428582896000;  // 09/Apr/2015:12:34:56 +0000
  return r;
}

ApiRoute route(const std::string& stage) {
  ApiRoute r;
  r.resource = "/items/{id}";
  r.route_key = "GET /items/{id}";
  r.path_parameters = {{"id", "42"}};
  r.stage = stage;
  return r;
}

TEST(ApiGatewayEvents, RestPayloadOneFollowsTheProxyIntegrationRules) {
  ApiContext context;
  context.request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
  const json e = json::parse(rest_event(request(), route("dev"), context));
  EXPECT_FALSE(e.contains("version"));
  EXPECT_EQ(e["resource"], "/items/{id}");
  EXPECT_EQ(e["path"], "/items/42");
  EXPECT_EQ(e["httpMethod"], "GET");
  // Names as sent (the first spelling), the last value in the single map, all in the multi map.
  EXPECT_EQ(e["headers"]["X-Multi"], "v2");
  EXPECT_EQ(e["multiValueHeaders"]["X-Multi"], json::parse(R"(["v1","v2"])"));
  EXPECT_FALSE(e["headers"].contains("x-multi"));
  EXPECT_EQ(e["queryStringParameters"], json::parse(R"({"q":"b","flag":""})"));
  EXPECT_EQ(e["multiValueQueryStringParameters"], json::parse(R"({"q":["a","b"],"flag":[""]})"));
  EXPECT_EQ(e["pathParameters"], json::parse(R"({"id":"42"})"));
  EXPECT_TRUE(e["stageVariables"].is_null());
  EXPECT_TRUE(e["body"].is_null());
  EXPECT_EQ(e["isBase64Encoded"], false);
  const json& ctx = e["requestContext"];
  EXPECT_EQ(ctx["path"], "/dev/items/42");  // the stage is in the context's path only
  EXPECT_EQ(ctx["stage"], "dev");
  EXPECT_EQ(ctx["resourcePath"], "/items/{id}");
  EXPECT_EQ(ctx["requestId"], context.request_id);
  EXPECT_EQ(ctx["requestTime"], "09/Apr/2015:12:34:56 +0000");
  EXPECT_EQ(ctx["requestTimeEpoch"], 1428582896000);
  EXPECT_EQ(ctx["identity"]["sourceIp"], "203.0.113.1");
  EXPECT_EQ(ctx["identity"]["userAgent"], "curl/8.5.0");
  EXPECT_TRUE(ctx["identity"]["accountId"].is_null());
}

TEST(ApiGatewayEvents, RestPayloadOneNullsAndBodies) {
  ApiRequest r;
  r.method = "POST";
  r.body = "{\"a\":1}";
  ApiRoute plain;
  plain.resource = "/";
  plain.stage = "dev";
  json e = json::parse(rest_event(r, plain, {}));
  EXPECT_TRUE(e["queryStringParameters"].is_null());
  EXPECT_TRUE(e["multiValueQueryStringParameters"].is_null());
  EXPECT_TRUE(e["pathParameters"].is_null());
  EXPECT_EQ(e["body"], "{\"a\":1}");
  EXPECT_EQ(e["isBase64Encoded"], false);
  r.body = std::string("\xff\xfe\x00\x01", 4);  // not text: base64
  e = json::parse(rest_event(r, plain, {}, true));
  EXPECT_EQ(e["version"], "1.0");  // HTTP API with payload 1.0
  EXPECT_EQ(e["body"], "//4AAQ==");
  EXPECT_EQ(e["isBase64Encoded"], true);
}

TEST(ApiGatewayEvents, HttpApiPayloadTwoFollowsItsRules) {
  const json e = json::parse(http_api_event(request(), route("$default"), {}));
  EXPECT_EQ(e["version"], "2.0");
  EXPECT_EQ(e["routeKey"], "GET /items/{id}");
  EXPECT_EQ(e["rawPath"], "/items/42");
  EXPECT_EQ(e["rawQueryString"], "q=a&q=b&flag");
  EXPECT_EQ(e["cookies"], json::parse(R"(["s=1","t=2"])"));
  // Lower-cased, repeats comma-joined, the Cookie header moved to cookies.
  EXPECT_EQ(e["headers"], json::parse(R"({"accept":"*/*","x-multi":"v1,v2","user-agent":"curl/8.5.0"})"));
  EXPECT_EQ(e["queryStringParameters"], json::parse(R"({"q":"a,b","flag":""})"));
  EXPECT_EQ(e["pathParameters"], json::parse(R"({"id":"42"})"));
  EXPECT_FALSE(e.contains("body"));
  EXPECT_FALSE(e.contains("stageVariables"));
  EXPECT_EQ(e["isBase64Encoded"], false);
  const json& ctx = e["requestContext"];
  EXPECT_EQ(ctx["http"], json::parse(R"({"method":"GET","path":"/items/42","protocol":"HTTP/1.1",
                                         "sourceIp":"203.0.113.1","userAgent":"curl/8.5.0"})"));
  EXPECT_EQ(ctx["stage"], "$default");
  EXPECT_EQ(ctx["time"], "09/Apr/2015:12:34:56 +0000");
  EXPECT_EQ(ctx["timeEpoch"], 1428582896000);
  EXPECT_EQ(ctx["requestId"].get<std::string>().size(), 36u);
}

TEST(ApiGatewayEvents, HttpApiPayloadTwoOmitsWhatIsAbsentAndEncodesBinary) {
  ApiRequest r;
  r.method = "PUT";
  r.path = "/upload";
  r.headers = {{"Content-Type", "image/png"}};
  r.body = "PNGDATA";
  ApiRoute named;
  named.route_key = "PUT /upload";
  named.stage = "beta";
  json e = json::parse(http_api_event(r, named, {}));
  EXPECT_EQ(e["rawPath"], "/beta/upload");  // a named stage is in rawPath
  EXPECT_FALSE(e.contains("cookies"));
  EXPECT_FALSE(e.contains("queryStringParameters"));
  EXPECT_FALSE(e.contains("pathParameters"));
  EXPECT_EQ(e["body"], "UE5HREFUQQ==");  // not a text type: base64
  EXPECT_EQ(e["isBase64Encoded"], true);
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  e = json::parse(http_api_event(r, named, {}));
  EXPECT_EQ(e["body"], "PNGDATA");
  EXPECT_EQ(e["isBase64Encoded"], false);
}

TEST(ApiGatewayEvents, BinaryMediaTypesMatchTypeAndSubtypeWithWildcards) {
  EXPECT_TRUE(binary_media_type({"image/png"}, "image/png"));
  EXPECT_TRUE(binary_media_type({"image/png"}, " IMAGE/PNG ; charset=binary"));
  EXPECT_FALSE(binary_media_type({"image/png"}, "image/jpeg"));
  EXPECT_TRUE(binary_media_type({"application/pdf", "image/*"}, "image/jpeg"));
  EXPECT_FALSE(binary_media_type({"image/*"}, "text/image"));
  EXPECT_TRUE(binary_media_type({"*/*"}, "text/plain"));
  EXPECT_FALSE(binary_media_type({"*/*"}, ""));
  EXPECT_FALSE(binary_media_type({}, "image/png"));
}

TEST(ApiGatewayEvents, RestBodyTheApiTreatsAsBinaryIsBase64) {
  ApiRequest r = request();
  r.body = "text";
  r.binary = true;
  json e = json::parse(rest_event(r, route("dev"), {}));
  EXPECT_EQ(e["body"], "dGV4dA==");
  EXPECT_EQ(e["isBase64Encoded"], true);
}

TEST(ApiGatewayEvents, TimeIsApiGatewaysForm) {
  EXPECT_EQ(api_gateway_time(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(api_gateway_time(1583348638390), "04/Mar/2020:19:03:58 +0000");
}

}  // namespace
}  // namespace stratus::triggers::http
