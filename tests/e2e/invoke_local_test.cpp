// stratus invoke local against real python and node handlers.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

class InvokeLocalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("serverless.yml",
                "service: svc\n"
                "provider:\n"
                "  name: aws\n"
                "  runtime: python3.12\n"
                "  environment:\n"
                "    GREETING: hello\n"
                "functions:\n"
                "  echo:\n"
                "    handler: handler.echo\n"
                "  fail:\n"
                "    handler: handler.fail\n"
                "  node:\n"
                "    handler: index.handler\n"
                "    runtime: nodejs22.x\n"
                "  java:\n"
                "    handler: example.Handler\n"
                "    runtime: java21\n"
                "  off:\n"
                "    handler: handler.echo\n"
                "    reservedConcurrency: 0\n");
    m_dir.write(
        "handler.py",
        "import os\n"
        "def echo(event, context):\n"
        "    print('log line from', context.function_name)\n"
        "    return {'event': event, 'greeting': os.environ['GREETING'], 'extra': os.environ.get('EXTRA'),\n"
        "            'client': context.client_context.custom if context.client_context else None}\n"
        "def fail(event, context):\n"
        "    raise RuntimeError('it broke')\n");
    m_dir.write("index.js", "exports.handler = async (event) => ({ node: true, event });\n");
  }
  RunResult invoke(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"invoke", "local"});
    return run_stratus(m_dir.path(), args, {}, stdin_text);
  }
  TempDir m_dir;
};

TEST_F(InvokeLocalTest, ResultOnStdoutLogsAndReportOnStderr) {
  const RunResult r = invoke({"-f", "echo", "--data", R"({"n":1})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"event": {"n": 1}, "greeting": "hello", "extra": null, "client": null})"
                   "\n");
  EXPECT_NE(r.err.find("log line from svc-dev-echo\n"), std::string::npos) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("START RequestId: [0-9a-f-]{36} Version: \\$LATEST\n")));
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex("REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled "
                                          "Duration: \\d+ ms\tMemory Size: 1024 MB\tMax Memory Used: \\d+ "
                                          "MB\tInit Duration: [0-9.]+ ms\t\n")))
      << r.err;
}

TEST_F(InvokeLocalTest, EventFromFileStdinAndRawAndEnvAndContext) {
  m_dir.write("event.json", R"({"from":"file"})");
  EXPECT_NE(invoke({"-f", "echo", "--path", "event.json"}).out.find(R"("event": {"from": "file"})"),
            std::string::npos);
  m_dir.write("event.yml", "from: yaml\nlist: [1, 2]\n");
  EXPECT_NE(
      invoke({"-f", "echo", "-p", "event.yml"}).out.find(R"("event": {"from": "yaml", "list": [1, 2]})"),
      std::string::npos);
  EXPECT_NE(invoke({"-f", "echo"}, R"({"from":"stdin"})").out.find(R"("event": {"from": "stdin"})"),
            std::string::npos);
  EXPECT_NE(invoke({"-f", "echo", "-d", "plain words"}).out.find(R"("event": "plain words")"),
            std::string::npos);
  EXPECT_NE(invoke({"-f", "echo", "--raw", "-d", R"({"a":1})"}).out.find(R"("event": "{\"a\":1}")"),
            std::string::npos);
  EXPECT_NE(invoke({"-f", "echo", "--env", "EXTRA=yes", "--env", "GREETING=hi"})
                .out.find(R"("greeting": "hi", "extra": "yes")"),
            std::string::npos);
  const RunResult ctx = invoke({"-f", "echo", "--context", R"({"custom":{"k":"v"}})"});
  EXPECT_NE(ctx.out.find(R"("client": {"k": "v"})"), std::string::npos) << ctx.out << ctx.err;
}

TEST_F(InvokeLocalTest, NodeFunction) {
  const RunResult r = invoke({"-f", "node", "-d", "[1,2]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"node\":true,\"event\":[1,2]}\n");
}

TEST_F(InvokeLocalTest, FunctionErrorExitsOne) {
  const RunResult r = invoke({"-f", "fail"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(R"("errorMessage": "it broke", "errorType": "RuntimeError")"), std::string::npos)
      << r.out;
  const RunResult json = invoke({"-f", "fail", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find(R"("errorType": "RuntimeError")"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("status": "error")"), std::string::npos);
}

TEST_F(InvokeLocalTest, ReservedConcurrencyZeroIsThrottled) {
  const RunResult r = invoke({"-f", "off"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("TooManyRequestsException (ReservedFunctionConcurrentInvocationLimitExceeded)"),
            std::string::npos)
      << r.err;
}

TEST_F(InvokeLocalTest, UsageErrorsExitTwo) {
  RunResult r = invoke({"-f", "ecko"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function 'ecko' is not in serverless.yml (did you mean 'echo'?)"), std::string::npos)
      << r.err;
  r = invoke({"-f", "echo", "-d", "{\"a\":"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--data looks like JSON but does not parse"), std::string::npos) << r.err;
  r = invoke({"-f", "echo", "-p", "missing.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--path: cannot read missing.json"), std::string::npos) << r.err;
  r = invoke({"-f", "echo", "-d", "{}", "-p", "x.json"});
  EXPECT_EQ(r.exit_code, 2);
  r = invoke({"-f", "echo", "--env", "NOEQUALS"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--env 'NOEQUALS' must be KEY=VALUE"), std::string::npos) << r.err;
  r = invoke({"-f", "echo", "--context", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  r = invoke({"-f", "java"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("function 'java': runtime 'java21' cannot run locally"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace stratus::e2e
