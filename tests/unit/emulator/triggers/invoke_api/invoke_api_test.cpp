// The Invoke API over real sockets (HttpServer on 127.0.0.1, httplib as the client) against a
// fake Dispatcher.
#include "emulator/triggers/invoke_api/invoke_api.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "emulator/common/base64.hpp"
#include "tests/unit/emulator/triggers/invoke_api/fake_dispatcher.hpp"

namespace stratus::triggers {
namespace {

using nlohmann::json;

constexpr const char* kInvoke = "/2015-03-31/functions/svc-dev-hello/invocations";

class InvokeApiTest : public ::testing::Test {
 protected:
  explicit InvokeApiTest(int padding = 0)
      : fake(padding),
        api(fake),
        server(
            "127.0.0.1", 0, [this](const net::Request& r) { return api.handle(r); },
            InvokeApi::server_options()),
        client("127.0.0.1", server.port()) {
    client.set_read_timeout(30, 0);
  }

  httplib::Result post(const std::string& path, const std::string& body, httplib::Headers headers = {}) {
    return client.Post(path, headers, body, "application/json");
  }

  // Asserts the AWS service-error shape and returns the message.
  static std::string expect_error(const httplib::Result& res, int status, const std::string& code,
                                  const char* message_key = "message") {
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, status);
    EXPECT_EQ(res->get_header_value("x-amzn-ErrorType"), code);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    EXPECT_FALSE(res->get_header_value("X-Amzn-RequestId").empty());
    auto body = json::parse(res->body);
    EXPECT_EQ(body["Type"], "User");
    return body.value(message_key, std::string("<no ") + message_key + ">");
  }

  testing::FakeDispatcher fake;
  InvokeApi api;
  net::HttpServer server;
  httplib::Client client;
};

TEST_F(InvokeApiTest, RequestResponseReturnsTheFunctionsBytesAndHeaders) {
  auto res = post(kInvoke, R"({"a":1})");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"echo":{"a":1}})");
  EXPECT_EQ(res->get_header_value("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(res->get_header_value("X-Amzn-RequestId"), "11111111-2222-4333-8444-111111111111");
  EXPECT_FALSE(res->has_header("X-Amz-Function-Error"));
  EXPECT_FALSE(res->has_header("X-Amz-Log-Result"));
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].invoked_arn, "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello");
  EXPECT_FALSE(fake.requests()[0].want_log);
  EXPECT_FALSE(fake.requests()[0].client_context);
}

TEST_F(InvokeApiTest, EmptyBodyIsTheEmptyObject) {
  auto res = post(kInvoke, "");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, R"({"echo":{}})");
}

TEST_F(InvokeApiTest, AnyJsonValueIsAnEvent) {
  for (const char* body : {"null", "42", R"("text")", "[1,2]", " true "}) {
    auto res = post(kInvoke, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << body;
  }
}

TEST_F(InvokeApiTest, FunctionErrorSetsTheHeaderAndKeepsTheBody) {
  auto res = post("/2015-03-31/functions/svc-dev-fail/invocations", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(res->body, R"({"errorMessage":"boom","errorType":"Error","stackTrace":[]})");
}

TEST_F(InvokeApiTest, TailReturnsTheLastFourKilobytesOfTheLogInBase64) {
  fake.log_text =
      "START RequestId: r\n" + std::string(5000, 'x') + "\nEND RequestId: r\nREPORT RequestId: r\n";
  auto res = post(kInvoke, "{}", {{"X-Amz-Log-Type", "Tail"}});
  ASSERT_TRUE(res);
  auto decoded = base64_decode(res->get_header_value("X-Amz-Log-Result"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->size(), kLogTailBytes);
  EXPECT_EQ(*decoded, fake.log_text.substr(fake.log_text.size() - kLogTailBytes));
  EXPECT_TRUE(fake.requests().back().want_log);
}

TEST_F(InvokeApiTest, ShortLogIsReturnedWhole) {
  auto res = post(kInvoke, "{}", {{"X-Amz-Log-Type", "Tail"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(base64_decode(res->get_header_value("X-Amz-Log-Result")), fake.log_text);
}

TEST_F(InvokeApiTest, LogTypeNoneAddsNoLog) {
  auto res = post(kInvoke, "{}", {{"X-Amz-Log-Type", "None"}});
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->has_header("X-Amz-Log-Result"));
}

TEST_F(InvokeApiTest, ClientContextIsDecoded) {
  const std::string context = R"({"custom":{"k":"v"}})";
  auto res = post(kInvoke, "{}", {{"X-Amz-Client-Context", base64_encode(context)}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(fake.requests().back().client_context, context);
}

TEST_F(InvokeApiTest, ClientContextThatIsNotBase64Is400) {
  EXPECT_EQ(expect_error(post(kInvoke, "{}", {{"X-Amz-Client-Context", "not base64!"}}), 400,
                         "InvalidRequestContentException"),
            "Client context must be a valid Base64-encoded JSON object.");
  EXPECT_TRUE(fake.invoked().empty());
}

TEST_F(InvokeApiTest, ClientContextThatIsNotJsonIs400) {
  EXPECT_EQ(expect_error(post(kInvoke, "{}", {{"X-Amz-Client-Context", base64_encode("{oops")}}), 400,
                         "InvalidRequestContentException"),
            "Client context must be a valid Base64-encoded JSON object.");
}

TEST_F(InvokeApiTest, EventIsQueuedAndAnswered202) {
  auto res = post(kInvoke, R"({"e":1})", {{"X-Amz-Invocation-Type", "Event"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(res->get_header_value("X-Amzn-RequestId"), "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
  auto calls = fake.async_calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, "svc-dev-hello");
  EXPECT_EQ(calls[0].second, R"({"e":1})");
  EXPECT_TRUE(fake.invoked().empty());
}

// The event could not be recorded (see AsyncJournal): not accepted, and the client is told so.
TEST_F(InvokeApiTest, EventThatCannotBeQueuedIs500ServiceException) {
  fake.async_fails = true;
  auto res = post(kInvoke, R"({"e":1})", {{"X-Amz-Invocation-Type", "Event"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->get_header_value("x-amzn-ErrorType"), "ServiceException") << res->body;
  EXPECT_FALSE(res->get_header_value("X-Amzn-RequestId").empty());
  auto body = json::parse(res->body);
  EXPECT_EQ(body["Type"], "Service");
  EXPECT_EQ(body["message"], "The event was not queued: stratus.db: cannot run 'INSERT': disk I/O error");
}

TEST_F(InvokeApiTest, DryRunChecksAndRunsNothing) {
  auto res = post(kInvoke, "{}", {{"X-Amz-Invocation-Type", "DryRun"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204);
  EXPECT_TRUE(fake.invoked().empty());
  EXPECT_TRUE(fake.async_calls().empty());
  expect_error(post("/2015-03-31/functions/nope/invocations", "{}", {{"X-Amz-Invocation-Type", "DryRun"}}),
               404, "ResourceNotFoundException", "Message");
}

TEST_F(InvokeApiTest, EveryFormOfTheFunctionNameResolves) {
  for (const std::string name : {"svc-dev-hello", "hello", "svc-dev-hello:$LATEST",
                                 "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello",
                                 "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello:$LATEST",
                                 "000000000000:function:svc-dev-hello",
                                 "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Asvc-dev-hello",
                                 "svc-dev-hello%3A%24LATEST"}) {
    auto res = post("/2015-03-31/functions/" + name + "/invocations", "{}");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << name;
  }
  auto res = post("/2015-03-31/functions/svc-dev-hello/invocations?Qualifier=%24LATEST", "{}");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(fake.requests().back().invoked_arn,
            "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello:$LATEST");
}

TEST_F(InvokeApiTest, UnknownFunctionIs404WithItsArn) {
  EXPECT_EQ(expect_error(post("/2015-03-31/functions/nope/invocations", "{}"), 404,
                         "ResourceNotFoundException", "Message"),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  EXPECT_EQ(expect_error(post("/2015-03-31/functions/123456789012:function:nope/invocations", "{}"), 404,
                         "ResourceNotFoundException", "Message"),
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope");
}

TEST_F(InvokeApiTest, UnknownQualifierIs404) {
  EXPECT_EQ(expect_error(post("/2015-03-31/functions/svc-dev-hello/invocations?Qualifier=7", "{}"), 404,
                         "ResourceNotFoundException", "Message"),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello:7");
  EXPECT_EQ(expect_error(post("/2015-03-31/functions/svc-dev-hello:prod/invocations", "{}"), 404,
                         "ResourceNotFoundException", "Message"),
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:svc-dev-hello:prod");
}

TEST_F(InvokeApiTest, QualifierInNameAndQueryMustAgree) {
  EXPECT_EQ(expect_error(post("/2015-03-31/functions/svc-dev-hello:$LATEST/invocations?Qualifier=3", "{}"),
                         400, "InvalidParameterValueException"),
            "The derived qualifier from the function name does not match the specified qualifier.");
}

TEST_F(InvokeApiTest, NonJsonBodyIs400) {
  EXPECT_EQ(expect_error(post(kInvoke, "hello world"), 400, "InvalidRequestContentException"),
            "Could not parse request body into json: Could not parse payload into json: Unrecognized token "
            "'hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
  EXPECT_TRUE(fake.invoked().empty());
}

TEST_F(InvokeApiTest, SyncPayloadOverSixMegabytesIs413) {
  std::string body = "\"" + std::string(kMaxSyncPayloadBytes - 1, 'a') + "\"";  // one byte over
  EXPECT_EQ(expect_error(post(kInvoke, body), 413, "RequestEntityTooLargeException"),
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  EXPECT_TRUE(fake.invoked().empty());
  body.pop_back();
  body.back() = '"';  // exactly the limit
  auto res = post(kInvoke, body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(InvokeApiTest, EventPayloadOverOneMegabyteIs413) {
  std::string body = "\"" + std::string(kMaxEventPayloadBytes, 'a') + "\"";
  EXPECT_EQ(expect_error(post(kInvoke, body, {{"X-Amz-Invocation-Type", "Event"}}), 413,
                         "RequestEntityTooLargeException"),
            "1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)");
  EXPECT_TRUE(fake.async_calls().empty());
}

TEST_F(InvokeApiTest, ThrottleIs429WithReasonAndRetryAfter) {
  auto res = post("/2015-03-31/functions/svc-dev-busy/invocations", "{}");
  EXPECT_EQ(expect_error(res, 429, "TooManyRequestsException"), "Rate Exceeded.");
  EXPECT_EQ(json::parse(res->body)["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
}

TEST_F(InvokeApiTest, BadInvocationTypeIs400) {
  EXPECT_EQ(expect_error(post(kInvoke, "{}", {{"X-Amz-Invocation-Type", "Later"}}), 400,
                         "InvalidParameterValueException"),
            "Unsupported invocation type Later; expected RequestResponse, Event or DryRun");
}

TEST_F(InvokeApiTest, BadLogTypeIs400) {
  EXPECT_EQ(
      expect_error(post(kInvoke, "{}", {{"X-Amz-Log-Type", "All"}}), 400, "InvalidParameterValueException"),
      "Unsupported log type All; expected None or Tail");
}

TEST_F(InvokeApiTest, UnknownRouteIs404UnknownOperation) {
  EXPECT_EQ(expect_error(client.Get("/2015-03-31/functions/svc-dev-hello/aliases"), 404,
                         "UnknownOperationException"),
            "No Lambda operation matches GET /2015-03-31/functions/svc-dev-hello/aliases");
  expect_error(client.Get("/"), 404, "UnknownOperationException");
  expect_error(client.Get("/2015-03-31/functionsX"), 404, "UnknownOperationException");
  expect_error(client.Get("/2015-03-31/functions//invocations"), 404, "UnknownOperationException");
}

TEST_F(InvokeApiTest, WrongMethodIs405WithAllow) {
  auto res = client.Get(kInvoke);
  EXPECT_EQ(expect_error(res, 405, "MethodNotAllowedException"),
            "The method GET is not allowed for /2015-03-31/functions/svc-dev-hello/invocations");
  EXPECT_EQ(res->get_header_value("Allow"), "POST");
  res = client.Delete("/2015-03-31/functions/svc-dev-hello");
  expect_error(res, 405, "MethodNotAllowedException");
  EXPECT_EQ(res->get_header_value("Allow"), "GET");
  expect_error(post("/2015-03-31/functions/", "{}"), 405, "MethodNotAllowedException");
}

TEST_F(InvokeApiTest, GetFunctionConfigurationHasTheModelledMembers) {
  auto res = client.Get("/2015-03-31/functions/fail/configuration");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto c = json::parse(res->body);
  EXPECT_EQ(c["FunctionName"], "svc-dev-fail");
  EXPECT_EQ(c["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-fail");
  EXPECT_EQ(c["Runtime"], "python3.12");
  EXPECT_EQ(c["Role"], "arn:aws:iam::000000000000:role/stratus-local-role");
  EXPECT_EQ(c["Handler"], "handler.main");
  EXPECT_EQ(c["CodeSize"], 0);
  EXPECT_EQ(c["Description"], "a test function");
  EXPECT_EQ(c["Timeout"], 10);
  EXPECT_EQ(c["MemorySize"], 256);
  EXPECT_TRUE(std::regex_match(c["LastModified"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000)")));
  auto sha = base64_decode(c["CodeSha256"].get<std::string>());
  ASSERT_TRUE(sha);
  EXPECT_EQ(sha->size(), 32u);
  EXPECT_EQ(c["Version"], "$LATEST");
  EXPECT_EQ(c["Environment"], json::parse(R"({"Variables":{"STAGE":"dev","TABLE":"t"}})"));
  EXPECT_EQ(c["TracingConfig"]["Mode"], "PassThrough");
  EXPECT_TRUE(
      std::regex_match(c["RevisionId"].get<std::string>(),
                       std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_EQ(c["State"], "Active");
  EXPECT_EQ(c["LastUpdateStatus"], "Successful");
  EXPECT_EQ(c["PackageType"], "Zip");
  EXPECT_EQ(c["Architectures"], json::parse(R"(["x86_64"])"));
  EXPECT_EQ(c["EphemeralStorage"]["Size"], 512);
  // Stable from one call to the next.
  auto again = json::parse(client.Get("/2015-03-31/functions/fail/configuration")->body);
  EXPECT_EQ(again["RevisionId"], c["RevisionId"]);
  EXPECT_EQ(again["CodeSha256"], c["CodeSha256"]);
}

TEST_F(InvokeApiTest, FunctionWithoutVariablesHasNoEnvironment) {
  auto c = json::parse(client.Get("/2015-03-31/functions/hello/configuration")->body);
  EXPECT_FALSE(c.contains("Environment"));
}

TEST_F(InvokeApiTest, GetFunctionWrapsConfigurationCodeTagsAndConcurrency) {
  auto res = client.Get("/2015-03-31/functions/busy");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["Configuration"]["FunctionName"], "svc-dev-busy");
  EXPECT_EQ(body["Code"]["RepositoryType"], "S3");
  EXPECT_EQ(body["Code"]["Location"], "file:///srv/code");
  EXPECT_EQ(body["Tags"], json::object());
  EXPECT_EQ(body["Concurrency"]["ReservedConcurrentExecutions"], 0);
  auto plain = json::parse(client.Get("/2015-03-31/functions/hello")->body);
  EXPECT_FALSE(plain.contains("Concurrency"));
}

TEST_F(InvokeApiTest, GetFunctionOfAnUnknownNameIs404) {
  EXPECT_EQ(
      expect_error(client.Get("/2015-03-31/functions/nope"), 404, "ResourceNotFoundException", "Message"),
      "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  expect_error(client.Get("/2015-03-31/functions/nope/configuration"), 404, "ResourceNotFoundException",
               "Message");
}

class ListFunctionsTest : public InvokeApiTest {
 protected:
  ListFunctionsTest() : InvokeApiTest(57) {}  // 60 functions
};

TEST_F(ListFunctionsTest, PagesOfAtMostFiftyWithNextMarker) {
  auto first = json::parse(client.Get("/2015-03-31/functions/")->body);
  ASSERT_EQ(first["Functions"].size(), 50u);
  EXPECT_EQ(first["Functions"][0]["FunctionName"], "svc-dev-hello");
  ASSERT_TRUE(first.contains("NextMarker"));
  auto second = json::parse(
      client
          .Get("/2015-03-31/functions/?Marker=" + first["NextMarker"].get<std::string>() + "&MaxItems=1000")
          ->body);
  EXPECT_EQ(second["Functions"].size(), 10u);
  EXPECT_FALSE(second.contains("NextMarker"));
  EXPECT_EQ(second["Functions"][9]["FunctionName"], "svc-dev-fn56");
}

TEST_F(ListFunctionsTest, MaxItemsSmallerThanAPage) {
  auto res = client.Get("/2015-03-31/functions?MaxItems=2");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = json::parse(res->body);
  EXPECT_EQ(body["Functions"].size(), 2u);
  EXPECT_EQ(body["NextMarker"], "svc-dev-busy");
}

TEST_F(ListFunctionsTest, BadMaxItemsIs400) {
  for (const char* bad : {"0", "abc", "10001", "-1"}) {
    EXPECT_EQ(expect_error(client.Get(std::string("/2015-03-31/functions/?MaxItems=") + bad), 400,
                           "InvalidParameterValueException"),
              std::string("1 validation error detected: Value '") + bad +
                  "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000");
  }
}

TEST_F(ListFunctionsTest, UnknownMarkerIs400) {
  EXPECT_EQ(
      expect_error(client.Get("/2015-03-31/functions/?Marker=zzz"), 400, "InvalidParameterValueException"),
      "Invalid marker: zzz");
}

}  // namespace
}  // namespace stratus::triggers
