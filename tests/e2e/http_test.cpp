// stratus offline's API Gateway (--http-port), driven with curl: the events a python and a node
// handler see on REST, HTTP API and Function URL routes, and API Gateway's own answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/common/base64.hpp"
#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

struct HttpResult {
  int status = 0;
  std::string headers;  // the raw header block, names lower-cased
  std::string body;
  std::string header(const std::string& name) const {  // the first value; name in lower case
    const std::string key = "\n" + name + ": ";
    const auto at = headers.find(key);
    if (at == std::string::npos) return "";
    const auto start = at + key.size();
    return headers.substr(start, headers.find('\r', start) - start);
  }
  int count(const std::string& name) const {
    int n = 0;
    for (auto at = headers.find("\n" + name + ": "); at != std::string::npos;
         at = headers.find("\n" + name + ": ", at + 1))
      ++n;
    return n;
  }
};

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::filesystem::path(STRATUS_FIXTURES_DIR) / "services" / "http", m_dir.path(),
                          std::filesystem::copy_options::recursive);
  }
  void TearDown() override {
    if (!m_offline) return;
    m_offline->signal(SIGINT);
    EXPECT_EQ(m_offline->wait(), 0) << m_offline->err();
  }
  // Starts offline with --json and returns its banner.
  json start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"offline", "--lambda-port", "0", "--aws-port",
                                     "0",       "--http-port",   "0", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    m_offline = std::make_unique<Background>(m_dir.path(), args);
    const std::string banner = m_offline->first_line();
    EXPECT_FALSE(banner.empty()) << m_offline->err();
    if (banner.empty()) return json();
    json doc = json::parse(banner);
    m_http = doc.value("httpEndpoint", "");
    return doc;
  }
  HttpResult curl(const std::string& method, const std::string& path, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"curl",        "-s", "-X",       method, "-D",
                                     "headers.txt", "-o", "body.bin", "-w",   "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(m_http + path);
    const RunResult r = run_program(m_dir.path(), argv);
    HttpResult out;
    out.status = std::atoi(r.out.c_str());
    // Names lower-cased, values as sent.
    bool in_name = true;
    for (char c : "\n" + read_file(m_dir.path() / "headers.txt")) {
      if (c == '\n') in_name = true;
      if (c == ':') in_name = false;
      out.headers += in_name ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
    }
    out.body = read_file(m_dir.path() / "body.bin");
    return out;
  }

  TempDir m_dir;
  std::unique_ptr<Background> m_offline;
  std::string m_http;
};

TEST_F(HttpTest, HttpApiRouteHandsThePythonHandlerTheV2Event) {
  start();
  const HttpResult r =
      curl("GET", "/items/42?q=a&q=b&x=1",
           {"-H", "Cookie: s=1; t=2", "-H", "X-Custom-Header: Val", "-H", "User-Agent: e2e"});
  ASSERT_EQ(r.status, 200) << r.body << m_offline->err();
  EXPECT_EQ(r.header("x-handler"), "python");
  EXPECT_EQ(r.header("content-type"), "application/json");
  const json event = json::parse(r.body);
  EXPECT_EQ(event["version"], "2.0");
  EXPECT_EQ(event["routeKey"], "GET /items/{id}");
  EXPECT_EQ(event["rawPath"], "/items/42");
  EXPECT_EQ(event["rawQueryString"], "q=a&q=b&x=1");
  EXPECT_EQ(event["queryStringParameters"], json({{"q", "a,b"}, {"x", "1"}}));
  EXPECT_EQ(event["pathParameters"], json({{"id", "42"}}));
  EXPECT_EQ(event["cookies"], json({"s=1", "t=2"}));
  EXPECT_EQ(event["headers"]["x-custom-header"], "Val");  // names lower-cased
  EXPECT_FALSE(event["headers"].contains("cookie"));
  EXPECT_FALSE(event.contains("multiValueHeaders"));
  EXPECT_EQ(event["requestContext"]["http"]["method"], "GET");
  EXPECT_EQ(event["requestContext"]["http"]["path"], "/items/42");
  EXPECT_EQ(event["requestContext"]["http"]["userAgent"], "e2e");
  EXPECT_EQ(event["requestContext"]["routeKey"], "GET /items/{id}");
  EXPECT_EQ(event["requestContext"]["stage"], "$default");
  EXPECT_EQ(event["requestContext"]["requestId"], r.header("apigw-requestid"));
  EXPECT_EQ(event["isBase64Encoded"], false);
  EXPECT_FALSE(event.contains("body"));
}

TEST_F(HttpTest, RestRouteUnderTheStageHandsTheV1Event) {
  start();
  HttpResult r = curl("GET", "/dev/users/7?a=1&a=2", {"-H", "X-Custom: v1", "-H", "X-Custom: v2"});
  ASSERT_EQ(r.status, 200) << r.body << m_offline->err();
  EXPECT_EQ(r.count("x-multi"), 2);  // multiValueHeaders: one line each
  json event = json::parse(r.body);
  EXPECT_EQ(event["resource"], "/users/{id}");
  EXPECT_EQ(event["path"], "/users/7");
  EXPECT_EQ(event["httpMethod"], "GET");
  EXPECT_EQ(event["headers"]["X-Custom"], "v2");  // the last value; names as sent
  EXPECT_EQ(event["multiValueHeaders"]["X-Custom"], json({"v1", "v2"}));
  EXPECT_EQ(event["queryStringParameters"], json({{"a", "2"}}));
  EXPECT_EQ(event["multiValueQueryStringParameters"], json({{"a", {"1", "2"}}}));
  EXPECT_EQ(event["pathParameters"], json({{"id", "7"}}));
  EXPECT_EQ(event["stageVariables"], nullptr);
  EXPECT_EQ(event["requestContext"]["stage"], "dev");
  EXPECT_EQ(event["requestContext"]["path"], "/dev/users/7");
  EXPECT_EQ(event["requestContext"]["resourcePath"], "/users/{id}");
  EXPECT_EQ(event["requestContext"]["requestId"], r.header("x-amzn-requestid"));
  EXPECT_EQ(event["body"], nullptr);

  r = curl("PUT", "/dev/files/docs/a%20b.txt", {"--data-binary", "text body"});  // ANY + greedy
  ASSERT_EQ(r.status, 200) << r.body;
  event = json::parse(r.body);
  EXPECT_EQ(event["resource"], "/files/{path+}");
  EXPECT_EQ(event["httpMethod"], "PUT");
  EXPECT_EQ(event["pathParameters"], json({{"path", "docs/a b.txt"}}));
  EXPECT_EQ(event["body"], "text body");
  EXPECT_EQ(event["isBase64Encoded"], false);
}

TEST_F(HttpTest, NodeHandlerBinaryBodyInferredResponseAndFunctionUrl) {
  start();
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  m_dir.write("payload.bin", bytes);
  HttpResult r = curl("POST", "/node/up/load",
                      {"-H", "Content-Type: application/octet-stream", "--data-binary", "@payload.bin"});
  ASSERT_EQ(r.status, 200) << r.body << m_offline->err();
  EXPECT_EQ(r.header("content-type"), "application/json");  // no statusCode: inferred
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["runtime"], "node");
  EXPECT_EQ(doc["event"]["routeKey"], "POST /node/{proxy+}");
  EXPECT_EQ(doc["event"]["pathParameters"], json({{"proxy", "up/load"}}));
  EXPECT_EQ(doc["event"]["isBase64Encoded"], true);
  EXPECT_EQ(doc["event"]["body"], base64_encode(bytes));

  r = curl("GET", "/_url/nodeEcho/some/where?z=1");
  ASSERT_EQ(r.status, 200) << r.body;
  doc = json::parse(r.body);
  EXPECT_EQ(doc["event"]["rawPath"], "/some/where");
  EXPECT_EQ(doc["event"]["rawQueryString"], "z=1");
  EXPECT_EQ(doc["event"]["routeKey"], "$default");
  EXPECT_EQ(doc["event"]["requestContext"]["http"]["method"], "GET");
}

TEST_F(HttpTest, ApiGatewayErrors) {
  start();
  HttpResult r = curl("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"message":"Not Found"})");
  r = curl("GET", "/dev/nope");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(r.header("x-amzn-errortype"), "MissingAuthenticationTokenException");
  r = curl("DELETE", "/dev/users/1");  // a REST path without that method
  EXPECT_EQ(r.status, 403);
  r = curl("GET", "/fail");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"message":"Internal Server Error"})");
  r = curl("GET", "/dev/fail");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body, R"({"message": "Internal server error"})");
  r = curl("GET", "/dev/bad");  // a body that is not a string: malformed proxy response
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.body, R"({"message": "Internal server error"})");
  r = curl("GET", "/off");  // reservedConcurrency 0: throttled
  EXPECT_EQ(r.status, 503);
  r = curl("GET", "/dev/off");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"message": "Internal server error"})");

  m_dir.write("big.bin", std::string(11 * 1024 * 1024, 'x'));
  r = curl("POST", "/node/big", {"--data-binary", "@big.bin"});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body, R"({"message":"Request Entity Too Large"})");
  r = curl("GET", "/items/1");  // the server still answers
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(m_offline->err().find("this function fails"), std::string::npos) << m_offline->err();
}

TEST_F(HttpTest, CorsPreflightsAndHeaders) {
  start();
  // HTTP API (provider.httpApi.cors: true): API Gateway answers the preflight.
  HttpResult r = curl("OPTIONS", "/items/1",
                      {"-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: GET"});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "*");
  EXPECT_NE(r.header("access-control-allow-headers").find("Content-Type"), std::string::npos);
  r = curl("GET", "/items/1", {"-H", "Origin: https://app.example"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "*");
  // REST (`cors: true` on the event): the OPTIONS method Serverless adds.
  r = curl("OPTIONS", "/dev/users/1",
           {"-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: GET"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("access-control-allow-origin"), "*");
  EXPECT_EQ(r.header("access-control-allow-methods"), "OPTIONS,GET");
  r = curl("GET", "/dev/users/1", {"-H", "Origin: https://app.example"});
  EXPECT_EQ(r.header("access-control-allow-origin"), "*");
  // A REST path without cors has no OPTIONS method.
  r = curl("OPTIONS", "/dev/fail",
           {"-H", "Origin: https://app.example", "-H", "Access-Control-Request-Method: GET"});
  EXPECT_EQ(r.status, 403);
}

// integration: lambda: the event is Serverless's default request template; the result is the body;
// an error whose message holds "[404]" is a 404 (Serverless's integration responses).
TEST_F(HttpTest, LambdaIntegrationEventAndStatusFromTheErrorMessage) {
  start();
  HttpResult r = curl("POST", "/dev/legacy?x=1",
                      {"-H", "Content-Type: application/json", "--data-binary", R"({"a":1})"});
  ASSERT_EQ(r.status, 200) << r.body;
  const json out = json::parse(r.body);
  EXPECT_EQ(out.at("fn"), "web-dev-passthrough");
  const json& event = out.at("got");
  EXPECT_EQ(event.at("body"), json({{"a", 1}}));
  EXPECT_EQ(event.at("method"), "POST");
  EXPECT_EQ(event.at("stage"), "dev");
  EXPECT_EQ(event.at("query"), json({{"x", "1"}}));
  EXPECT_EQ(event.at("path"), json::object());
  EXPECT_EQ(event.at("requestPath"), "/legacy");
  EXPECT_EQ(event.at("headers").at("Content-Type"), "application/json");
  EXPECT_EQ(event.at("identity").at("sourceIp"), "127.0.0.1");
  r = curl("POST", "/dev/legacy",
           {"-H", "Content-Type: application/json", "--data-binary", R"({"missing":1})"});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body).at("errorMessage"), "[404] Item not found");
  r = curl("POST", "/dev/legacy", {"-H", "Content-Type: application/json", "--data-binary", "not json"});
  EXPECT_EQ(r.status, 400);
}

TEST_F(HttpTest, BannerListsRoutesAndRunFileNamesTheEndpoint) {
  const json banner = start();
  ASSERT_TRUE(banner.contains("routes"));
  EXPECT_TRUE(m_http.starts_with("http://127.0.0.1:")) << m_http;
  const json expected = {{"api", "rest"},
                         {"method", "GET"},
                         {"path", "/dev/users/{id}"},
                         {"url", m_http + "/dev/users/{id}"},
                         {"routeKey", "/users/{id}"},
                         {"function", "echo"}};
  EXPECT_NE(std::find(banner["routes"].begin(), banner["routes"].end(), expected), banner["routes"].end())
      << banner.dump();
  const json url = {{"api", "functionUrl"},      {"method", "ANY"},
                    {"path", "/_url/nodeEcho/"}, {"url", m_http + "/_url/nodeEcho/"},
                    {"routeKey", "$default"},    {"function", "nodeEcho"}};
  EXPECT_NE(std::find(banner["routes"].begin(), banner["routes"].end(), url), banner["routes"].end());
  EXPECT_EQ(banner["routes"].size(), 11u);
  const json run_file = json::parse(read_file(m_dir.path() / ".stratus" / "offline.json"));
  EXPECT_EQ(run_file["httpEndpoint"], m_http);
}

TEST_F(HttpTest, TextBannerPrintsEachRoute) {
  m_offline = std::make_unique<Background>(
      m_dir.path(),
      std::vector<std::string>{"offline", "--lambda-port", "0", "--aws-port", "0", "--http-port", "0"});
  std::string err;
  for (int i = 0; i < 1000 && err.find("Ctrl-C to stop.") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    err = m_offline->err();
  }
  ASSERT_NE(err.find("Ctrl-C to stop."), std::string::npos) << err;
  const auto at = err.find("API Gateway         http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << err;
  const std::string url = err.substr(at + 20, err.find(' ', at + 20) - at - 20);
  EXPECT_NE(err.find("GET " + url + "/dev/users/{id} -> echo"), std::string::npos) << err;
  EXPECT_NE(err.find("POST " + url + "/node/{proxy+} -> nodeEcho"), std::string::npos) << err;
  EXPECT_NE(err.find("ANY " + url + "/_url/nodeEcho/ -> nodeEcho"), std::string::npos) << err;
}

TEST_F(HttpTest, PortInUseIsAClearError) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  const RunResult r =
      run_stratus(m_dir.path(), {"offline", "--lambda-port", "0", "--aws-port", "0", "--http-port", port});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("127.0.0.1:" + port + " is already in use; pass --http-port to choose another"),
            std::string::npos)
      << r.err;
}

TEST_F(HttpTest, ServerlessOfflineSettingsInTheManifest) {
  // noPrependStageInUrl drops the stage from REST URLs; httpPort is the default port.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(fd);  // free again for stratus to take
  std::string manifest = read_file(m_dir.path() / "serverless.yml");
  manifest +=
      "custom:\n  serverless-offline:\n    noPrependStageInUrl: true\n    httpPort: " + std::to_string(port) +
      "\n";
  m_dir.write("serverless.yml", manifest);
  m_offline = std::make_unique<Background>(
      m_dir.path(), std::vector<std::string>{"offline", "--lambda-port", "0", "--aws-port", "0", "--json"});
  const std::string banner = m_offline->first_line();
  ASSERT_FALSE(banner.empty()) << m_offline->err();
  m_http = json::parse(banner).at("httpEndpoint").get<std::string>();
  EXPECT_EQ(m_http, "http://127.0.0.1:" + std::to_string(port));
  HttpResult r = curl("GET", "/users/3");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["requestContext"]["path"], "/dev/users/3");
  EXPECT_EQ(curl("GET", "/dev/users/3").status, 403);
  EXPECT_EQ(curl("GET", "/items/5").status, 200);  // HTTP API routes share the root
}

}  // namespace
}  // namespace stratus::e2e
