// The built-in runtime bootstraps (python, node) against a fake Runtime API in this process.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "emulator/runtimes/interpreter.hpp"
#include "tests/unit/emulator/runtimes/fake_runtime_api.hpp"

namespace stratus {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Child;
using testing::FakeRuntimeApi;
using testing::Posted;
using testing::QueuedEvent;

const char* const kArn = "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-fn";

class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("stratus-bootstrap-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "task");
  }
  void TearDown() override {
    m_child.reset();
    m_api.reset();
    fs::remove_all(m_dir);
  }

  void code(const std::string& relative, const std::string& text) {
    testing::write_file(m_dir / "task" / relative, text);
  }

  // Starts the bootstrap of `runtime` ("python3" or "node") for `handler`.
  void start(const std::string& runtime, const std::string& handler) {
    const auto interpreter = resolve_interpreter(runtime);
    ASSERT_TRUE(interpreter.has_value()) << runtime << " not found on PATH";
    const std::string bootstrap =
        std::string(STRATUS_SOURCE_DIR) + (runtime == "node" ? "/emulator/runtimes/node/bootstrap.mjs"
                                                             : "/emulator/runtimes/python/bootstrap.py");
    m_api = std::make_unique<FakeRuntimeApi>();
    const std::map<std::string, std::string> env = {
        {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(m_api->port())},
        {"_HANDLER", handler},
        {"LAMBDA_TASK_ROOT", (m_dir / "task").string()},
        {"AWS_LAMBDA_FUNCTION_NAME", "svc-dev-fn"},
        {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
        {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
        {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/svc-dev-fn"},
        {"AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef"},
        {"PATH", "/usr/bin:/bin"},
    };
    m_child = std::make_unique<Child>(std::vector<std::string>{*interpreter, bootstrap}, env,
                                      m_dir / "stdout", m_dir / "stderr");
  }

  Posted invoke(const std::string& request_id, const std::string& event, std::int64_t timeout_ms = 3000) {
    m_api->push({request_id, event, testing::now_ms() + timeout_ms, kArn,
                 "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700"});
    auto posted = m_api->wait_post();
    if (!posted) {
      ADD_FAILURE() << "no answer from the runtime; stderr:\n" << testing::read_file(m_dir / "stderr");
      return {};
    }
    return *posted;
  }

  // The init error the runtime posted; it must then exit with status 1.
  Posted init_error() {
    auto posted = m_api->wait_post();
    if (!posted) {
      ADD_FAILURE() << "no init error; stderr:\n" << testing::read_file(m_dir / "stderr");
      return {};
    }
    EXPECT_EQ(posted->path, "/2018-06-01/runtime/init/error");
    const auto status = m_child->wait_exit();
    EXPECT_TRUE(status.has_value() && WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
    return *posted;
  }

  fs::path m_dir;
  std::unique_ptr<FakeRuntimeApi> m_api;
  std::unique_ptr<Child> m_child;
};

// ---- python -------------------------------------------------------------------------------------

TEST_F(BootstrapTest, PythonReturnsJsonAndStaysWarm) {
  code("app.py",
       "count = 0\n"
       "def handler(event, context):\n"
       "    global count\n"
       "    count += 1\n"
       "    if event is None: return None\n"
       "    return {'sum': event['x'] + 1, 'calls': count}\n");
  start("python3", "app.handler");
  auto first = invoke("req-1", R"({"x": 41})");
  EXPECT_EQ(first.path, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(json::parse(first.body), json::parse(R"({"sum": 42, "calls": 1})"));
  auto second = invoke("req-2", "null");
  EXPECT_EQ(second.path, "/2018-06-01/runtime/invocation/req-2/response");
  EXPECT_EQ(second.body, "null");
}

TEST_F(BootstrapTest, PythonContextCarriesLambdaFields) {
  code("sub/app.py",
       "import os\n"
       "def handler(event, context):\n"
       "    return {'rid': context.aws_request_id, 'arn': context.invoked_function_arn,\n"
       "            'name': context.function_name, 'version': context.function_version,\n"
       "            'memory': context.memory_limit_in_mb, 'group': context.log_group_name,\n"
       "            'stream': context.log_stream_name, 'left': context.get_remaining_time_in_millis(),\n"
       "            'trace': os.environ.get('_X_AMZN_TRACE_ID'), 'cc': context.client_context,\n"
       "            'identity': context.identity.cognito_identity_id}\n");
  start("python3", "sub/app.handler");
  auto posted = invoke("8476a536-e9f4-11e8-9739-2dfe598c3fcd", "{}", 3000);
  const json body = json::parse(posted.body);
  EXPECT_EQ(body["rid"], "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(body["arn"], kArn);
  EXPECT_EQ(body["name"], "svc-dev-fn");
  EXPECT_EQ(body["version"], "$LATEST");
  EXPECT_EQ(body["memory"], "256");
  EXPECT_EQ(body["group"], "/aws/lambda/svc-dev-fn");
  EXPECT_EQ(body["stream"], "2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef");
  EXPECT_GT(body["left"].get<int>(), 1000);
  EXPECT_LE(body["left"].get<int>(), 3000);
  EXPECT_EQ(body["trace"], "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700");
  EXPECT_TRUE(body["cc"].is_null());
  EXPECT_TRUE(body["identity"].is_null());
}

TEST_F(BootstrapTest, PythonExceptionPostsErrorWithUserFramesOnly) {
  code("app.py",
       "def inner():\n"
       "    raise ValueError('boom')\n"
       "def handler(event, context):\n"
       "    print('before')\n"
       "    inner()\n");
  start("python3", "app.handler");
  auto posted = invoke("req-e", "{}");
  EXPECT_EQ(posted.path, "/2018-06-01/runtime/invocation/req-e/error");
  EXPECT_EQ(posted.error_type, "ValueError");
  const json body = json::parse(posted.body);
  EXPECT_EQ(body["errorType"], "ValueError");
  EXPECT_EQ(body["errorMessage"], "boom");
  EXPECT_EQ(body["requestId"], "req-e");
  ASSERT_EQ(body["stackTrace"].size(), 2u);
  EXPECT_NE(body["stackTrace"][0].get<std::string>().find("app.py\", line 5, in handler"), std::string::npos);
  EXPECT_NE(body["stackTrace"][1].get<std::string>().find("raise ValueError('boom')"), std::string::npos);
  // The handler's print is the only thing on stdout; the error is logged on stderr.
  EXPECT_EQ(testing::read_file(m_dir / "stdout"), "before\n");
  EXPECT_EQ(testing::read_file(m_dir / "stderr").rfind("[ERROR] ValueError: boom\r", 0), 0u);
}

TEST_F(BootstrapTest, PythonLinesReachStdoutBeforeTheInvocationEnds) {
  code("app.py",
       "import time\n"
       "def handler(event, context):\n"
       "    print('working')\n"
       "    time.sleep(30)\n");
  start("python3", "app.handler");
  m_api->push({"req-slow", "{}", testing::now_ms() + 60000, kArn, ""});
  // A function killed at its timeout must still have logged what it printed.
  std::string out;
  for (int i = 0; i < 500 && out.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    out = testing::read_file(m_dir / "stdout");
  }
  EXPECT_EQ(out, "working\n");
}

TEST_F(BootstrapTest, PythonUnserialisableResultIsMarshalError) {
  code("app.py", "def handler(event, context):\n    return {1, 2}\n");
  start("python3", "app.handler");
  auto posted = invoke("req-m", "{}");
  EXPECT_EQ(posted.error_type, "Runtime.MarshalError");
  const json body = json::parse(posted.body);
  EXPECT_EQ(body["errorMessage"], "Unable to marshal response: Object of type set is not JSON serializable");
}

TEST_F(BootstrapTest, PythonDecimalsMarshalAsNumbers) {
  code("app.py",
       "from decimal import Decimal\n"
       "def handler(event, context):\n"
       "    return {'whole': Decimal('2'), 'part': Decimal('1.5')}\n");
  start("python3", "app.handler");
  EXPECT_EQ(json::parse(invoke("req-d", "{}").body), json::parse(R"({"whole": 2, "part": 1.5})"));
}

TEST_F(BootstrapTest, PythonMissingModuleIsImportModuleError) {
  start("python3", "missing.handler");
  auto posted = init_error();
  EXPECT_EQ(posted.error_type, "Runtime.ImportModuleError");
  const json body = json::parse(posted.body);
  EXPECT_EQ(body["errorType"], "Runtime.ImportModuleError");
  EXPECT_EQ(body["errorMessage"], "Unable to import module 'missing': No module named 'missing'");
  EXPECT_EQ(body["stackTrace"], json::array());
}

TEST_F(BootstrapTest, PythonMissingFunctionIsHandlerNotFound) {
  code("app.py", "def handler(event, context):\n    return 1\n");
  start("python3", "app.nope");
  const json body = json::parse(init_error().body);
  EXPECT_EQ(body["errorType"], "Runtime.HandlerNotFound");
  EXPECT_EQ(body["errorMessage"], "Handler 'nope' missing on module 'app'");
}

TEST_F(BootstrapTest, PythonSyntaxErrorIsUserCodeSyntaxError) {
  code("app.py", "def handler(event, context)\n    return 1\n");
  start("python3", "app.handler");
  const json body = json::parse(init_error().body);
  EXPECT_EQ(body["errorType"], "Runtime.UserCodeSyntaxError");
  EXPECT_EQ(body["errorMessage"].get<std::string>().rfind("Syntax error in module 'app': ", 0), 0u);
  ASSERT_EQ(body["stackTrace"].size(), 1u);
  EXPECT_NE(body["stackTrace"][0].get<std::string>().find("app.py\" Line 1"), std::string::npos);
}

// ---- node ---------------------------------------------------------------------------------------

TEST_F(BootstrapTest, PythonLoggingLinesCarryLevelTimeAndRequestId) {
  code("app.py",
       "import logging\n"
       "logger = logging.getLogger()\n"
       "logger.setLevel(logging.INFO)\n"
       "def handler(event, context):\n"
       "    logger.info('processing %s', event['x'])\n"
       "    print('plain print')\n"
       "    return 1\n");
  start("python3", "app.handler");
  invoke("req-7", R"({"x": 5})");
  const std::string out = testing::read_file(m_dir / "stdout");
  EXPECT_TRUE(std::regex_search(
      out,
      std::regex("\\[INFO\\]\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\treq-7\tprocessing 5\n")))
      << out;
  EXPECT_NE(out.find("\nplain print\n"), std::string::npos) << out;
}

TEST_F(BootstrapTest, NodeConsoleLinesCarryTimeRequestIdAndLevel) {
  code("index.js",
       "exports.handler = async (event) => { console.log('got %d', event.x); console.error('bad', {a: 1}); "
       "return 1; };\n");
  start("node", "index.handler");
  invoke("req-8", R"({"x": 3})");
  const std::string out = testing::read_file(m_dir / "stdout");
  EXPECT_TRUE(std::regex_search(out, std::regex("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\treq-8\tINFO\tgot 3\n")))
      << out;
  EXPECT_NE(out.find("\treq-8\tERROR\tbad { a: 1 }\n"), std::string::npos) << out;
}

// An event far larger than one socket read, with multi-byte UTF-8 split anywhere, arrives whole; the
// answer carries the same characters and the byte length in Content-Length; the next call still works.
TEST_F(BootstrapTest, NodeLargeNonAsciiEventsArriveWholeAcrossManyReads) {
  code("index.js",
       "exports.handler = async (event) => ({ n: event.s.length, head: event.s.slice(0, 3), tail: "
       "event.s.slice(-2) "
       "});\n");
  start("node", "index.handler");
  std::string big;
  for (int i = 0; i < 400000; ++i) big += "\xc3\xa9\xe2\x82\xac";  // "é€": 5 bytes, 2 characters
  const json expected = {{"n", 800002}, {"head", "x\xc3\xa9\xe2\x82\xac"}, {"tail", "\xe2\x82\xacy"}};
  EXPECT_EQ(json::parse(invoke("req-1", json{{"s", "x" + big + "y"}}.dump()).body), expected);
  EXPECT_EQ(invoke("req-2", R"({"s": "ab"})").body, R"({"n":2,"head":"ab","tail":"ab"})");
}

TEST_F(BootstrapTest, NodeCommonJsAsyncHandler) {
  code("index.js", "exports.handler = async (event) => ({ sum: event.x + 1 });\n");
  start("node", "index.handler");
  auto posted = invoke("req-1", R"({"x": 1})");
  EXPECT_EQ(posted.path, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(posted.body, R"({"sum":2})");
}

TEST_F(BootstrapTest, NodeEsmModuleAndUndefinedResult) {
  code("lib/app.mjs", "export const handler = async (event) => event.none ? undefined : { esm: true };\n");
  start("node", "lib/app.handler");
  EXPECT_EQ(invoke("req-1", "{}").body, R"({"esm":true})");
  EXPECT_EQ(invoke("req-2", R"({"none": 1})").body, "null");
}

TEST_F(BootstrapTest, NodeEsmJsFileInATypeModulePackage) {
  code("package.json", R"({"type": "module"})");
  code("index.js",
       "const greeting = await Promise.resolve('hi');\n"
       "export const handler = async () => ({ greeting });\n");
  start("node", "index.handler");
  EXPECT_EQ(invoke("req-1", "{}").body, R"({"greeting":"hi"})");
}

TEST_F(BootstrapTest, NodeCallbackStyleHandler) {
  code("index.cjs",
       "module.exports.handler = (event, context, callback) => {\n"
       "  setTimeout(() => callback(null, { cb: event.v }), 5);\n"
       "};\n");
  start("node", "index.handler");
  EXPECT_EQ(invoke("req-1", R"({"v": "ok"})").body, R"({"cb":"ok"})");
}

TEST_F(BootstrapTest, NodeCallbackWaitsForTheEventLoopUnlessToldNotTo) {
  code("index.js",
       "exports.handler = (event, context, callback) => {\n"
       "  if (event.sync) return 'ignored';\n"
       "  context.callbackWaitsForEmptyEventLoop = !event.noWait;\n"
       "  setTimeout(() => {}, 2000);\n"
       "  callback(null, { ok: true });\n"
       "};\n");
  start("node", "index.handler");
  const auto timed = [&](const char* id, const char* event) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string body = invoke(id, event).body;
    EXPECT_EQ(body, std::string(event).find("sync") != std::string::npos ? "null" : R"({"ok":true})") << id;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  EXPECT_LT(timed("no-wait", R"({"noWait": true})"), 1500);  // posted at once, the timer left pending
  EXPECT_GE(timed("wait", "{}"), 1950);                      // posted after the 2 s timer ran
  // A synchronous handler that never calls back: its return value is ignored, the result is null.
  timed("sync", R"({"sync": true})");
}

TEST_F(BootstrapTest, NodeContextCarriesLambdaFields) {
  code("index.js",
       "exports.handler = async (event, context) => ({\n"
       "  rid: context.awsRequestId, arn: context.invokedFunctionArn, name: context.functionName,\n"
       "  version: context.functionVersion, memory: context.memoryLimitInMB, group: context.logGroupName,\n"
       "  stream: context.logStreamName, left: context.getRemainingTimeInMillis(),\n"
       "  waits: context.callbackWaitsForEmptyEventLoop, trace: process.env._X_AMZN_TRACE_ID });\n");
  start("node", "index.handler");
  const json body = json::parse(invoke("req-ctx", "{}", 3000).body);
  EXPECT_EQ(body["rid"], "req-ctx");
  EXPECT_EQ(body["arn"], kArn);
  EXPECT_EQ(body["name"], "svc-dev-fn");
  EXPECT_EQ(body["version"], "$LATEST");
  EXPECT_EQ(body["memory"], "256");
  EXPECT_EQ(body["group"], "/aws/lambda/svc-dev-fn");
  EXPECT_EQ(body["stream"], "2026/11/22/[$LATEST]0123456789abcdef0123456789abcdef");
  EXPECT_GT(body["left"].get<int>(), 1000);
  EXPECT_LE(body["left"].get<int>(), 3000);
  EXPECT_EQ(body["waits"], true);
  EXPECT_EQ(body["trace"], "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700");
}

TEST_F(BootstrapTest, NodeThrownErrorAndCallbackError) {
  code("index.js",
       "exports.handler = (event, context, callback) => {\n"
       "  if (event.cb) return callback(new RangeError('via callback'));\n"
       "  throw new TypeError('bad input');\n"
       "};\n");
  start("node", "index.handler");
  auto thrown = invoke("req-1", "{}");
  EXPECT_EQ(thrown.path, "/2018-06-01/runtime/invocation/req-1/error");
  EXPECT_EQ(thrown.error_type, "TypeError");
  json body = json::parse(thrown.body);
  EXPECT_EQ(body["errorType"], "TypeError");
  EXPECT_EQ(body["errorMessage"], "bad input");
  ASSERT_GE(body["trace"].size(), 2u);
  EXPECT_EQ(body["trace"][0], "TypeError: bad input");
  EXPECT_NE(body["trace"][1].get<std::string>().find("index.js:3"), std::string::npos);
  auto via_callback = invoke("req-2", R"({"cb": true})");
  EXPECT_EQ(via_callback.error_type, "RangeError");
  EXPECT_EQ(json::parse(via_callback.body)["errorMessage"], "via callback");
}

TEST_F(BootstrapTest, NodeMissingModuleIsImportModuleError) {
  start("node", "missing.handler");
  auto posted = init_error();
  EXPECT_EQ(posted.error_type, "Runtime.ImportModuleError");
  const json body = json::parse(posted.body);
  EXPECT_EQ(body["errorMessage"].get<std::string>().rfind("Error: Cannot find module 'missing'", 0), 0u);
}

TEST_F(BootstrapTest, NodeMissingExportIsHandlerNotFound) {
  code("index.js", "exports.other = async () => 1;\n");
  start("node", "index.handler");
  const json body = json::parse(init_error().body);
  EXPECT_EQ(body["errorType"], "Runtime.HandlerNotFound");
  EXPECT_EQ(body["errorMessage"], "index.handler is undefined or not exported");
}

TEST_F(BootstrapTest, NodeSyntaxErrorIsUserCodeSyntaxError) {
  code("index.mjs", "export const handler = async () => {\n");
  start("node", "index.handler");
  const json body = json::parse(init_error().body);
  EXPECT_EQ(body["errorType"], "Runtime.UserCodeSyntaxError");
  EXPECT_EQ(body["errorMessage"].get<std::string>().rfind("SyntaxError: ", 0), 0u);
}

}  // namespace
}  // namespace stratus
