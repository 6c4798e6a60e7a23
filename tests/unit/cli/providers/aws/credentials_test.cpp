#include "cli/providers/aws/credentials.hpp"

#include <gtest/gtest.h>

#include <map>

#include "cli/errors.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::aws {
namespace {

class Credentials : public ::testing::Test {
 protected:
  CredentialOptions options() {
    CredentialOptions o;
    o.home = m_home.path().string();
    o.env = [this](const std::string& name) -> std::optional<std::string> {
      auto it = m_env.find(name);
      if (it == m_env.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }
  void credentials_file(const std::string& text) { m_home.write(".aws/credentials", text); }
  void config_file(const std::string& text) { m_home.write(".aws/config", text); }
  std::string error_of(const CredentialOptions& o) {
    try {
      resolve_credentials(o);
    } catch (const UserError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::string home() const { return m_home.path().string(); }

  test_support::TempDir m_home;
  std::map<std::string, std::string> m_env;
};

TEST_F(Credentials, EnvironmentKeysWinOverTheDefaultProfile) {
  credentials_file("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  m_env = {
      {"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}, {"AWS_SESSION_TOKEN", "tok"}};
  ResolvedCredentials c = resolve_credentials(options());
  EXPECT_EQ(c.credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(c.credentials.secret_access_key, "envsecret");
  EXPECT_EQ(c.credentials.session_token, "tok");
  EXPECT_EQ(c.credentials_source, "environment");
  EXPECT_EQ(c.profile, "");
}

TEST_F(Credentials, ProfileFlagIgnoresEnvironmentKeys) {
  credentials_file("[dev]\naws_access_key_id=DEVKEY\naws_secret_access_key=devsecret\naws_session_token=t\n");
  m_env = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}};
  auto o = options();
  o.profile_flag = "dev";
  ResolvedCredentials c = resolve_credentials(o);
  EXPECT_EQ(c.credentials.access_key_id, "DEVKEY");
  EXPECT_EQ(c.credentials.session_token, "t");
  EXPECT_EQ(c.profile, "dev");
  EXPECT_EQ(c.credentials_source, home() + "/.aws/credentials [dev]");
}

TEST_F(Credentials, AwsProfileThenAwsDefaultProfileThenManifestProfile) {
  credentials_file(
      "[a]\naws_access_key_id=A\naws_secret_access_key=s\n[b]\naws_access_key_id=B\naws_secret_access_key=s\n"
      "[m]\naws_access_key_id=M\naws_secret_access_key=s\n");
  auto o = options();
  o.manifest_profile = "m";
  EXPECT_EQ(resolve_credentials(o).credentials.access_key_id, "M");
  m_env["AWS_DEFAULT_PROFILE"] = "b";
  EXPECT_EQ(resolve_credentials(options()).credentials.access_key_id, "B");
  m_env["AWS_PROFILE"] = "a";
  EXPECT_EQ(resolve_credentials(options()).credentials.access_key_id, "A");
}

TEST_F(Credentials, ConfigFileProfilesUseTheProfilePrefixAndGiveTheRegion) {
  config_file(
      "# comment\n[default]\nregion = eu-west-1\n[profile ci]\nregion=ap-south-1\naws_access_key_id = CI\n"
      "aws_secret_access_key = cisecret\ns3 =\n  max_concurrent_requests = 10\n[ci]\naws_access_key_id = "
      "WRONG\n");
  auto o = options();
  o.profile_flag = "ci";
  ResolvedCredentials c = resolve_credentials(o);
  EXPECT_EQ(c.credentials.access_key_id, "CI");
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.region_source, home() + "/.aws/config [ci]");
  EXPECT_EQ(resolve_region(options()), "eu-west-1");
}

TEST_F(Credentials, CredentialsFileBeatsConfigFileForTheSameProfile) {
  credentials_file("[default]\naws_access_key_id=CREDS\naws_secret_access_key=s\n");
  config_file("[default]\naws_access_key_id=CONFIG\naws_secret_access_key=s\n");
  EXPECT_EQ(resolve_credentials(options()).credentials.access_key_id, "CREDS");
}

TEST_F(Credentials, FileLocationsComeFromTheEnvironment) {
  m_home.write("elsewhere/creds", "[default]\naws_access_key_id=ELSE\naws_secret_access_key=s\n");
  m_home.write("elsewhere/conf", "[default]\nregion=sa-east-1\n");
  m_env["AWS_SHARED_CREDENTIALS_FILE"] = home() + "/elsewhere/creds";
  m_env["AWS_CONFIG_FILE"] = "~/elsewhere/conf";
  m_env["HOME"] = home();
  auto o = options();
  o.home.clear();
  ResolvedCredentials c = resolve_credentials(o);
  EXPECT_EQ(c.credentials.access_key_id, "ELSE");
  EXPECT_EQ(c.region, "sa-east-1");
}

TEST_F(Credentials, RegionPrecedence) {
  config_file("[default]\nregion=from-config\n");
  credentials_file("[default]\naws_access_key_id=K\naws_secret_access_key=s\n");
  auto o = options();
  EXPECT_EQ(resolve_credentials(o).region, "from-config");
  o.manifest_region = "from-manifest";
  EXPECT_EQ(resolve_credentials(o).region_source, "provider.region");
  m_env["AWS_DEFAULT_REGION"] = "from-default-env";
  EXPECT_EQ(resolve_credentials(o).region, "from-default-env");
  m_env["AWS_REGION"] = "from-env";
  EXPECT_EQ(resolve_credentials(o).region, "from-env");
  o.region_flag = "from-flag";
  EXPECT_EQ(resolve_credentials(o).region, "from-flag");
  EXPECT_EQ(resolve_credentials(o).region_source, "--region");
}

TEST_F(Credentials, RegionDefaultsToUsEast1) {
  credentials_file("[default]\naws_access_key_id=K\naws_secret_access_key=s\n");
  ResolvedCredentials c = resolve_credentials(options());
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.region_source, "default");
}

TEST_F(Credentials, NothingFoundNamesBothFilesAndTheFix) {
  EXPECT_EQ(error_of(options()),
            "no AWS credentials found: AWS_ACCESS_KEY_ID is not set and there is no [default] profile in " +
                home() + "/.aws/credentials (no such file) or " + home() +
                "/.aws/config (no such file); fix: run `aws configure`, set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or name a profile with --aws-profile");
}

TEST_F(Credentials, UnknownProfileListsTheProfilesThere) {
  credentials_file("[default]\naws_access_key_id=K\naws_secret_access_key=s\n");
  config_file("[profile prod]\nregion=us-west-2\n");
  m_env["AWS_PROFILE"] = "staging";
  EXPECT_EQ(error_of(options()), "AWS profile 'staging' (from AWS_PROFILE) not found in " + home() +
                                     "/.aws/credentials or " + home() +
                                     "/.aws/config (profiles there: default, prod); fix: add it with `aws "
                                     "configure --profile staging`, or name another profile");
}

TEST_F(Credentials, HalfAKeyPairIsAnErrorWithoutTheSecret) {
  credentials_file("[default]\naws_access_key_id=ONLYKEY\n");
  EXPECT_EQ(error_of(options()), "AWS profile 'default' in " + home() +
                                     "/.aws/credentials has aws_access_key_id but no aws_secret_access_key; "
                                     "fix: add the missing line, or run `aws configure --profile default`");
  m_env["AWS_SECRET_ACCESS_KEY"] = "supersecretvalue";
  std::string message = error_of(options());
  EXPECT_EQ(message,
            "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or unset it to use a "
            "profile from " +
                home() + "/.aws/credentials");
  EXPECT_EQ(message.find("supersecretvalue"), std::string::npos);
}

TEST_F(Credentials, RoleProfilesAreNamedAsUnsupported) {
  config_file("[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\n");
  auto o = options();
  o.profile_flag = "admin";
  EXPECT_EQ(
      error_of(o),
      "AWS profile 'admin' (from --aws-profile) uses role_arn, which stratus does not support yet; fix: "
      "export "
      "temporary keys with `aws configure export-credentials --profile admin --format env` and run again");
}

TEST_F(Credentials, ErrorsNeverContainSecrets) {
  credentials_file("[default]\naws_secret_access_key = hush-hush-secret\n");
  std::string message = error_of(options());
  EXPECT_NE(message.find("has aws_secret_access_key but no aws_access_key_id"), std::string::npos);
  EXPECT_EQ(message.find("hush-hush-secret"), std::string::npos);
}

// ---- endpoints -------------------------------------------------------------------------------

TEST(Endpoints, DefaultsAreAwsHostsWithTheirSigningNames) {
  auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  Endpoint lambda = resolve_endpoint("lambda", "eu-west-1", "", none);
  EXPECT_EQ(lambda.url, "https://lambda.eu-west-1.amazonaws.com");
  EXPECT_EQ(lambda.signing_region, "eu-west-1");
  EXPECT_EQ(lambda.source, "default");
  Endpoint api = resolve_endpoint("apigatewayv2", "eu-west-1", "", none);
  EXPECT_EQ(api.url, "https://apigateway.eu-west-1.amazonaws.com");
  EXPECT_EQ(api.signing_service, "apigateway");
  EXPECT_EQ(resolve_endpoint("events", "us-west-2", "", none).url, "https://events.us-west-2.amazonaws.com");
  Endpoint iam = resolve_endpoint("iam", "eu-west-1", "", none);
  EXPECT_EQ(iam.url, "https://iam.amazonaws.com");
  EXPECT_EQ(iam.signing_region, "us-east-1");
  EXPECT_EQ(resolve_endpoint("lambda", "cn-north-1", "", none).url,
            "https://lambda.cn-north-1.amazonaws.com.cn");
  EXPECT_THROW(resolve_endpoint("nope", "us-east-1", "", none), std::invalid_argument);
}

TEST(Endpoints, OverrideThenServiceVariableThenGlobalVariable) {
  std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566/"},
                                            {"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:3002"},
                                            {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs.local"}};
  EnvLookup lookup = [&](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_EQ(resolve_endpoint("lambda", "us-east-1", "http://serve:9000", lookup).source, "--endpoint");
  Endpoint lambda = resolve_endpoint("lambda", "us-east-1", "", lookup);
  EXPECT_EQ(lambda.url, "http://127.0.0.1:3002");
  EXPECT_EQ(lambda.source, "AWS_ENDPOINT_URL_LAMBDA");
  Endpoint events = resolve_endpoint("events", "us-east-1", "", lookup);
  EXPECT_EQ(events.url, "http://127.0.0.1:4566");
  EXPECT_EQ(events.source, "AWS_ENDPOINT_URL");
  EXPECT_EQ(resolve_endpoint("logs", "us-east-1", "", lookup).url, "http://logs.local");
  env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(resolve_endpoint("lambda", "us-east-1", "", lookup).url,
            "https://lambda.us-east-1.amazonaws.com");
}

TEST(Endpoints, VariableNamesFollowTheServiceId) {
  EXPECT_EQ(endpoint_variable("Lambda"), "AWS_ENDPOINT_URL_LAMBDA");
  EXPECT_EQ(endpoint_variable("ApiGatewayV2"), "AWS_ENDPOINT_URL_APIGATEWAYV2");
  EXPECT_EQ(endpoint_variable("EventBridge"), "AWS_ENDPOINT_URL_EVENTBRIDGE");
  EXPECT_EQ(endpoint_variable("CloudWatch Logs"), "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
}

}  // namespace
}  // namespace stratus::aws
