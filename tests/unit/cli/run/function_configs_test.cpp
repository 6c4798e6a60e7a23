#include "cli/run/function_configs.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::run {
namespace {

using manifest::Value;

manifest::Function function(const std::string& key) {
  manifest::Function f;
  f.key = key;
  f.name = "svc-dev-" + key;
  f.handler = "handler." + key;
  return f;
}

Value ref(const std::string& logical) {
  Value v = Value::map();
  v.set("Ref", Value(logical));
  return v;
}

TEST(FunctionConfigs, CarryTheModelAndTheProviderDefaults) {
  manifest::Service service;
  service.dir = "/srv/app";
  service.provider.runtime = "python3.12";
  service.provider.region = "eu-west-1";
  auto a = function("a");
  a.memory_size = 256;
  a.timeout = 10;
  a.architecture = "arm64";
  a.reserved_concurrency = 5;
  a.provisioned_concurrency = 2;
  a.maximum_retry_attempts = 0;
  a.environment.set("TABLE", Value("orders"));
  a.environment.set("COUNT", Value(3));
  a.environment.set("ON", Value(true));
  auto b = function("b");
  b.runtime = "nodejs22.x";
  service.functions = {a, b};

  const FunctionConfigs out = function_configs(service, "123456789012");
  ASSERT_EQ(out.functions.size(), 2u);
  const auto& fa = out.functions[0];
  EXPECT_EQ(fa.name, "svc-dev-a");
  EXPECT_EQ(fa.short_name, "a");
  EXPECT_EQ(fa.runtime, "python3.12");
  EXPECT_EQ(fa.code_dir, "/srv/app");
  EXPECT_EQ(fa.memory_mb, 256);
  EXPECT_EQ(fa.timeout_s, 10);
  EXPECT_EQ(fa.architecture, "arm64");
  EXPECT_EQ(fa.reserved_concurrency, 5);
  EXPECT_EQ(fa.provisioned_concurrency, 2);
  EXPECT_EQ(fa.maximum_retry_attempts, 0);
  EXPECT_EQ(fa.arn(), "arn:aws:lambda:eu-west-1:123456789012:function:svc-dev-a");
  EXPECT_EQ(fa.environment, (std::vector<std::pair<std::string, std::string>>{
                                {"TABLE", "orders"}, {"COUNT", "3"}, {"ON", "true"}}));
  EXPECT_EQ(out.functions[1].runtime, "nodejs22.x");
  EXPECT_EQ(out.functions[1].maximum_retry_attempts, 2);  // Lambda's default
  EXPECT_TRUE(out.warnings.empty());
}

TEST(FunctionConfigs, IntrinsicEnvironmentValuesAreLeftOutWithOneWarningPerVariable) {
  manifest::Service service;
  auto a = function("a");
  auto b = function("b");
  for (auto* f : {&a, &b}) f->environment.set("QUEUE_URL", ref("Queue"));
  b.environment.set("TOPIC", ref("Topic"));
  service.functions = {a, b};
  const FunctionConfigs out = function_configs(service, "000000000000");
  EXPECT_TRUE(out.functions[0].environment.empty());
  EXPECT_EQ(
      out.warnings,
      (std::vector<std::string>{
          "environment variable QUEUE_URL (every function) is a CloudFormation expression that only AWS can "
          "resolve; it is not set locally (use --env QUEUE_URL=VALUE)",
          "environment variable TOPIC (function 'b') is a CloudFormation expression that only AWS can "
          "resolve; "
          "it is not set locally (use --env TOPIC=VALUE)"}));
}

TEST(FunctionConfigs, IntrinsicsTheResolverKnowsAreSetAndTheOthersWarned) {
  manifest::Service service;
  auto a = function("a");
  a.environment.set("QUEUE_URL", ref("Queue"));
  a.environment.set("TOPIC", ref("Topic"));
  a.environment.set("PLAIN", Value("text"));
  service.functions = {a};
  int asked = 0;
  const FunctionConfigs out = function_configs(service, "000000000000", [&](const Value& v) {
    ++asked;
    const Value* id = v.find("Ref");
    return id && id->as_string() == "Queue" ? std::optional<std::string>("http://local/q") : std::nullopt;
  });
  EXPECT_EQ(asked, 2);  // the scalar is not asked about
  EXPECT_EQ(out.functions[0].environment, (std::vector<std::pair<std::string, std::string>>{
                                              {"QUEUE_URL", "http://local/q"}, {"PLAIN", "text"}}));
  EXPECT_EQ(out.warnings, (std::vector<std::string>{
                              "environment variable TOPIC (function 'a') is a CloudFormation expression "
                              "that only AWS can resolve; it is not set locally (use --env TOPIC=VALUE)"}));
}

TEST(FunctionConfigs, ContainerImagesCannotRunLocally) {
  manifest::Service service;
  auto a = function("a");
  a.image = "123.dkr.ecr.us-east-1.amazonaws.com/app:1";
  service.functions = {a};
  try {
    function_configs(service, "000000000000");
    FAIL() << "an image function was accepted";
  } catch (const UserError& e) {
    EXPECT_STREQ(
        e.what(),
        "function 'a' is a container image (123.dkr.ecr.us-east-1.amazonaws.com/app:1); stratus runs zip "
        "functions locally (python3.x, nodejs*.x, provided*)");
  }
}

}  // namespace
}  // namespace stratus::run
