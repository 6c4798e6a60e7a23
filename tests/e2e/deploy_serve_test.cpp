// `stratus deploy` to a `stratus serve` platform (provider stratus): deploy, invoke, an unchanged
// redeploy, logs, info, remove; the other account sees none of it; a schedule is named as not deployed.
// provisionedConcurrency deployed as a version behind alias `provisioned`, with warm instances.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/e2e/platform_fixture.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

class DeployServeTest : public PlatformTest {};

TEST_F(DeployServeTest, DeployInvokeRedeployLogsInfoAndRemove) {
  m_dir.write("svc/serverless.yml",
              "service: app\nprovider:\n  name: stratus\n  endpoint: " + m_endpoint +
                  "\n  runtime: python3.12\nfunctions:\n  hello:\n    handler: app.handler\n"
                  "    url: true\n    events:\n      - schedule: rate(1 hour)\n");
  m_dir.write("svc/app.py",
              "def handler(event, context):\n    print('seen', event)\n    return {'hi': event}\n");

  RunResult first = stratus({"deploy"});
  ASSERT_EQ(first.exit_code, 0) << first.err << m_serve->err();
  EXPECT_EQ(first.err.find("is not aws"), std::string::npos) << first.err;
  EXPECT_NE(
      first.err.find("events not deployed (a stratus serve platform speaks Lambda's API only): schedule"),
      std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("create function app-dev-hello"), std::string::npos) << first.err;

  RunResult called = stratus({"invoke", "-f", "hello", "-d", R"({"a":1})"});
  ASSERT_EQ(called.exit_code, 0) << called.err;
  EXPECT_EQ(json::parse(called.out), json::parse(R"({"hi":{"a":1}})"));
  RunResult listed = aws({"lambda", "list-functions"}, "bob");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(json::parse(listed.out)["Functions"], json::array()) << "bob's account sees nothing of alice's";

  RunResult again = stratus({"deploy", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["actions"], json::array()) << again.out;

  RunResult logs = stratus({"logs", "-f", "hello"});
  ASSERT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("seen {'a': 1}"), std::string::npos) << logs.out;

  RunResult info = stratus({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json described = json::parse(info.out);
  EXPECT_EQ(described["functions"][0]["deployed"], true);
  EXPECT_EQ(described["functions"][0]["codeMatchesLocal"], true);
  EXPECT_TRUE(described["functions"][0]["url"].is_string()) << info.out;

  RunResult removed = stratus({"remove"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  RunResult after = aws({"lambda", "list-functions"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(json::parse(after.out)["Functions"], json::array());
}

// The platform keeps provisioned instances warm, so the whole path is checked end to end: the version
// and alias published, READY with the instances' init done before any call, an unchanged redeploy
// that does nothing, new code moving the alias, and the alias removed with the setting.
TEST_F(DeployServeTest, ProvisionedConcurrencyIsAVersionBehindAliasProvisioned) {
  const std::string manifest = "service: app\nprovider:\n  name: stratus\n  endpoint: " + m_endpoint +
                               "\n  runtime: python3.12\nfunctions:\n  hello:\n    handler: app.handler\n";
  m_dir.write("svc/serverless.yml", manifest + "    provisionedConcurrency: 2\n");
  m_dir.write("svc/app.py",
              "import os\nWARM = os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']\n"
              "def handler(event, context):\n    return {'v': 1, 'init': WARM}\n");

  RunResult first = stratus({"deploy", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err << m_serve->err();
  EXPECT_EQ(json::parse(first.out)["actions"],
            json::array({"create function app-dev-hello",
                         "publish a version of app-dev-hello for alias provisioned",
                         "set provisioned concurrency of app-dev-hello:provisioned to 2"}))
      << first.out;
  EXPECT_EQ(first.err.find("provisionedConcurrency"), std::string::npos)
      << "not named as left out: " << first.err;

  json pc;
  for (int i = 0; i < 150; ++i) {  // two python inits: well under 15 s
    RunResult info = stratus({"info", "--json"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    pc = json::parse(info.out)["functions"][0]["provisionedConcurrency"];
    if (pc.is_object() && pc["status"] == "READY") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(pc, json::parse(R"({"alias":"provisioned","version":"1","requested":2,"allocated":2,"available":2,
                                "status":"READY"})"));

  RunResult warm = stratus({"invoke", "-f", "hello", "--qualifier", "provisioned"});
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_EQ(json::parse(warm.out), json::parse(R"({"v":1,"init":"provisioned-concurrency"})")) << warm.out;

  RunResult again = stratus({"deploy", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["actions"], json::array()) << again.out;

  m_dir.write("svc/app.py", "def handler(event, context):\n    return {'v': 2}\n");
  RunResult changed = stratus({"deploy", "--json"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(json::parse(changed.out)["actions"],
            json::array(
                {"update code of app-dev-hello", "publish a version of app-dev-hello for alias provisioned"}))
      << changed.out;
  RunResult moved = stratus({"invoke", "-f", "hello", "--qualifier", "provisioned"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(json::parse(moved.out), json::parse(R"({"v":2})")) << moved.out;
  RunResult alias = aws({"lambda", "get-alias", "--function-name", "app-dev-hello", "--name", "provisioned"});
  ASSERT_EQ(alias.exit_code, 0) << alias.err;
  EXPECT_EQ(json::parse(alias.out)["FunctionVersion"], "2");

  m_dir.write("svc/serverless.yml", manifest);
  RunResult dropped = stratus({"deploy", "--json"});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_EQ(json::parse(dropped.out)["actions"],
            json::array({"delete alias provisioned of app-dev-hello (no provisionedConcurrency)"}))
      << dropped.out;
  RunResult gone = aws({"lambda", "get-alias", "--function-name", "app-dev-hello", "--name", "provisioned"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("ResourceNotFoundException"), std::string::npos) << gone.err;
}

}  // namespace
}  // namespace stratus::e2e
