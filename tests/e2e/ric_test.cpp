// Proof that our Runtime API is the real one: AWS's own Node.js runtime interface client
// (npm aws-lambda-ric, built natively by scripts/ric-fixture.sh and cached outside the clone)
// runs as a provided.al2023 function's bootstrap.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

namespace fs = std::filesystem;

TEST(AwsLambdaRic, AnswersThroughOurRuntimeApi) {
  // Builds on the first run (minutes), then prints the cached folder at once.
  std::map<std::string, std::string> env = {{"HOME", std::getenv("HOME") ? std::getenv("HOME") : "/root"}};
  if (const char* cache = std::getenv("STRATUS_CACHE")) env["STRATUS_CACHE"] = cache;
  // npm compiles the native addon without a word for minutes on a busy machine.
  const RunResult built =
      run_program(STRATUS_SOURCE_DIR, {"bash", "scripts/ric-fixture.sh"}, env, "", std::chrono::minutes(15));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  std::string cache = built.out.substr(0, built.out.find('\n'));
  ASSERT_TRUE(fs::exists(fs::path(cache) / "node_modules/aws-lambda-ric")) << built.out << built.err;

  TempDir dir;
  for (const char* file : {"bootstrap", "index.js", "package.json"})
    fs::copy_file(fs::path(STRATUS_FIXTURES_DIR) / "functions/ric-node" / file, dir.path() / file);
  fs::create_directory_symlink(fs::path(cache) / "node_modules", dir.path() / "node_modules");
  dir.write("serverless.yml",
            "service: ric\n"
            "provider:\n"
            "  name: aws\n"
            "  runtime: provided.al2023\n"
            "functions:\n"
            "  echo:\n"
            "    handler: index.handler\n"
            "  fails:\n"
            "    handler: index.fails\n");

  const RunResult ok = run_stratus(dir.path(), {"invoke", "local", "-f", "echo", "-d", R"({"hello":"ric"})"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto answer = nlohmann::json::parse(ok.out);
  EXPECT_EQ(answer.at("echo"), nlohmann::json::parse(R"({"hello":"ric"})")) << ok.out;
  EXPECT_EQ(answer.at("fn"), "ric-dev-echo");
  EXPECT_EQ(answer.at("arn"), "arn:aws:lambda:us-east-1:000000000000:function:ric-dev-echo");
  EXPECT_EQ(answer.at("remaining"), true);
  EXPECT_EQ(answer.at("requestId").get<std::string>().size(), 36u);
  EXPECT_NE(ok.err.find("REPORT RequestId: " + answer.at("requestId").get<std::string>()), std::string::npos)
      << ok.err;

  const RunResult failed = run_stratus(dir.path(), {"invoke", "local", "-f", "fails"});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  const auto error = nlohmann::json::parse(failed.out);
  EXPECT_EQ(error.at("errorType"), "TypeError") << failed.out;
}

}  // namespace
}  // namespace stratus::e2e
