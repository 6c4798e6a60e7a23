// `stratus deploy` to a `stratus serve` platform (provider stratus): deploy, invoke, an unchanged
// redeploy, logs, info, remove; the other account sees none of it; a schedule is named as not deployed.
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace stratus::e2e
