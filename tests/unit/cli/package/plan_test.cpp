#include "cli/package/plan.hpp"

#include <gtest/gtest.h>

#include "cli/errors.hpp"

namespace stratus::package {
namespace {

namespace fs = std::filesystem;

manifest::Function fn(const std::string& key) {
  manifest::Function f;
  f.key = key;
  f.handler = key + ".handler";
  return f;
}

manifest::Service service() {
  manifest::Service s;
  s.name = "api";
  s.dir = "/srv/api";
  s.config_file = "/srv/api/serverless.yml";
  return s;
}

TEST(Plan, OneServiceZipForAllFunctions) {
  auto s = service();
  s.functions = {fn("a"), fn("b")};
  s.package.patterns = {"!docs/**"};
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.artifacts.size(), 1u);
  const auto& a = plan.artifacts[0];
  EXPECT_FALSE(a.given);
  EXPECT_TRUE(a.service_wide);
  EXPECT_EQ(a.name, "api.zip");
  EXPECT_EQ(a.functions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(a.patterns, (std::vector<std::string>{"!.git/**", "!.gitignore", "!.DS_Store", "!npm-debug.log",
                                                  "!yarn-*.log", "!.serverless/**", "!.serverless_plugins/**",
                                                  "!.stratus/**", "!serverless.yml", "!docs/**"}));
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(Plan, IndividuallyAppendsFunctionPatterns) {
  auto s = service();
  s.package.individually = true;
  s.package.patterns = {"!tests/**"};
  s.functions = {fn("a"), fn("b")};
  s.functions[1].package.patterns = {"!**", "b.js"};
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.artifacts.size(), 2u);
  EXPECT_EQ(plan.artifacts[0].name, "a.zip");
  EXPECT_EQ(plan.artifacts[0].patterns.back(), "!tests/**");
  EXPECT_EQ(plan.artifacts[1].name, "b.zip");
  std::vector<std::string> tail(plan.artifacts[1].patterns.end() - 3, plan.artifacts[1].patterns.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"!tests/**", "!**", "b.js"}));
}

TEST(Plan, FunctionLevelIndividuallyAndTheRestShare) {
  auto s = service();
  s.functions = {fn("a"), fn("b"), fn("c")};
  s.functions[1].package.individually = true;
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.artifacts.size(), 2u);
  EXPECT_EQ(plan.artifacts[0].name, "api.zip");
  EXPECT_EQ(plan.artifacts[0].functions, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(plan.artifacts[1].name, "b.zip");
}

TEST(Plan, FunctionPatternsWithoutIndividuallyWarnOnce) {
  auto s = service();
  s.functions = {fn("a"), fn("b")};
  s.functions[0].package.patterns = {"!x/**"};
  s.functions[1].package.patterns = {"!y/**"};
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_EQ(
      plan.warnings[0],
      "functions.a.package.patterns only apply when package.individually is true (at service or function "
      "level); they are ignored and the service patterns are used");
  EXPECT_EQ(plan.artifacts[0].patterns.back(), "!serverless.yml");
}

TEST(Plan, GivenArtifacts) {
  auto s = service();
  s.package.artifact = "build/all.zip";
  s.functions = {fn("a"), fn("b"), fn("c"), fn("d")};
  s.functions[1].package.artifact = "build/b.zip";
  s.functions[2].package.artifact = "s3://bucket/c.zip";
  s.functions[3].package.artifact = "build/b.zip";
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.artifacts.size(), 3u);
  EXPECT_TRUE(plan.artifacts[0].given);
  EXPECT_EQ(plan.artifacts[0].given_path, fs::path("/srv/api/build/all.zip"));
  EXPECT_EQ(plan.artifacts[0].setting, "package.artifact");
  EXPECT_EQ(plan.artifacts[0].functions, (std::vector<std::string>{"a"}));
  EXPECT_EQ(plan.artifacts[1].given_as, "build/b.zip");
  EXPECT_EQ(plan.artifacts[1].setting, "functions.b.package.artifact");
  EXPECT_EQ(plan.artifacts[1].functions, (std::vector<std::string>{"b", "d"}));
  EXPECT_TRUE(plan.artifacts[2].remote);
}

TEST(Plan, ServiceArtifactWinsOverServiceIndividually) {
  // Serverless: with package.artifact at service level, only functions that say individually
  // themselves get their own zip.
  auto s = service();
  s.package.artifact = "all.zip";
  s.package.individually = true;
  s.functions = {fn("a"), fn("b")};
  s.functions[1].package.individually = true;
  auto plan = plan_artifacts(s, "/srv/api/.serverless");
  ASSERT_EQ(plan.artifacts.size(), 2u);
  EXPECT_TRUE(plan.artifacts[0].given);
  EXPECT_EQ(plan.artifacts[0].functions, (std::vector<std::string>{"a"}));
  EXPECT_EQ(plan.artifacts[1].name, "b.zip");
}

TEST(Plan, ImagesHaveNoArtifact) {
  auto s = service();
  s.functions = {fn("a")};
  s.functions[0].image = "123.dkr.ecr.us-east-1.amazonaws.com/x:latest";
  EXPECT_TRUE(plan_artifacts(s, "/srv/api/.serverless").artifacts.empty());
}

TEST(Plan, ServicePatternsAddDotenvLayersPluginsAndOutputFolder) {
  auto s = service();
  s.use_dotenv = true;
  s.plugins = manifest::Value::map();
  s.plugins.set("localPath", manifest::Value("./my_plugins/"));
  s.layers = manifest::Value::map();
  manifest::Value layer = manifest::Value::map();
  layer.set("path", manifest::Value("layers/common"));
  s.layers.set("common", layer);
  s.package.patterns = {"!x"};
  EXPECT_EQ(service_patterns(s, "/srv/api/dist"),
            (std::vector<std::string>{"!.git/**", "!.gitignore", "!.DS_Store", "!npm-debug.log",
                                      "!yarn-*.log", "!.serverless/**", "!.serverless_plugins/**",
                                      "!.stratus/**", "!serverless.yml", "!my_plugins/**",
                                      "!layers/common/**", "!.env*", "!dist/**", "!x"}));
  auto in_root = service_patterns(service(), "/srv/api");
  std::vector<std::string> tail(in_root.end() - 3, in_root.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"!*.zip", "!stratus-package-state.json", "!.*.tmp"}));
  EXPECT_EQ(service_patterns(service(), "/elsewhere/out").back(), "!serverless.yml");
}

TEST(Plan, BadNamesForZipFiles) {
  auto s = service();
  s.name = "a/b";
  s.functions = {fn("f")};
  try {
    plan_artifacts(s, "/out");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()),
              "service name 'a/b' cannot name a zip file; use letters, digits, '-' and '_'");
  }
}

}  // namespace
}  // namespace stratus::package
