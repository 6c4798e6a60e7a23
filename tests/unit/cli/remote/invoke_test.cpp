// The Invoke call `stratus invoke -f` makes, and how its answers are read and shown.
#include "cli/remote/invoke.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator/common/base64.hpp"

namespace stratus::remote {
namespace {

std::string header(const aws::Request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "(absent)";
}

TEST(RemoteInvoke, RequestCarriesTypeLogQualifierAndPayload) {
  InvokeCall call;
  call.function_name = "app-dev-hello";
  call.payload = R"({"a":1})";
  call.qualifier = "live";
  call.tail_log = true;
  const aws::Request r = invoke_request(call);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/2015-03-31/functions/app-dev-hello/invocations");
  ASSERT_EQ(r.query.size(), 1u);
  EXPECT_EQ(r.query[0], (std::pair<std::string, std::string>{"Qualifier", "live"}));
  EXPECT_EQ(header(r, "X-Amz-Invocation-Type"), "RequestResponse");
  EXPECT_EQ(header(r, "X-Amz-Log-Type"), "Tail");
  EXPECT_EQ(r.body, R"({"a":1})");

  call.type = "Event";  // AWS refuses Tail for Event: it is not asked for
  call.qualifier.clear();
  const aws::Request e = invoke_request(call);
  EXPECT_EQ(header(e, "X-Amz-Invocation-Type"), "Event");
  EXPECT_EQ(header(e, "X-Amz-Log-Type"), "(absent)");
  EXPECT_TRUE(e.query.empty());
}

TEST(RemoteInvoke, ReadsFunctionErrorVersionAndDecodedLog) {
  aws::Response res;
  res.status = 200;
  res.headers = {{"x-amz-function-error", "Unhandled"},
                 {"X-Amz-Executed-Version", "$LATEST"},
                 {"X-Amz-Log-Result", base64_encode("START RequestId: 1\nEND RequestId: 1\n")}};
  res.body = R"({"errorMessage":"boom","errorType":"Exception"})";
  const InvokeOutcome o = read_invoke_response(res);
  EXPECT_EQ(o.status_code, 200);
  EXPECT_EQ(o.function_error, "Unhandled");
  EXPECT_EQ(o.executed_version, "$LATEST");
  ASSERT_TRUE(o.log);
  EXPECT_EQ(*o.log, "START RequestId: 1\nEND RequestId: 1\n");
  EXPECT_EQ(
      outcome_json(o),
      "{\n  \"StatusCode\": 200,\n  \"FunctionError\": \"Unhandled\",\n  \"ExecutedVersion\": \"$LATEST\",\n"
      "  \"Payload\": {\n    \"errorMessage\": \"boom\",\n    \"errorType\": \"Exception\"\n  },\n"
      "  \"LogResult\": \"START RequestId: 1\\nEND RequestId: 1\\n\"\n}\n");
}

TEST(RemoteInvoke, JsonOfAnEmptyAndANonJsonPayload) {
  InvokeOutcome o;
  o.status_code = 202;
  EXPECT_EQ(nlohmann::json::parse(outcome_json(o)),
            nlohmann::json::parse(R"({"StatusCode":202,"Payload":null})"));
  o.status_code = 200;
  o.payload = "plain text";
  EXPECT_EQ(nlohmann::json::parse(outcome_json(o))["Payload"], "plain text");
}

TEST(RemoteInvoke, UnknownFunctionSaysDeployFirst) {
  aws::AwsError e;
  e.status = 404;
  e.code = "ResourceNotFoundException";
  e.message = "Function not found: arn:aws:lambda:us-east-1:111111111111:function:app-dev-hello";
  const UserError error = invoke_error(e, "hello", "app-dev-hello");
  EXPECT_EQ(error.exit_code(), kExitFailure);
  EXPECT_EQ(std::string(error.what()),
            "invoke hello (app-dev-hello) failed: " + e.describe() +
                "\n  the function is not deployed there: deploy it first (stratus deploy)");
  e.code = "TooManyRequestsException";
  EXPECT_EQ(std::string(invoke_error(e, "hello", "app-dev-hello").what()).find("deploy it first"),
            std::string::npos);
}

}  // namespace
}  // namespace stratus::remote
