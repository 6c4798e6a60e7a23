#include "emulator/engine/launch.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace stratus::engine {
namespace {

TEST(Launch, RuntimeFamiliesAndVersions) {
  EXPECT_EQ(runtime_family("python3.12"), RuntimeFamily::python);
  EXPECT_EQ(runtime_family("nodejs22.x"), RuntimeFamily::node);
  EXPECT_EQ(runtime_family("provided"), RuntimeFamily::provided);
  EXPECT_EQ(runtime_family("provided.al2023"), RuntimeFamily::provided);
  EXPECT_EQ(runtime_family("providedx"), RuntimeFamily::unsupported);
  EXPECT_EQ(runtime_family("java21"), RuntimeFamily::unsupported);
  EXPECT_EQ(runtime_version("python3.12"), "3.12");
  EXPECT_EQ(runtime_version("nodejs22.x"), "22");
  EXPECT_EQ(runtime_version("provided.al2"), "");
  EXPECT_EQ(runtime_version("ruby3.3"), "");
}

TEST(Launch, LambdaVariablesWinOverTheFunctionsAndHostHasOnlyWhatIsAllowed) {
  FunctionConfig config;
  config.name = "svc-dev-f";
  config.runtime = "python3.12";
  config.handler = "h.f";
  config.code_dir = "/code";
  config.memory_mb = 256;
  config.environment = {{"MINE", "1"}, {"AWS_LAMBDA_FUNCTION_NAME", "spoofed"}};
  HostEnv host;
  host.vars = {{"PATH", "/bin"}, {"AWS_PROFILE", "dev"}};
  const auto env = instance_environment(config, host, {{"MINE", "2"}},
                                        InstanceEnv{"127.0.0.1:9001", "stream", "/tmp/x", false, false});
  auto has = [&](const std::string& entry) { return std::find(env.begin(), env.end(), entry) != env.end(); };
  EXPECT_TRUE(has("MINE=2"));  // --env over the function's own
  EXPECT_TRUE(has("AWS_LAMBDA_FUNCTION_NAME=svc-dev-f"));
  EXPECT_TRUE(has("AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"));
  EXPECT_TRUE(has("AWS_EXECUTION_ENV=AWS_Lambda_python3.12"));
  EXPECT_TRUE(has("AWS_LAMBDA_INITIALIZATION_TYPE=on-demand"));
  EXPECT_TRUE(has("IS_OFFLINE=true"));
  EXPECT_TRUE(has("TMPDIR=/tmp/x"));
  EXPECT_TRUE(has("AWS_PROFILE=dev"));
  EXPECT_TRUE(has("PATH=/bin"));
  EXPECT_TRUE(has(std::string(kRuntimeApiFdVariable) + "="));  // no connection passed: empty
}

TEST(Launch, APassedRuntimeApiConnectionIsNamedAndNoFunctionVariableCanRedirectIt) {
  FunctionConfig config;
  config.name = "svc-dev-f";
  config.runtime = "nodejs22.x";
  config.environment = {{kRuntimeApiFdVariable, "7"}};
  const auto env = instance_environment(config, HostEnv{}, {{kRuntimeApiFdVariable, "8"}},
                                        InstanceEnv{"127.0.0.1:9001", "stream", "/tmp/x", false, true});
  auto named = [&](const std::vector<std::string>& vars) {
    std::vector<std::string> out;
    for (const auto& e : vars)
      if (e.rfind(std::string(kRuntimeApiFdVariable) + "=", 0) == 0) out.push_back(e);
    return out;
  };
  EXPECT_EQ(named(env), std::vector<std::string>{std::string(kRuntimeApiFdVariable) + "=3"});
  // A provided runtime runs its own client: nothing is passed, nothing named.
  config.runtime = "provided.al2023";
  EXPECT_EQ(named(instance_environment(config, HostEnv{}, {},
                                       InstanceEnv{"127.0.0.1:9001", "stream", "/tmp/x", false, false})),
            std::vector<std::string>{std::string(kRuntimeApiFdVariable) + "=7"});
}

}  // namespace
}  // namespace stratus::engine
