// stratus generate-event: the sample is what the triggers deliver, and a function takes it as is.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

TEST(GenerateEvent, EachTypeAndItsOptions) {
  TempDir dir;
  RunResult r =
      run_stratus(dir.path(), {"generate-event", "-t", "aws:sqs", "-b", "hello", "--queue", "jobs"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json e = json::parse(r.out);
  EXPECT_EQ(e["Records"][0]["body"], "hello");
  EXPECT_EQ(e["Records"][0]["eventSource"], "aws:sqs");
  EXPECT_EQ(e["Records"][0]["eventSourceARN"], "arn:aws:sqs:us-east-1:000000000000:jobs");

  r = run_stratus(dir.path(),
                  {"generate-event", "-t", "aws:s3", "--bucket", "photos", "--key", "in/a b.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  e = json::parse(r.out);
  EXPECT_EQ(e["Records"][0]["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(e["Records"][0]["s3"]["bucket"]["name"], "photos");
  EXPECT_EQ(e["Records"][0]["s3"]["object"]["key"], "in/a+b.txt");
  EXPECT_EQ(e["Records"][0]["s3"]["configurationId"], "testConfigRule");

  r = run_stratus(dir.path(), {"generate-event", "-t", "aws:apiGateway", "--path", "/items/7?x=1", "--method",
                               "POST", "-b", R"({"a":1})", "--header", "X-Trace: abc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  e = json::parse(r.out);
  EXPECT_EQ(e["httpMethod"], "POST");
  EXPECT_EQ(e["path"], "/items/7");
  EXPECT_EQ(e["queryStringParameters"], json::parse(R"({"x":"1"})"));
  EXPECT_EQ(e["headers"]["X-Trace"], "abc");
  EXPECT_EQ(e["body"], R"({"a":1})");
  EXPECT_EQ(e["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(e["requestContext"]["path"], "/dev/items/7");

  r = run_stratus(dir.path(), {"generate-event", "-t", "aws:httpApi", "--path", "/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["version"], "2.0");
  // A body that is not JSON is not labelled as JSON.
  r = run_stratus(dir.path(), {"generate-event", "-t", "aws:httpApi", "--path", "/", "-b", "hello"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  e = json::parse(r.out);
  EXPECT_EQ(e["headers"]["content-type"], "text/plain");
  EXPECT_EQ(e["body"], "hello");

  r = run_stratus(dir.path(),
                  {"generate-event", "-t", "aws:schedule", "--rule", "nightly", "--region", "eu-west-1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  e = json::parse(r.out);
  EXPECT_EQ(e["detail-type"], "Scheduled Event");
  EXPECT_EQ(e["resources"], json::parse(R"(["arn:aws:events:eu-west-1:000000000000:rule/nightly"])"));
  EXPECT_EQ(e["time"].get<std::string>().size(), 20u);  // 2026-11-23T02:40:00Z: no fractions
}

TEST(GenerateEvent, PipedIntoInvokeLocal) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: gen\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  f:\n    handler: h.f\n");
  dir.write("h.py", "def f(event, context):\n    return event['Records'][0]['body']\n");
  const RunResult sample =
      run_stratus(dir.path(), {"generate-event", "-t", "aws:sqs", "-b", "from the queue"});
  ASSERT_EQ(sample.exit_code, 0) << sample.err;
  const RunResult r = run_stratus(dir.path(), {"invoke", "local", "-f", "f"}, {}, sample.out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), "from the queue");
}

TEST(GenerateEvent, BadInputIsAUsageError) {
  TempDir dir;
  RunResult r = run_stratus(dir.path(), {"generate-event", "-t", "aws:kafka"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("aws:kafka"), std::string::npos) << r.err;
  r = run_stratus(dir.path(), {"generate-event", "-t", "aws:httpApi", "--header", "no-colon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--header 'no-colon' must be NAME:VALUE"), std::string::npos) << r.err;
  r = run_stratus(dir.path(), {"generate-event", "-t", "aws:apiGateway", "--path", "items"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--path must start with '/'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace stratus::e2e
