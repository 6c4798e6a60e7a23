// The AWS client's own logic (endpoint, signing, retries, logging) over a fake transport, then
// end to end over the real transport against a local server that checks our signatures.
#include "cli/providers/aws/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>

#include "emulator/common/clock.hpp"
#include "emulator/net/http_server.hpp"

namespace stratus::aws {
namespace {

const auth::Credentials kCredentials{"AKIDTEST", "test/secret+KEY", "session-token-value"};

struct Fake {
  std::vector<HttpOutcome> answers;  // one per attempt; the last repeats
  std::vector<HttpExchange> seen;
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<std::string> log;

  ClientOptions options() {
    ClientOptions o;
    o.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    o.endpoint_override = "http://127.0.0.1:4566";
    o.transport = [this](const HttpExchange& e) {
      seen.push_back(e);
      return answers[std::min(seen.size(), answers.size()) - 1];
    };
    o.now = [] { return std::int64_t{1440938160}; };
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    o.random = [] { return 1.0; };
    o.verbose = true;
    o.log = [this](const std::string& line) { log.push_back(line); };
    return o;
  }
};

HttpOutcome status(int code, Headers headers = {}, std::string body = "") {
  return HttpOutcome{code, std::move(headers), std::move(body), ""};
}

HttpOutcome no_answer(std::string why) {
  return HttpOutcome{0, {}, "", std::move(why)};
}

std::string header_of(const HttpExchange& e, std::string_view name) {
  for (const auto& [n, v] : e.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(AwsClient, SignsAndSendsTheCanonicalQuery) {
  Fake fake;
  fake.answers = {status(200, {}, R"({"Functions":[]})")};
  Client client(kCredentials, fake.options());
  Request request;
  request.path = "/2015-03-31/functions";
  request.query = {{"MaxItems", "10"}, {"Marker", "a b/c"}};
  Response r = client.call("lambda", request);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Functions":[]})");
  ASSERT_EQ(fake.seen.size(), 1u);
  const HttpExchange& e = fake.seen[0];
  EXPECT_EQ(e.origin, "http://127.0.0.1:4566");
  EXPECT_EQ(e.target, "/2015-03-31/functions?Marker=a%20b%2Fc&MaxItems=10");
  EXPECT_EQ(header_of(e, "Host"), "127.0.0.1:4566");
  EXPECT_EQ(header_of(e, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(header_of(e, "X-Amz-Security-Token"), "session-token-value");
  EXPECT_EQ(header_of(e, "Authorization")
                .rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/20150830/us-east-1/lambda/"
                       "aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, "
                       "Signature=",
                       0),
            0u);
}

TEST(AwsClient, IamIsSignedForUsEast1WhateverTheRegion) {
  Fake fake;
  fake.answers = {status(200)};
  ClientOptions o = fake.options();
  o.region = "eu-central-1";
  Client client(kCredentials, o);
  client.call("iam",
              {"POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}}, "Action=GetUser"});
  EXPECT_NE(header_of(fake.seen[0], "Authorization").find("/us-east-1/iam/aws4_request"), std::string::npos);
}

TEST(AwsClient, RetriesThrottlingAnd5xxWithGrowingBackoff) {
  Fake fake;
  fake.answers = {status(429), status(503),
                  status(400, {}, R"({"__type":"ThrottlingException","message":"Rate exceeded"})"),
                  status(200)};
  Client client(kCredentials, fake.options());
  Response r = client.call("lambda", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(fake.seen.size(), 4u);
  EXPECT_EQ(fake.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500),
                                                                 std::chrono::milliseconds(1000),
                                                                 std::chrono::milliseconds(2000)}));
}

TEST(AwsClient, ClientErrorsAreReturnedAtOnce) {
  Fake fake;
  fake.answers = {status(404, {{"x-amzn-ErrorType", "ResourceNotFoundException"}},
                         R"({"Message":"Function not found"})")};
  Client client(kCredentials, fake.options());
  Response r = client.call("lambda", {"GET", "/2015-03-31/functions/nope", {}, {}, ""});
  EXPECT_EQ(fake.seen.size(), 1u);
  ASSERT_TRUE(r.error());
  EXPECT_EQ(r.error()->code, "ResourceNotFoundException");
  EXPECT_EQ(r.error()->message, "Function not found");
}

TEST(AwsClient, AttemptsAreBoundedAndTheLastAnswerReturned) {
  Fake fake;
  fake.answers = {status(503, {}, "busy")};
  ClientOptions o = fake.options();
  o.retry.max_attempts = 3;
  Client client(kCredentials, o);
  Response r = client.call("lambda", {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(fake.seen.size(), 3u);
  EXPECT_EQ(fake.sleeps.size(), 2u);
}

TEST(AwsClient, RetryAfterIsHonouredUpToTheCap) {
  Fake fake;
  fake.answers = {status(429, {{"Retry-After", "3"}}), status(429, {{"Retry-After", "999"}}), status(200)};
  Client client(kCredentials, fake.options());
  client.call("lambda", {});
  EXPECT_EQ(fake.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(3000),
                                                                 std::chrono::milliseconds(20000)}));
}

TEST(AwsClient, ConnectionFailuresAreRetriedThenThrown) {
  Fake fake;
  fake.answers = {no_answer("cannot connect to 127.0.0.1:4566: Connection refused")};
  ClientOptions o = fake.options();
  o.retry.max_attempts = 2;
  Client client(kCredentials, o);
  try {
    client.call("lambda", {});
    FAIL() << "no exception";
  } catch (const ConnectionError& e) {
    EXPECT_STREQ(
        e.what(),
        "cannot reach lambda at http://127.0.0.1:4566 (from --endpoint): cannot connect to 127.0.0.1:4566: "
        "Connection refused after 2 attempts");
    EXPECT_EQ(e.exit_code(), kExitFailure);
  }
  EXPECT_EQ(fake.seen.size(), 2u);
}

TEST(AwsClient, CertificateFailuresAreNotRetried) {
  Fake fake;
  fake.answers = {no_answer("TLS certificate verification failed: self-signed certificate")};
  Client client(kCredentials, fake.options());
  EXPECT_THROW(client.call("lambda", {}), ConnectionError);
  EXPECT_EQ(fake.seen.size(), 1u);
}

TEST(AwsClient, VerboseLogShowsEachAttemptAndNoSecret) {
  Fake fake;
  fake.answers = {status(503), status(200)};
  Client client(kCredentials, fake.options());
  client.call(
      "lambda",
      {"GET", "/2015-03-31/functions", {{"X-Amz-Security-Token", "query-token"}, {"Marker", "m"}}, {}, ""});
  ASSERT_EQ(fake.log.size(), 2u);
  EXPECT_EQ(
      fake.log[0].rfind("GET http://127.0.0.1:4566/2015-03-31/functions?Marker=m&X-Amz-Security-Token=*** -> "
                        "503 (",
                        0),
      0u)
      << fake.log[0];
  EXPECT_NE(fake.log[0].find(" ms), retrying in 500 ms"), std::string::npos) << fake.log[0];
  EXPECT_EQ(
      fake.log[1].rfind("GET http://127.0.0.1:4566/2015-03-31/functions?Marker=m&X-Amz-Security-Token=*** -> "
                        "200 (",
                        0),
      0u);
  for (const auto& line : fake.log) {
    for (std::string_view secret : {"test/secret+KEY", "session-token-value", "query-token", "AKIDTEST"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << line;
    }
  }
}

TEST(AwsClient, QuietUnlessVerbose) {
  Fake fake;
  fake.answers = {status(200)};
  ClientOptions o = fake.options();
  o.verbose = false;
  Client client(kCredentials, o);
  client.call("lambda", {});
  EXPECT_TRUE(fake.log.empty());
}

TEST(AwsClient, BadEndpointUrlIsAUserError) {
  Fake fake;
  ClientOptions o = fake.options();
  o.endpoint_override = "localhost:4566";
  Client client(kCredentials, o);
  try {
    client.call("lambda", {});
    FAIL() << "no exception";
  } catch (const UserError& e) {
    EXPECT_STREQ(
        e.what(),
        "endpoint 'localhost:4566' (from --endpoint) is not an http:// or https:// URL; fix: set it to e.g. "
        "http://127.0.0.1:4566");
  }
}

TEST(AwsClient, RedactUrl) {
  EXPECT_EQ(redact_url("https://user:pw@s3.amazonaws.com/b/k?X-Amz-Signature=abc&X-Amz-Credential=AK%2F1&"
                       "X-Amz-Security-Token=t&partNumber=1&flag"),
            "https://s3.amazonaws.com/b/k?X-Amz-Signature=***&X-Amz-Credential=***&X-Amz-Security-Token=***&"
            "partNumber=1&flag");
  EXPECT_EQ(redact_url("http://127.0.0.1:4566/"), "http://127.0.0.1:4566/");
}

TEST(AwsClient, BackoffIsFullJitterUnderAnExponentialCeiling) {
  RetryPolicy p;
  EXPECT_EQ(backoff_delay(p, 1, 1.0).count(), 500);
  EXPECT_EQ(backoff_delay(p, 3, 1.0).count(), 2000);
  EXPECT_EQ(backoff_delay(p, 3, 0.5).count(), 1000);
  EXPECT_EQ(backoff_delay(p, 12, 1.0).count(), 20000);
  EXPECT_EQ(backoff_delay(p, 2, 0.0).count(), 0);
}

// ---- over the real transport, against a local server -----------------------------------------

TEST(AwsClientWire, RetriesAServerThatAnswers429Then503Then200AndEverySignatureVerifies) {
  std::atomic<int> attempts{0};
  std::atomic<int> verified{0};
  net::HttpServer server("127.0.0.1", 0, [&](const net::Request& request) {
    auth::HttpRequestView view{request.method,  request.path, request.query,
                               request.headers, "",           request.body};
    auto lookup = [](std::string_view key) -> std::optional<std::string> {
      if (key == kCredentials.access_key_id) return kCredentials.secret_access_key;
      return std::nullopt;
    };
    if (auth::verify(view, lookup, unix_ms_now() / 1000).ok) ++verified;
    int n = ++attempts;
    net::Response response;
    if (n == 1) {
      response.status = 429;
      response.headers = {{"x-amzn-ErrorType", "TooManyRequestsException"}};
      response.body = R"({"message":"Rate exceeded"})";
    } else if (n == 2) {
      response.status = 503;
    } else {
      response.body = R"({"ok":true,"echo":)" + nlohmann::json(request.body).dump() + "}";
    }
    return response;
  });
  ClientOptions o;
  o.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  o.endpoint_override = "http://" + server.address();
  o.retry.base_delay = std::chrono::milliseconds(1);
  Client client(kCredentials, o);
  Response r = client.call("lambda", {"POST",
                                      "/2015-03-31/functions/f/invocations",
                                      {{"Qualifier", "$LATEST"}},
                                      {{"Content-Type", "application/json"}},
                                      R"({"k":"v"})"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(attempts.load(), 3);
  EXPECT_EQ(verified.load(), 3);
  EXPECT_EQ(r.body, R"({"ok":true,"echo":"{\"k\":\"v\"}"})");
}

}  // namespace
}  // namespace stratus::aws
