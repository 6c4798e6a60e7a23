// `stratus invoke -f` against a `stratus serve` platform: the function deployed with the aws CLI,
// invoked from a service folder whose manifest says provider stratus + endpoint.
#include <nlohmann/json.hpp>

#include "tests/e2e/platform_fixture.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

constexpr const char* kApp =
    "import json\n"
    "def handler(event, context):\n"
    "    print('got event', json.dumps(event))\n"
    "    if isinstance(event, dict) and event.get('fail'):\n"
    "        raise Exception('boom')\n"
    "    return {'got': event}\n";

class InvokeRemoteTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    if (HasFatalFailure()) return;
    create_function("app-dev-hello", kApp);
  }
};

TEST_F(InvokeRemoteTest, DataPathAndStdoutPayload) {
  RunResult r = stratus({"invoke", "-f", "hello", "-d", R"({"a":1})"});
  ASSERT_EQ(r.exit_code, 0) << r.err << m_serve->err();
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"got":{"a":1}})"));

  m_dir.write("svc/event.json", R"({"from":"file"})");
  r = stratus({"invoke", "-f", "hello", "--path", "event.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"got":{"from":"file"}})"));

  r = stratus({"invoke", "-f", "hello"});  // no event: {}
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"got":{}})"));
}

TEST_F(InvokeRemoteTest, EventAndDryRunTypes) {
  RunResult r = stratus({"invoke", "-f", "hello", "--type", "Event", "-d", "{}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("stratus: hello (app-dev-hello) invoked asynchronously (202 Accepted)"),
            std::string::npos)
      << r.err;
  r = stratus({"invoke", "-f", "hello", "--type", "DryRun"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("stratus: DryRun: hello (app-dev-hello) may be invoked (204)"), std::string::npos)
      << r.err;
  r = stratus({"invoke", "-f", "hello", "--type", "Sync"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--type: Sync not in {RequestResponse,Event,DryRun}"), std::string::npos) << r.err;
}

TEST_F(InvokeRemoteTest, LogTailGoesToStderr) {
  RunResult r = stratus({"invoke", "-f", "hello", "--log", "-d", R"({"marker":"m-123"})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"got":{"marker":"m-123"}})"));
  EXPECT_NE(r.err.find("START RequestId: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("got event {\"marker\": \"m-123\"}"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("REPORT RequestId: "), std::string::npos) << r.err;
}

TEST_F(InvokeRemoteTest, FunctionErrorExitsOneWithThePayload) {
  RunResult r = stratus({"invoke", "-f", "hello", "-d", R"({"fail":true})"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const json payload = json::parse(r.out);
  EXPECT_EQ(payload["errorMessage"], "boom");
  EXPECT_EQ(payload["errorType"], "Exception");
  EXPECT_NE(r.err.find("stratus: hello (app-dev-hello) failed: Unhandled"), std::string::npos) << r.err;
}

TEST_F(InvokeRemoteTest, JsonOutput) {
  RunResult r = stratus({"invoke", "-f", "hello", "--log", "--json", "-d", R"({"b":2})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["StatusCode"], 200);
  EXPECT_EQ(out["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(out["Payload"], json::parse(R"({"got":{"b":2}})"));
  EXPECT_FALSE(out.contains("FunctionError"));
  EXPECT_NE(out["LogResult"].get<std::string>().find("got event {\"b\": 2}"), std::string::npos);

  r = stratus({"invoke", "-f", "hello", "--json", "-d", R"({"fail":true})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json::parse(r.out)["FunctionError"], "Unhandled");
}

TEST_F(InvokeRemoteTest, UndeployedAndUnknownFunctions) {
  // `renamed` is in the manifest (name: custom-name) but was never deployed.
  RunResult r = stratus({"invoke", "-f", "renamed"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invoke renamed (custom-name) failed: ResourceNotFoundException: Function not found: "
                       "arn:aws:lambda:us-east-1:111111111111:function:custom-name"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the function is not deployed there: deploy it first (stratus deploy)"),
            std::string::npos);

  // Another account's keys: alice's function is not there.
  r = stratus({"invoke", "-f", "hello"}, "bob");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Function not found: arn:aws:lambda:us-east-1:222222222222:function:app-dev-hello"),
            std::string::npos)
      << r.err;

  r = stratus({"invoke", "-f", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function 'nope' is not in serverless.yml"), std::string::npos) << r.err;

  r = stratus({"invoke"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find("stratus invoke needs -f FUNCTION (a function key in serverless.yml), or `invoke local`"),
      std::string::npos)
      << r.err;
}

TEST_F(InvokeRemoteTest, EndpointFlagAndWrongKeys) {
  // --endpoint wins over the manifest's (here: a port nobody listens on).
  m_dir.write(
      "svc/serverless.yml",
      "service: app\nprovider:\n  name: stratus\n  endpoint: http://127.0.0.1:1\n  region: us-east-1\n"
      "  runtime: python3.12\nfunctions:\n  hello:\n    handler: app.handler\n");
  RunResult r = stratus({"invoke", "-f", "hello", "--endpoint", m_endpoint, "-d", "{}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_stratus(m_dir.path() / "svc", {"invoke", "-f", "hello", "--endpoint", m_endpoint},
                  {{"AWS_ACCESS_KEY_ID", kAliceKey}, {"AWS_SECRET_ACCESS_KEY", "wrong-secret-0123456789"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invoke hello (app-dev-hello) failed: InvalidSignatureException"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace stratus::e2e
