#pragma once
// A `stratus serve` platform for the remote commands' tests (invoke -f, logs -f): started on a
// free port with two accounts (alice, bob), a service folder whose manifest targets it
// (provider stratus, provider.endpoint), the aws CLI and python as independent clients.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {

inline constexpr const char* kAliceKey = "AKIAALICE00000000001";
inline constexpr const char* kAliceSecret = "alice-secret-0123456789";
inline constexpr const char* kBobKey = "AKIABOB0000000000001";
inline constexpr const char* kBobSecret = "bob-secret-0123456789";
inline constexpr const char* kPython = "/root/.pyenv/versions/3.11.7/bin/python3";

class PlatformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("keys.json", std::string(R"({"keys": [)") + R"({"accessKeyId": ")" + kAliceKey +
                                 R"(", "secretAccessKey": ")" + kAliceSecret +
                                 R"(", "accountId": "111111111111"}, {"accessKeyId": ")" + kBobKey +
                                 R"(", "secretAccessKey": ")" + kBobSecret +
                                 R"(", "accountId": "222222222222"}]})");
    m_serve = std::make_unique<Background>(
        m_dir.path(), std::vector<std::string>{"serve", "--data-dir", "data", "--keys", "keys.json", "--port",
                                               "0", "--json"});
    const std::string banner = m_serve->first_line();
    ASSERT_FALSE(banner.empty()) << m_serve->err();
    m_endpoint = nlohmann::json::parse(banner).at("endpoint").get<std::string>();
    m_dir.write("svc/serverless.yml", "service: app\nprovider:\n  name: stratus\n  endpoint: " + m_endpoint +
                                          "\n  region: us-east-1\n  runtime: python3.12\nfunctions:\n"
                                          "  hello:\n    handler: app.handler\n"
                                          "  renamed:\n    handler: app.handler\n    name: custom-name\n");
  }
  void TearDown() override {
    if (!m_serve) return;
    m_serve->signal(SIGTERM);
    EXPECT_EQ(m_serve->wait(), 0) << m_serve->err();
  }

  std::map<std::string, std::string> keys(const std::string& who = "alice") const {
    const bool alice = who == "alice";
    return {{"AWS_ACCESS_KEY_ID", alice ? kAliceKey : kBobKey},
            {"AWS_SECRET_ACCESS_KEY", alice ? kAliceSecret : kBobSecret},
            {"AWS_MAX_ATTEMPTS", "1"}};
  }

  RunResult aws(std::vector<std::string> args, const std::string& who = "alice") {
    args.insert(args.begin(), "aws");
    args.insert(args.end(), {"--endpoint-url", m_endpoint, "--region", "us-east-1", "--output", "json"});
    return run_program(m_dir.path(), args, keys(who));
  }

  // `stratus args...` in the service folder, with alice's keys (or `who`'s).
  RunResult stratus(const std::vector<std::string>& args, const std::string& who = "alice") {
    return run_stratus(m_dir.path() / "svc", args, keys(who));
  }

  // Deploys `code` (app.py) as `name` with the aws CLI, in alice's account unless `who` says.
  void create_function(const std::string& name, const std::string& code, const std::string& who = "alice") {
    m_dir.write("src/app.py", code);
    RunResult z = run_program(m_dir.path(), {kPython, "-c",
                                             "import zipfile\nwith zipfile.ZipFile('f.zip', 'w') as z:\n"
                                             "    z.write('src/app.py', 'app.py')\n"});
    ASSERT_EQ(z.exit_code, 0) << z.err;
    RunResult r = aws({"lambda", "create-function", "--function-name", name, "--runtime", "python3.12",
                       "--handler", "app.handler", "--role", "arn:aws:iam::111111111111:role/r", "--timeout",
                       "10", "--zip-file", "fileb://f.zip"},
                      who);
    ASSERT_EQ(r.exit_code, 0) << r.err << m_serve->err();
  }

  TempDir m_dir;
  std::unique_ptr<Background> m_serve;
  std::string m_endpoint;
};

}  // namespace stratus::e2e
