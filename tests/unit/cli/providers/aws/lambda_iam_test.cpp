// The Lambda and IAM wrappers against moto: a failed call names what was being done and the
// operation ("cannot <doing> (<Operation>): <Code>: ..."), exit code 1; what is missing reads as
// absent where the wrapper says so; a public URL's two permission statements, added twice.
#include <set>

#include "cli/providers/aws/iam.hpp"
#include "cli/providers/aws/lambda.hpp"
#include "cli/providers/aws/lambda_triggers.hpp"
#include "cli/providers/aws/log_groups.hpp"
#include "tests/unit/cli/deploy/triggers_moto.hpp"

namespace stratus::deploy::testing {
namespace {

using LambdaIamMoto = TriggersMoto;

TEST_F(LambdaIamMoto, AFailedLambdaCallNamesTheOperationAndWhatWasBeingDone) {
  aws::LambdaApi lambda(*m_client);
  auto [message, code] = user_error([&] { lambda.update_function_code("ghost", "PK"); });
  EXPECT_TRUE(
      message.starts_with("cannot update the code of ghost (UpdateFunctionCode): "
                          "ResourceNotFoundException: "))
      << message;
  EXPECT_EQ(code, kExitFailure);
  std::tie(message, code) = user_error([&] { lambda.put_concurrency("ghost", 2); });
  EXPECT_TRUE(message.starts_with("cannot set the reserved concurrency of ghost (PutFunctionConcurrency): "))
      << message;
  EXPECT_FALSE(lambda.get_function("ghost").has_value());
  EXPECT_FALSE(lambda.get_url("svc-dev-hello").has_value());
}

TEST_F(LambdaIamMoto, AFailedIamCallNamesTheActionAndAMissingRoleIsAbsent) {
  aws::IamApi iam(*m_client);
  auto [message, code] = user_error([&] { iam.delete_role("ghost-role"); });
  EXPECT_TRUE(message.starts_with("cannot delete role ghost-role (DeleteRole): NoSuchEntity: ")) << message;
  EXPECT_EQ(code, kExitFailure);
  EXPECT_FALSE(iam.get_role("ghost-role").has_value());
  ASSERT_TRUE(iam.get_role("stratus-test-role").has_value());
}

TEST_F(LambdaIamMoto, APublicUrlGetsBothStatements) {
  aws::LambdaTriggers triggers(*m_client);
  triggers.allow_public_url("svc-dev-hello");
  std::set<std::string> sids;
  for (const auto& s : triggers.policy("svc-dev-hello")) sids.insert(s.sid);
  EXPECT_EQ(sids, (std::set<std::string>{"stratus-url-invoke", "stratus-url-invoke-url"}));

  auto [message, code] = user_error([&] { triggers.allow_public_url("ghost"); });
  EXPECT_TRUE(
      message.starts_with("cannot allow * to invoke function ghost (lambda:InvokeFunctionUrl): "
                          "ResourceNotFoundException: "))
      << message;
  EXPECT_EQ(code, kExitFailure);
}

TEST_F(LambdaIamMoto, LogGroupsFailWithTheActionAndAGoneGroupIsAlreadyRemoved) {
  aws::LogGroups logs(*m_client);
  auto [message, code] = user_error([&] { logs.put_retention("/aws/lambda/ghost", 14); });
  EXPECT_TRUE(
      message.starts_with("cannot set the retention of log group /aws/lambda/ghost to 14 days "
                          "(PutRetentionPolicy): ResourceNotFoundException"))
      << message;
  EXPECT_EQ(code, kExitFailure);
  EXPECT_FALSE(logs.find("/aws/lambda/ghost").has_value());
  logs.remove("/aws/lambda/ghost");  // not an error
  logs.create("/aws/lambda/ghost-2", {{"stratus:service", "svc"}});
  logs.put_retention("/aws/lambda/ghost-2", 7);
  EXPECT_FALSE(logs.find("/aws/lambda/ghost").has_value()) << "a prefix of another group is not that group";
  ASSERT_TRUE(logs.find("/aws/lambda/ghost-2").has_value());
  EXPECT_EQ(logs.find("/aws/lambda/ghost-2")->retention_days, 7);
  EXPECT_EQ(logs.tags("/aws/lambda/ghost-2").at("stratus:service"), "svc");
}

// moto keeps duplicate statement ids; AWS answers 409, which a URL's statements take as done.
TEST(LambdaUrlPermissions, StatementsAlreadyThereCountAsDoneAndTheBodiesAreAwsShaped) {
  std::vector<std::string> bodies;
  aws::ClientOptions o;
  o.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  o.endpoint_override = "http://127.0.0.1:9";
  o.transport = [&](const aws::HttpExchange& e) {
    bodies.push_back(e.body);
    return aws::HttpOutcome{
        409,
        {{"Content-Type", "application/json"}, {"x-amzn-ErrorType", "ResourceConflictException"}},
        R"({"Type":"User","Message":"The statement id provided already exists."})",
        ""};
  };
  aws::Client client(auth::Credentials{"AKIDTEST", "secret", ""}, o);
  aws::LambdaTriggers(client).allow_public_url("fn");
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(
      nlohmann::json::parse(bodies[0]),
      nlohmann::json::parse(R"({"StatementId":"stratus-url-invoke-url","Action":"lambda:InvokeFunctionUrl",
                                      "Principal":"*","FunctionUrlAuthType":"NONE"})"));
  EXPECT_EQ(nlohmann::json::parse(bodies[1]),
            nlohmann::json::parse(R"({"StatementId":"stratus-url-invoke","Action":"lambda:InvokeFunction",
                                      "Principal":"*","InvokedViaFunctionUrl":true})"));

  aws::PermissionRequest strict;  // without exists_ok a 409 is an error
  strict.function = "fn";
  strict.sid = "s";
  strict.principal = "events.amazonaws.com";
  auto [message, code] = user_error([&] { aws::LambdaTriggers(client).add_permission(strict); });
  EXPECT_TRUE(
      message.starts_with("cannot allow events.amazonaws.com to invoke function fn: "
                          "ResourceConflictException: The statement id provided already exists."))
      << message;
}

}  // namespace
}  // namespace stratus::deploy::testing
