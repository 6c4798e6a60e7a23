// The Invoke API as real clients see it: the `aws` CLI and boto3 run as child processes against
// an InvokeApi served from this test binary (fake Dispatcher, 127.0.0.1, ephemeral port). Skipped
// when the client is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "emulator/common/base64.hpp"
#include "emulator/triggers/invoke_api/invoke_api.hpp"
#include "tests/support/shell.hpp"
#include "tests/unit/emulator/triggers/invoke_api/fake_dispatcher.hpp"

namespace stratus::triggers {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test_support::ProcessResult;
using test_support::read_file;

class RealClientTest : public ::testing::Test {
 protected:
  RealClientTest()
      : fake(57),
        api(fake),
        server(
            "127.0.0.1", 0, [this](const net::Request& r) { return api.handle(r); },
            InvokeApi::server_options()) {
    dir = fs::temp_directory_path() / ("stratus-invoke-api-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  ~RealClientTest() override { fs::remove_all(dir); }

  // Runs `command` with a throwaway HOME and dummy credentials; no retries, so a 429 is seen once.
  ProcessResult run(const std::string& command) {
    const std::string env =
        "env HOME='" + dir.string() +
        "' AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN= "
        "AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null "
        "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard "
        "AWS_EC2_METADATA_DISABLED=true AWS_PAGER= ENDPOINT=" +
        endpoint() + " ";
    const fs::path err = dir / "stderr.txt";
    return test_support::run_shell(env + command, err);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server.port()); }

  std::string aws(const std::string& args) {
    return "aws lambda " + args + " --endpoint-url " + endpoint() +
           " --region us-east-1 --no-sign-request --output json";
  }

  bool have(const std::string& probe) { return run(probe + " >/dev/null").exit_code == 0; }

  // CLI v2 reads --payload as base64 unless told otherwise; v1 has no such option.
  std::string raw_payload(const std::string& json_text) {
    static const bool v2 = [this] {
      ProcessResult version = run("aws --version");
      return (version.out + version.err).find("aws-cli/2") != std::string::npos;
    }();
    return std::string(v2 ? "--cli-binary-format raw-in-base64-out " : "") + "--payload '" + json_text + "'";
  }

  testing::FakeDispatcher fake;
  InvokeApi api;
  net::HttpServer server;
  fs::path dir;
};

// Probed once per binary: each probe starts a Python interpreter.
#define SKIP_WITHOUT_AWS_CLI()                            \
  static const bool have_aws_cli = have("aws --version"); \
  if (!have_aws_cli) GTEST_SKIP() << "the aws CLI is not installed"
#define SKIP_WITHOUT_BOTO3()                                        \
  static const bool have_boto3 = have("python3 -c 'import boto3'"); \
  if (!have_boto3) GTEST_SKIP() << "python3 with boto3 is not installed"

TEST_F(RealClientTest, AwsCliInvokeWithTailLogs) {
  SKIP_WITHOUT_AWS_CLI();
  const fs::path out = dir / "out.json";
  ProcessResult r = run(aws("invoke --function-name svc-dev-hello " + raw_payload(R"({"a":1})") +
                            " --log-type Tail '" + out.string() + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = json::parse(r.out);
  EXPECT_EQ(meta["StatusCode"], 200);
  EXPECT_EQ(meta["ExecutedVersion"], "$LATEST");
  EXPECT_FALSE(meta.contains("FunctionError"));
  EXPECT_EQ(base64_decode(meta["LogResult"].get<std::string>()), fake.log_text);
  EXPECT_EQ(read_file(out), R"({"echo":{"a":1}})");
}

TEST_F(RealClientTest, AwsCliInvokeByArnAndFunctionError) {
  SKIP_WITHOUT_AWS_CLI();
  const fs::path out = dir / "out.json";
  ProcessResult r =
      run(aws("invoke --function-name arn:aws:lambda:us-east-1:000000000000:function:svc-dev-fail '" +
              out.string() + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto meta = json::parse(r.out);
  EXPECT_EQ(meta["StatusCode"], 200);
  EXPECT_EQ(meta["FunctionError"], "Unhandled");
  EXPECT_EQ(json::parse(read_file(out))["errorMessage"], "boom");
}

TEST_F(RealClientTest, AwsCliEventInvocation) {
  SKIP_WITHOUT_AWS_CLI();
  ProcessResult r = run(aws("invoke --function-name hello --invocation-type Event " +
                            raw_payload(R"({"e":2})") + " '" + (dir / "out.json").string() + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["StatusCode"], 202);
  ASSERT_EQ(fake.async_calls().size(), 1u);
  EXPECT_EQ(fake.async_calls()[0].second, R"({"e":2})");
}

TEST_F(RealClientTest, AwsCliErrors) {
  SKIP_WITHOUT_AWS_CLI();
  const std::string out = "'" + (dir / "out.json").string() + "'";
  ProcessResult missing = run(aws("invoke --function-name nope " + out));
  EXPECT_NE(missing.exit_code, 0);
  // "An error occurred (Code) when calling the Invoke operation[ (reached max retries: 0)]: Message"
  EXPECT_NE(missing.err.find("(ResourceNotFoundException) when calling the Invoke operation"),
            std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find(": Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"),
            std::string::npos);

  ProcessResult busy = run(aws("invoke --function-name svc-dev-busy " + out));
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("(TooManyRequestsException) when calling the Invoke operation"), std::string::npos)
      << busy.err;

  {
    std::ofstream big(dir / "big.json", std::ios::binary);
    big << '"' << std::string(kMaxSyncPayloadBytes, 'a') << '"';
  }
  ProcessResult large =
      run(aws("invoke --function-name hello --payload 'fileb://" + (dir / "big.json").string() + "' " + out));
  EXPECT_NE(large.exit_code, 0);
  EXPECT_NE(large.err.find("(RequestEntityTooLargeException) when calling the Invoke operation"),
            std::string::npos)
      << large.err;
  EXPECT_NE(large.err.find(": Request must be smaller than 6291456 bytes for the InvokeFunction operation"),
            std::string::npos);
}

TEST_F(RealClientTest, AwsCliListAndGetFunction) {
  SKIP_WITHOUT_AWS_CLI();
  // The CLI follows NextMarker across the 50-function pages by itself.
  ProcessResult list = run(aws("list-functions"));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto functions = json::parse(list.out)["Functions"];
  ASSERT_EQ(functions.size(), 60u);
  EXPECT_EQ(functions[59]["FunctionName"], "svc-dev-fn56");

  ProcessResult get = run(aws("get-function --function-name busy"));
  ASSERT_EQ(get.exit_code, 0) << get.err;
  auto body = json::parse(get.out);
  EXPECT_EQ(body["Configuration"]["FunctionArn"],
            "arn:aws:lambda:us-east-1:000000000000:function:svc-dev-busy");
  EXPECT_EQ(body["Configuration"]["State"], "Active");
  EXPECT_EQ(body["Code"]["RepositoryType"], "S3");
  EXPECT_EQ(body["Concurrency"]["ReservedConcurrentExecutions"], 0);

  ProcessResult config = run(aws("get-function-configuration --function-name svc-dev-fail"));
  ASSERT_EQ(config.exit_code, 0) << config.err;
  EXPECT_EQ(json::parse(config.out)["Environment"]["Variables"]["STAGE"], "dev");
}

constexpr const char* kBotoScript = R"PY(
import base64, json, os, sys
import boto3, botocore
from botocore.config import Config
c = boto3.client("lambda", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=Config(retries={"max_attempts": 1, "mode": "standard"}))
out = {}
r = c.invoke(FunctionName="svc-dev-hello", Payload=b'{"b":2}', LogType="Tail",
             ClientContext=base64.b64encode(b'{"custom":{"k":"v"}}').decode())
out["invoke"] = {"status": r["StatusCode"], "payload": r["Payload"].read().decode(),
                 "version": r["ExecutedVersion"], "log": base64.b64decode(r["LogResult"]).decode(),
                 "error": r.get("FunctionError")}
r = c.invoke(FunctionName="svc-dev-fail")
out["fail"] = {"error": r.get("FunctionError"), "payload": json.loads(r["Payload"].read())}
r = c.invoke(FunctionName="hello", InvocationType="Event", Payload=b"{}")
out["event"] = r["StatusCode"]
r = c.invoke(FunctionName="hello", InvocationType="DryRun")
out["dryrun"] = r["StatusCode"]
try:
    c.invoke(FunctionName="nope")
except c.exceptions.ResourceNotFoundException as e:
    out["missing"] = e.response["Error"]["Message"]
try:
    c.invoke(FunctionName="svc-dev-busy")
except c.exceptions.TooManyRequestsException as e:
    out["busy"] = {"reason": e.response.get("Reason"), "message": e.response["Error"]["Message"],
                   "retry": e.response.get("retryAfterSeconds")}
try:
    c.invoke(FunctionName="hello", Payload=b"not json")
except c.exceptions.InvalidRequestContentException as e:
    out["notjson"] = e.response["Error"]["Message"]
try:
    c.invoke(FunctionName="hello", Payload=b'"' + b"a" * 6291456 + b'"')
except botocore.exceptions.ClientError as e:
    out["large"] = e.response["Error"]["Code"]
names = []
for page in c.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 20}):
    names += [f["FunctionName"] for f in page["Functions"]]
out["names"] = names
f = c.get_function(FunctionName="arn:aws:lambda:us-east-1:000000000000:function:svc-dev-fail")
out["get"] = {"name": f["Configuration"]["FunctionName"], "memory": f["Configuration"]["MemorySize"],
              "modified": f["Configuration"]["LastModified"], "repo": f["Code"]["RepositoryType"]}
print(json.dumps(out))
)PY";

TEST_F(RealClientTest, Boto3SeesTheModelledResultsAndExceptions) {
  SKIP_WITHOUT_BOTO3();
  {
    std::ofstream script(dir / "client.py");
    script << kBotoScript;
  }
  ProcessResult r = run("python3 '" + (dir / "client.py").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  EXPECT_EQ(out["invoke"]["status"], 200);
  EXPECT_EQ(out["invoke"]["payload"], R"({"echo":{"b":2}})");
  EXPECT_EQ(out["invoke"]["version"], "$LATEST");
  EXPECT_EQ(out["invoke"]["log"], fake.log_text);
  EXPECT_TRUE(out["invoke"]["error"].is_null());
  EXPECT_EQ(out["fail"]["error"], "Unhandled");
  EXPECT_EQ(out["fail"]["payload"]["errorMessage"], "boom");
  EXPECT_EQ(out["event"], 202);
  EXPECT_EQ(out["dryrun"], 204);
  EXPECT_EQ(out["missing"], "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  EXPECT_EQ(out["busy"]["reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(out["busy"]["message"], "Rate Exceeded.");
  EXPECT_EQ(out["busy"]["retry"], "1");
  EXPECT_EQ(out["notjson"].get<std::string>().rfind("Could not parse request body into json", 0), 0u);
  EXPECT_EQ(out["large"], "RequestEntityTooLargeException");
  EXPECT_EQ(out["names"].size(), 60u);
  EXPECT_EQ(out["get"]["name"], "svc-dev-fail");
  EXPECT_EQ(out["get"]["memory"], 256);
  EXPECT_EQ(out["get"]["repo"], "S3");
  // The client context reached the dispatcher decoded.
  bool seen = false;
  for (const auto& req : fake.requests()) seen = seen || req.client_context == R"({"custom":{"k":"v"}})";
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace stratus::triggers
