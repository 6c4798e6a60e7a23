// The pure half of the function planner: names, the role policy, desired settings, differences and
// the one warning. No network: the Target has no client.
#include "cli/deploy/functions.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::deploy {
namespace {

using manifest::Value;

manifest::Service two_functions() {
  manifest::Service s;
  s.name = "shop";
  s.provider.stage = "dev";
  s.config_file = "/tmp/shop/serverless.yml";
  for (const char* key : {"hello", "world"}) {
    manifest::Function f;
    f.key = key;
    f.name = std::string("shop-dev-") + key;
    f.handler = "handler.main";
    f.runtime = "python3.12";
    f.architecture = "x86_64";
    f.memory_size = 256;
    f.timeout = 10;
    s.functions.push_back(f);
  }
  return s;
}

Target target_of(const manifest::Service& s) {
  Target t;
  t.region = "eu-west-1";
  t.account_id = "123456789012";
  t.service = s.name;
  t.stage = s.provider.stage;
  t.tags = {{kServiceTag, s.name}, {kStageTag, s.provider.stage}, {"team", "web"}};
  for (const auto& f : s.functions) t.functions.push_back({f.key, f.name, "", ""});
  return t;
}

Artifacts zips(const manifest::Service& s, std::uint64_t size = 1000) {
  Artifacts a;
  for (const auto& f : s.functions) a[f.key] = {"/tmp/shop/.stratus/shop.zip", size, "abc="};
  return a;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DeployFunctions, RoleNameFollowsTheServerlessFramework) {
  manifest::Service s = two_functions();
  EXPECT_EQ(managed_role_name(s, "dev", "eu-west-1"), "shop-dev-eu-west-1-lambdaRole");
  s.name = std::string(60, 'x');
  EXPECT_EQ(error_of([&] { managed_role_name(s, "dev", "eu-west-1"); }),
            "the IAM role name '" + s.name +
                "-dev-eu-west-1-lambdaRole' is 85 characters, over IAM's 64; set "
                "provider.iam.role.name to a shorter one");
  Value role = Value::map();
  role.set("name", Value("short"));
  s.provider.iam.set("role", role);
  EXPECT_EQ(managed_role_name(s, "dev", "eu-west-1"), "short");
}

TEST(DeployFunctions, RolePolicyHasLogsForEachFunctionAndTheUserStatements) {
  manifest::Service s = two_functions();
  Value statement = Value::map();
  statement.set("Effect", Value("Allow"));
  statement.set("Action", Value("s3:GetObject"));
  statement.set("Resource", Value("arn:aws:s3:::bucket/*"));
  Value statements = Value::sequence();
  statements.push_back(statement);
  Value role = Value::map();
  role.set("statements", statements);
  s.provider.iam.set("role", role);
  auto doc = nlohmann::json::parse(role_policy_document(target_of(s), s));
  ASSERT_EQ(doc["Statement"].size(), 3u);
  EXPECT_EQ(doc["Statement"][0]["Resource"][0],
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/shop-dev-hello:*");
  EXPECT_EQ(doc["Statement"][0]["Resource"][1],
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/shop-dev-world:*");
  EXPECT_EQ(doc["Statement"][1]["Action"][0], "logs:PutLogEvents");
  EXPECT_EQ(doc["Statement"][2]["Action"], "s3:GetObject");
}

TEST(DeployFunctions, AnIntrinsicInAStatementIsAnError) {
  manifest::Service s = two_functions();
  Value getatt = Value::map();
  getatt.set("Fn::GetAtt", Value("Queue.Arn"));
  Value statement = Value::map();
  statement.set("Resource", getatt);
  Value statements = Value::sequence();
  statements.push_back(statement);
  Value role = Value::map();
  role.set("statements", statements);
  s.provider.iam.set("role", role);
  EXPECT_EQ(
      error_of([&] { role_policy_document(target_of(s), s); }),
      "provider.iam.role.statements[0] uses the CloudFormation intrinsic Fn::GetAtt, which stratus cannot "
      "resolve (it deploys without CloudFormation); write the value itself, or take it from ${env:...}, "
      "${param:...} or ${ssm:...}");
}

TEST(DeployFunctions, ARoleArnIsUsedAsIsAndNoRoleIsManaged) {
  manifest::Service s = two_functions();
  s.provider.iam.set("role", Value("arn:aws:iam::123456789012:role/given"));
  EXPECT_FALSE(managed_role(target_of(s), s));
  auto desired = desired_functions(target_of(s), s, zips(s), "");
  EXPECT_EQ(desired[0].settings.role, "arn:aws:iam::123456789012:role/given");
}

TEST(DeployFunctions, ARoleThatIsNotAnArnIsAnError) {
  manifest::Service s = two_functions();
  s.functions[0].role = "MyRole";
  s.functions[0].mark = {"/tmp/shop/serverless.yml", 7, 3};
  EXPECT_EQ(
      error_of([&] { managed_role(target_of(s), s); }),
      "serverless.yml:7: functions.hello.role 'MyRole' is not an ARN; stratus deploys without "
      "CloudFormation, "
      "so a role is given as arn:aws:iam::<account>:role/<name> (or left out for the service's own role)");
}

TEST(DeployFunctions, DesiredSettingsComeFromTheManifest) {
  manifest::Service s = two_functions();
  s.functions[0].environment.set("TABLE", Value("orders"));
  s.functions[0].environment.set("LIMIT", Value(5));
  s.functions[0].tags.set("owner", Value("ana"));
  s.functions[0].reserved_concurrency = 3;
  s.functions[0].url = Value(true);
  const Target t = target_of(s);
  auto role = managed_role(t, s);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->arn, "arn:aws:iam::123456789012:role/shop-dev-eu-west-1-lambdaRole");
  auto desired = desired_functions(t, s, zips(s), role->arn);
  ASSERT_EQ(desired.size(), 2u);
  const DesiredFunction& d = desired[0];
  EXPECT_EQ(d.arn, "arn:aws:lambda:eu-west-1:123456789012:function:shop-dev-hello");
  EXPECT_EQ(d.settings.environment,
            (std::map<std::string, std::string>{{"LIMIT", "5"}, {"TABLE", "orders"}}));
  EXPECT_EQ(d.settings.memory_size, 256);
  EXPECT_EQ(d.settings.role, role->arn);
  EXPECT_EQ(d.tags.at("owner"), "ana");
  EXPECT_EQ(d.tags.at("team"), "web");
  EXPECT_EQ(d.tags.at(kServiceTag), "shop");
  EXPECT_EQ(d.reserved_concurrency, 3);
  EXPECT_EQ(d.url_auth, "NONE");
  EXPECT_FALSE(desired[1].url_auth);
}

TEST(DeployFunctions, AnEnvironmentIntrinsicIsAnErrorNamingThePlace) {
  manifest::Service s = two_functions();
  Value ref = Value::map();
  ref.set("Ref", Value("Queue"));
  s.functions[1].environment.set("QUEUE", ref, {"/tmp/shop/serverless.yml", 12, 9});
  EXPECT_EQ(
      error_of([&] { desired_functions(target_of(s), s, zips(s), "arn:role"); }),
      "serverless.yml:12: functions.world.environment.QUEUE uses the CloudFormation intrinsic Ref, which "
      "stratus cannot resolve (it deploys without CloudFormation); write the value itself, or take it from "
      "${env:...}, ${param:...} or ${ssm:...}");
}

TEST(DeployFunctions, DestinationsAreArnsOrFunctionsOfTheService) {
  manifest::Service s = two_functions();
  s.functions[0].maximum_retry_attempts = 0;
  Value destinations = Value::map();
  destinations.set("onSuccess", Value("world"));
  Value typed = Value::map();
  typed.set("type", Value("sqs"));
  typed.set("arn", Value("arn:aws:sqs:eu-west-1:123456789012:failed"));
  destinations.set("onFailure", typed);
  s.functions[0].destinations = destinations;
  std::vector<DesiredFunction> d = desired_functions(target_of(s), s, zips(s), "arn:role");
  ASSERT_TRUE(d[0].async.has_value());
  EXPECT_EQ(d[0].async->maximum_retry_attempts, 0);
  EXPECT_FALSE(d[0].async->maximum_event_age.has_value());
  EXPECT_EQ(d[0].async->on_success, "arn:aws:lambda:eu-west-1:123456789012:function:shop-dev-world");
  EXPECT_EQ(d[0].async->on_failure, "arn:aws:sqs:eu-west-1:123456789012:failed");
  EXPECT_FALSE(d[1].async.has_value());
}

TEST(DeployFunctions, ADestinationThatCannotBeResolvedIsAnErrorNamingThePlace) {
  manifest::Service s = two_functions();
  s.functions[0].mark = {"/tmp/shop/serverless.yml", 7, 3};
  Value destinations = Value::map();
  destinations.set("onSuccess", Value("nowhere"));
  s.functions[0].destinations = destinations;
  EXPECT_EQ(
      error_of([&] { desired_functions(target_of(s), s, zips(s), "arn:role"); }),
      "serverless.yml:7: functions.hello.destinations.onSuccess 'nowhere' is neither an ARN nor a function "
      "of this service; give the destination's ARN (arn:aws:sqs:..., arn:aws:sns:..., arn:aws:lambda:..., "
      "arn:aws:events:...) or a function key");
  Value get_att = Value::map();
  Value att = Value::sequence();
  att.push_back(Value("Failed"));
  att.push_back(Value("Arn"));
  get_att.set("Fn::GetAtt", att);
  destinations = Value::map();
  destinations.set("onFailure", get_att);
  s.functions[0].destinations = destinations;
  EXPECT_EQ(error_of([&] { desired_functions(target_of(s), s, zips(s), "arn:role"); }),
            "serverless.yml:7: functions.hello.destinations.onFailure uses the CloudFormation intrinsic "
            "Fn::GetAtt, which stratus cannot resolve (it deploys without CloudFormation); write the value "
            "itself, or take it from ${env:...}, ${param:...} or ${ssm:...}");
}

TEST(DeployFunctions, AZipOverTheDirectUploadLimitIsAnError) {
  manifest::Service s = two_functions();
  EXPECT_EQ(
      error_of([&] { desired_functions(target_of(s), s, zips(s, 60'000'000), "arn:role"); }),
      "functions.hello: its zip shop.zip is 60.0 MB, over Lambda's 50 MB limit for a zip uploaded directly; "
      "make it smaller (package.patterns to leave files out, layers for large dependencies)");
}

TEST(DeployFunctions, SettingsDifferencesNameWhatChanged) {
  aws::LambdaSettings a;
  a.runtime = "python3.12";
  a.memory_size = 256;
  aws::LambdaSettings b = a;
  EXPECT_TRUE(settings_differences(a, b).empty());
  b.memory_size = 128;
  b.environment["X"] = "1";
  EXPECT_EQ(settings_differences(a, b), (std::vector<std::string>{"memory 128 -> 256", "environment"}));
}

TEST(DeployFunctions, UnsupportedSettingsAreNamedInOneWarning) {
  manifest::Service s = two_functions();
  EXPECT_EQ(unsupported_warning(target_of(s), s), "");
  s.functions[0].provisioned_concurrency = 2;  // deployed: a version behind alias `provisioned`
  s.functions[1].layers.push_back(Value("arn:aws:lambda:eu-west-1:123456789012:layer:x:1"));
  s.functions[1].image = "repo/image:latest";
  EXPECT_EQ(unsupported_warning(target_of(s), s),
            "not deployed yet, left out: functions.world.image (container image functions), "
            "functions.world.layers");
  Target platform = target_of(s);
  platform.platform = true;
  s.functions[0].reserved_concurrency = 1;
  EXPECT_NE(unsupported_warning(platform, s)
                .find("functions.hello.reservedConcurrency (the platform has no "
                      "concurrency API)"),
            std::string::npos);
  // The asynchronous settings the function sets, and only those.
  s.functions[0].maximum_event_age = 120;
  EXPECT_NE(unsupported_warning(platform, s)
                .find("functions.hello.maximumEventAge (the platform has no asynchronous invocation settings "
                      "API)"),
            std::string::npos)
      << unsupported_warning(platform, s);
  s.functions[0].maximum_retry_attempts = 0;
  EXPECT_NE(unsupported_warning(platform, s).find("functions.hello.maximumRetryAttempts, maximumEventAge ("),
            std::string::npos);
}

TEST(DeployFunctions, PlatformFunctionsGetAPlaceholderRole) {
  manifest::Service s = two_functions();
  Target t = target_of(s);
  t.platform = true;
  EXPECT_FALSE(managed_role(t, s));
  EXPECT_EQ(desired_functions(t, s, zips(s), "")[0].settings.role,
            "arn:aws:iam::123456789012:role/stratus-platform");
}

TEST(DeployFunctions, HexBecomesBase64) {
  EXPECT_EQ(hex_to_base64("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(hex_to_base64("xyz"), "");
}

}  // namespace
}  // namespace stratus::deploy
