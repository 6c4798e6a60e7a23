// The HTTP trigger over real sockets (HttpServer on 127.0.0.1, httplib as the client) against a
// scripted Dispatcher: which event reaches the function, and what API Gateway answers.
#include "emulator/triggers/http/http_trigger.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "tests/support/raw_client.hpp"

namespace stratus::triggers::http {
namespace {

using nlohmann::json;

// Answers per function name: "ok" echoes the event in a 2.0/1.0 response, "raw" returns `raw`,
// "fail" a function error, "busy" throttled, "slow" keeps the invocation open until the test ends,
// "throws" throws from invoke_then.
class ScriptedDispatcher : public engine::Dispatcher {
 public:
  std::vector<engine::FunctionConfig> functions() const override { return {}; }
  std::optional<engine::FunctionConfig> find_function(std::string_view) const override {
    return std::nullopt;
  }
  std::string invoke_async(const std::string&, std::string) override { return ""; }
  engine::InvokeResult invoke(const std::string& function, engine::InvokeRequest request) override {
    {
      std::lock_guard lock(mutex);
      events.push_back(request.payload);
    }
    engine::InvokeResult result;
    if (function == "fail") {
      result.status = engine::InvokeStatus::function_error;
      result.payload = R"({"errorMessage":"boom","errorType":"Error"})";
    } else if (function == "busy") {
      result.status = engine::InvokeStatus::throttled;
    } else if (function == "raw") {
      result.payload = raw;
      if (raw_fails) result.status = engine::InvokeStatus::function_error;
    } else {
      result.payload = json{{"statusCode", 200}, {"body", request.payload}}.dump();
    }
    return result;
  }
  void invoke_then(const std::string& function, engine::InvokeRequest request, Done done) override {
    if (function == "throws") throw std::runtime_error("no such function");
    if (function == "slow") {
      std::lock_guard lock(mutex);
      held.push_back(std::move(done));
      return;
    }
    done(invoke(function, std::move(request)));
  }
  json last_event() {
    std::lock_guard lock(mutex);
    return events.empty() ? json() : json::parse(events.back());
  }

  std::mutex mutex;
  std::vector<std::string> events;
  std::vector<Done> held;
  std::string raw;
  bool raw_fails = false;  // "raw" answers with `raw` as a function error
};

RouteSpec route(ApiKind kind, std::string method, std::string path, std::string function) {
  RouteSpec r;
  r.kind = kind;
  r.method = std::move(method);
  r.path = std::move(path);
  r.function = function;
  r.display_name = std::move(function);
  r.timeout_ms = 6000;
  return r;
}

std::vector<RouteSpec> routes() {
  std::vector<RouteSpec> out = {
      route(ApiKind::http_api, "GET", "/items/{id}", "ok"), route(ApiKind::http_api, "GET", "/raw", "raw"),
      route(ApiKind::http_api, "GET", "/fail", "fail"),     route(ApiKind::http_api, "GET", "/busy", "busy"),
      route(ApiKind::rest, "GET", "/users/{id}", "ok"),     route(ApiKind::rest, "GET", "/raw", "raw"),
      route(ApiKind::rest, "GET", "/fail", "fail"),         route(ApiKind::rest, "GET", "/busy", "busy"),
      route(ApiKind::rest, "POST", "/passthrough", "raw"),  route(ApiKind::function_url, "*", "", "ok"),
      route(ApiKind::function_url, "*", "", "busy"),
  };
  out.push_back(route(ApiKind::rest, "GET", "/throws", "throws"));
  out.push_back(route(ApiKind::http_api, "GET", "/throws", "throws"));
  out.push_back(route(ApiKind::rest, "GET", "/slow", "slow"));
  out.back().timeout_ms = 60000;
  out.push_back(route(ApiKind::http_api, "GET", "/slow", "slow"));
  out.back().timeout_ms = 60000;
  out[8].lambda_integration = true;
  RouteSpec v1 = route(ApiKind::http_api, "GET", "/v1", "ok");
  v1.payload = "1.0";
  out.push_back(v1);
  RouteSpec cors = route(ApiKind::rest, "POST", "/cors", "ok");
  cors.cors.enabled = true;
  cors.cors.expose_headers = {"X-Total", "X-Page"};  // custom.serverless-offline.corsExposedHeaders
  out.push_back(cors);
  RouteSpec cors_param = route(ApiKind::rest, "GET", "/cors/{id}", "ok");
  cors_param.cors.enabled = true;
  out.push_back(cors_param);
  out.push_back(route(ApiKind::rest, "GET", "/cors/plain", "ok"));  // a resource of its own, no cors
  for (auto& r : out)
    if (r.kind == ApiKind::http_api) {
      r.cors.enabled = true;
      r.cors.allow_origins = {"https://app.example"};
      r.cors.max_age = 300;
    }
  return out;
}

class HttpTriggerTest : public ::testing::Test {
 protected:
  HttpTriggerTest()
      : trigger(dispatcher, RouteTable(routes(), "dev", true), options()),
        server(
            "127.0.0.1", 0,
            [this](const net::Request& r, net::Responder responder) {
              trigger.handle(r, std::move(responder));
            },
            HttpTrigger::server_options()),
        client("127.0.0.1", server.port()) {
    client.set_read_timeout(30, 0);
  }
  ~HttpTriggerTest() override {
    server.stop();
    for (auto& done : dispatcher.held) done(engine::InvokeResult{});
  }
  static HttpTriggerOptions options() {
    HttpTriggerOptions o;
    o.rest_timeout = std::chrono::milliseconds(200);
    o.http_api_timeout = std::chrono::milliseconds(300);
    return o;
  }
  static json body_json(const httplib::Result& res) { return json::parse(res->body); }

  ScriptedDispatcher dispatcher;
  HttpTrigger trigger;
  net::HttpServer server;
  httplib::Client client;
};

TEST_F(HttpTriggerTest, HttpApiRouteGetsThePayload2Event) {
  auto res = client.Get("/items/42?q=a&q=b", {{"Cookie", "s=1; t=2"}, {"X-Mixed", "V"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(res->get_header_value("apigw-requestid").empty());
  const json event = body_json(res);
  EXPECT_EQ(event["version"], "2.0");
  EXPECT_EQ(event["routeKey"], "GET /items/{id}");
  EXPECT_EQ(event["rawPath"], "/items/42");
  EXPECT_EQ(event["rawQueryString"], "q=a&q=b");
  EXPECT_EQ(event["queryStringParameters"], json({{"q", "a,b"}}));
  EXPECT_EQ(event["pathParameters"], json({{"id", "42"}}));
  EXPECT_EQ(event["cookies"], json({"s=1", "t=2"}));
  EXPECT_EQ(event["headers"]["x-mixed"], "V");
  EXPECT_EQ(event["requestContext"]["http"]["method"], "GET");
  EXPECT_EQ(event["requestContext"]["stage"], "$default");
  EXPECT_EQ(event["requestContext"]["requestId"], res->get_header_value("apigw-requestid"));
  // An HTTP API decodes the path it hands on; REST and Function URLs keep it as sent.
  res = client.Get("/items/a%20b%2Fc");
  ASSERT_TRUE(res);
  EXPECT_EQ(body_json(res)["rawPath"], "/items/a b/c");
  EXPECT_EQ(body_json(res)["requestContext"]["http"]["path"], "/items/a b/c");
  EXPECT_EQ(body_json(res)["pathParameters"], json({{"id", "a b/c"}}));
  res = client.Get("/dev/users/a%20b");
  ASSERT_TRUE(res);
  EXPECT_EQ(body_json(res)["path"], "/users/a%20b");
  res = client.Get("/_url/ok/a%20b");
  ASSERT_TRUE(res);
  EXPECT_EQ(body_json(res)["rawPath"], "/a%20b");
}

TEST_F(HttpTriggerTest, RestRouteGetsThePayload1EventUnderTheStage) {
  auto res = client.Get("/dev/users/7?a=1&a=2", {{"X-Mixed", "V"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_FALSE(res->get_header_value("x-amzn-RequestId").empty());
  const json event = body_json(res);
  EXPECT_EQ(event["resource"], "/users/{id}");
  EXPECT_EQ(event["path"], "/users/7");
  EXPECT_EQ(event["requestContext"]["path"], "/dev/users/7");
  EXPECT_EQ(event["requestContext"]["stage"], "dev");
  EXPECT_EQ(event["multiValueQueryStringParameters"], json({{"a", {"1", "2"}}}));
  EXPECT_EQ(event["queryStringParameters"], json({{"a", "2"}}));
  EXPECT_EQ(event["multiValueHeaders"]["X-Mixed"], json({"V"}));
  EXPECT_EQ(event["pathParameters"], json({{"id", "7"}}));
  EXPECT_FALSE(event.contains("version"));

  res = client.Get("/v1");  // an HTTP API on payload 1.0
  ASSERT_TRUE(res);
  EXPECT_EQ(body_json(res)["version"], "1.0");
}

TEST_F(HttpTriggerTest, FunctionUrlGetsTheRestOfThePath) {
  auto res = client.Post("/_url/ok/a/b?x=1", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json event = body_json(res);
  EXPECT_EQ(event["rawPath"], "/a/b");
  EXPECT_EQ(event["routeKey"], "$default");
  EXPECT_EQ(event["requestContext"]["http"]["method"], "POST");
  EXPECT_EQ(event["requestContext"]["domainName"], "ok.lambda-url.us-east-1.localhost");
  res = client.Get("/_url/busy/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
}

TEST_F(HttpTriggerTest, UnknownRoutes) {
  auto res = client.Get("/dev/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->body, R"({"message":"Missing Authentication Token"})");
  res = client.Delete("/dev/users/7");  // a path without that method
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  res = client.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, R"({"message":"Not Found"})");
  EXPECT_TRUE(dispatcher.events.empty());
}

TEST_F(HttpTriggerTest, FunctionErrorsAndThrottles) {
  auto res = client.Get("/dev/fail");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_EQ(res->body, R"({"message": "Internal server error"})");
  res = client.Get("/fail");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body, R"({"message":"Internal Server Error"})");
  res = client.Get("/dev/busy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  res = client.Get("/busy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, R"({"message":"Service Unavailable"})");
}

TEST_F(HttpTriggerTest, DispatcherThatThrowsIsAnIntegrationFailure) {
  auto res = client.Get("/dev/throws");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  EXPECT_EQ(res->body, R"({"message": "Internal server error"})");
  res = client.Get("/throws");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
}

TEST_F(HttpTriggerTest, ResponseMappingPerApi) {
  dispatcher.raw = R"({"statusCode":200,"body":"x","extra":true})";
  auto res = client.Get("/dev/raw");  // REST refuses unknown keys
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 502);
  dispatcher.raw = R"({"statusCode":418,"multiValueHeaders":{"X-Two":["a","b"]},"body":"tea"})";
  res = client.Get("/dev/raw");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 418);
  EXPECT_EQ(res->body, "tea");
  EXPECT_EQ(res->get_header_value_count("X-Two"), 2u);
  dispatcher.raw = R"("plain text")";
  res = client.Get("/raw");  // HTTP API 2.0 infers a 200
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "plain text");
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  dispatcher.raw = R"({"statusCode":200,"cookies":["a=1","b=2"],"body":"AP8=","isBase64Encoded":true})";
  res = client.Get("/raw");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, std::string("\x00\xff", 2));
  EXPECT_EQ(res->get_header_value_count("Set-Cookie"), 2u);
}

// sourceIp is the client's address (offline may listen beyond loopback: --host 0.0.0.0).
TEST_F(HttpTriggerTest, SourceIpIsTheClientsAddress) {
  for (const char* path : {"/items/1", "/dev/users/1"}) {
    test_support::RawClient from(server.port(), "127.0.0.3");
    ASSERT_TRUE(from.send(std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_NE(from.read_all().find("200 OK"), std::string::npos) << path;
    const json event = dispatcher.last_event();
    const json& ip = event.contains("version") && event["version"] == "2.0"
                         ? event["requestContext"]["http"]["sourceIp"]
                         : event["requestContext"]["identity"]["sourceIp"];
    EXPECT_EQ(ip, "127.0.0.3") << path;
  }
}

TEST_F(HttpTriggerTest, LambdaIntegrationEventAndResponses) {
  dispatcher.raw = R"({"done":true})";
  auto res =
      client.Post("/dev/passthrough?q=1&q=2&r=%20s", {{"X-Custom", "a"}}, R"({"in":1})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"done":true})");
  // Serverless's default request template, in its order.
  const json event = dispatcher.last_event();
  EXPECT_EQ(event.size(), 12u);
  const std::string raw_event = dispatcher.events.back();
  std::size_t at = 0;
  for (const char* key :
       {"body", "method", "principalId", "stage", "cognitoPoolClaims", "enhancedAuthContext", "headers",
        "query", "path", "identity", "stageVariables", "requestPath"}) {
    at = raw_event.find("\"" + std::string(key) + "\":", at);
    ASSERT_NE(at, std::string::npos) << key << " missing or out of order in " << raw_event;
  }
  EXPECT_EQ(event.at("body"), json({{"in", 1}}));
  EXPECT_EQ(event.at("method"), "POST");
  EXPECT_EQ(event.at("stage"), "dev");
  EXPECT_EQ(event.at("query"), json({{"q", "2"}, {"r", " s"}}));
  EXPECT_EQ(event.at("headers").at("X-Custom"), "a");
  EXPECT_EQ(event.at("identity").at("user"), "");
  EXPECT_EQ(event.at("requestPath"), "/passthrough");
  res = client.Post("/dev/passthrough", "", "application/json");  // no body: {}
  ASSERT_TRUE(res);
  EXPECT_EQ(dispatcher.last_event().at("body"), json::object());
  res = client.Post("/dev/passthrough", "not json", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);

  // A function error: the status Serverless's selection patterns give its message, else 200; the
  // error itself is the body.
  dispatcher.raw_fails = true;
  for (const auto& [message, status] : std::vector<std::pair<std::string, int>>{
           {"[400] Bad input", 400}, {"Not found [404]", 404}, {"[422]", 422}, {"plain failure", 200}}) {
    dispatcher.raw = json{{"errorMessage", message}, {"errorType", "Error"}}.dump();
    res = client.Post("/dev/passthrough", "{}", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << message;
    EXPECT_EQ(res->body, dispatcher.raw);
  }
}

TEST_F(HttpTriggerTest, IntegrationTimeouts) {
  auto res = client.Get("/dev/slow");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 504);
  EXPECT_EQ(res->body, R"({"message": "Endpoint request timed out"})");
  res = client.Get("/slow");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(trigger.pending_timeouts(), 0u);
}

// A request answered before its integration timeout leaves no timer behind: under load the API
// holds none per request served.
TEST_F(HttpTriggerTest, AnAnsweredRequestDisarmsItsIntegrationTimeout) {
  for (int i = 0; i < 50; ++i) {
    auto res = client.Get("/items/" + std::to_string(i));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
  }
  EXPECT_EQ(trigger.pending_timeouts(), 0u);
}

TEST_F(HttpTriggerTest, PayloadLimits) {
  auto res = client.Post("/items/1", std::string(kMaxApiPayloadBytes + 1, 'a'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(res->body, R"({"message":"Request Entity Too Large"})");
  res = client.Post("/dev/users/1", std::string(kMaxApiPayloadBytes + 1, 'a'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  // Within API Gateway's quota but over Lambda's 6 MB: Lambda refuses the event.
  res = client.Post("/_url/ok/", std::string(7 * 1024 * 1024, 'a'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_TRUE(dispatcher.events.empty());
}

TEST_F(HttpTriggerTest, CorsPreflightsAndResponseHeaders) {
  // HTTP API: API Gateway answers every preflight.
  auto res = client.Options("/items/1",
                            {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(res->get_header_value("access-control-allow-origin"), "https://app.example");
  EXPECT_EQ(res->get_header_value("access-control-allow-methods"), "*");
  EXPECT_EQ(res->get_header_value("access-control-max-age"), "300");
  res = client.Options("/items/1",
                       {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_FALSE(res->has_header("access-control-allow-origin"));
  res = client.Get("/items/1", {{"Origin", "https://app.example"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("access-control-allow-origin"), "https://app.example");
  // REST: Serverless's OPTIONS method on paths with cors.
  res = client.Options("/dev/cors",
                       {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Methods"), "OPTIONS,POST");
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Headers"),
            "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent");
  res = client.Post("/dev/cors", {{"Origin", "https://a.example"}}, "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(res->get_header_value("Access-Control-Expose-Headers"), "X-Total,X-Page");
  res = client.Options("/dev/cors/7",
                       {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Methods"), "OPTIONS,GET");
  // /cors/plain is a resource of its own, without cors: /cors/{id}'s OPTIONS method is not its.
  res = client.Options("/dev/cors/plain",
                       {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  // A REST path without cors has no OPTIONS method.
  res = client.Options("/dev/users/1",
                       {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

}  // namespace
}  // namespace stratus::triggers::http

namespace stratus::triggers::http {
namespace {

TEST(HttpTriggerNoTimeout, WaitsForTheFunctionPastTheIntegrationTimeout) {
  ScriptedDispatcher dispatcher;
  HttpTriggerOptions options;
  options.rest_timeout = std::chrono::milliseconds(100);
  options.no_timeout = true;  // custom.serverless-offline.noTimeout
  RouteSpec slow = route(ApiKind::rest, "GET", "/slow", "slow");
  slow.timeout_ms = 60000;
  HttpTrigger trigger(dispatcher, RouteTable({slow}, "dev", true), options);
  net::HttpServer server(
      "127.0.0.1", 0,
      [&trigger](const net::Request& r, net::Responder responder) {
        trigger.handle(r, std::move(responder));
      },
      HttpTrigger::server_options());
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(30, 0);
  std::atomic<bool> answered{false};
  int status = 0;
  std::string body;
  std::thread request([&] {
    if (auto res = client.Get("/dev/slow")) {
      status = res->status;
      body = res->body;
    }
    answered = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(answered);  // no 504 at the integration timeout
  engine::Dispatcher::Done done;
  {
    std::lock_guard lock(dispatcher.mutex);
    ASSERT_EQ(dispatcher.held.size(), 1u);
    done = std::move(dispatcher.held.front());
    dispatcher.held.clear();
  }
  engine::InvokeResult result;
  result.payload = R"({"statusCode":200,"body":"late"})";
  done(result);
  request.join();
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "late");
}

// REST APIs and binaryMediaTypes: a request whose Content-Type is listed reaches the function
// base64-encoded; a base64 response is decoded only for a request whose first Accept type is
// listed, else its text is sent as it is (without binaryMediaTypes, always).
TEST(HttpTriggerBinary, RestBinaryMediaTypesDecideBothDirections) {
  for (const bool configured : {true, false}) {
    SCOPED_TRACE(configured ? "binaryMediaTypes: image/*" : "no binaryMediaTypes");
    ScriptedDispatcher dispatcher;
    HttpTriggerOptions options;
    if (configured) options.binary_media_types = {"image/*"};
    HttpTrigger trigger(
        dispatcher,
        RouteTable({route(ApiKind::rest, "POST", "/echo", "ok"), route(ApiKind::rest, "GET", "/img", "raw")},
                   "dev", true),
        options);
    net::HttpServer server(
        "127.0.0.1", 0,
        [&](const net::Request& r, net::Responder responder) { trigger.handle(r, std::move(responder)); },
        HttpTrigger::server_options());
    httplib::Client client("127.0.0.1", server.port());

    ASSERT_TRUE(client.Post("/dev/echo", "abc", "image/png; charset=x"));
    EXPECT_EQ(dispatcher.last_event()["isBase64Encoded"], configured);
    EXPECT_EQ(dispatcher.last_event()["body"], configured ? "YWJj" : "abc");
    ASSERT_TRUE(client.Post("/dev/echo", "abc", "text/plain"));
    EXPECT_EQ(dispatcher.last_event()["isBase64Encoded"], false);

    dispatcher.raw =
        R"({"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"aGk=","isBase64Encoded":true})";
    auto res = client.Get("/dev/img", {{"Accept", "image/png, text/html"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, configured ? "hi" : "aGk=");
    res = client.Get("/dev/img", {{"Accept", "text/html, image/png"}});  // only the first type counts
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, "aGk=");
    server.stop();
  }
}

}  // namespace
}  // namespace stratus::triggers::http
