// The engine with real runtimes: python3 and node on PATH, bash + curl for provided.al2023.
#include "emulator/engine/engine.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "emulator/common/clock.hpp"
#include "emulator/engine/async_journal.hpp"
#include "emulator/engine/hot_reload.hpp"
#include "emulator/engine/sinks.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::engine {
namespace {

using test_support::TempDir;
using namespace std::chrono_literals;

class RecordingSink : public Sink {
 public:
  void log(const logs::LogRecord& record) override {
    std::lock_guard lock(m_mutex);
    m_logs.push_back(record);
  }
  void ledger(const billing::LedgerRow& row) override {
    std::lock_guard lock(m_mutex);
    m_rows.push_back(row);
  }
  std::vector<billing::LedgerRow> rows() {
    std::lock_guard lock(m_mutex);
    return m_rows;
  }
  std::vector<logs::LogRecord> logs() {
    std::lock_guard lock(m_mutex);
    return m_logs;
  }

 private:
  std::mutex m_mutex;
  std::vector<logs::LogRecord> m_logs;
  std::vector<billing::LedgerRow> m_rows;
};

class EngineTest : public ::testing::Test {
 protected:
  FunctionConfig function(const std::string& key, const std::string& runtime, const std::string& handler) {
    FunctionConfig config;
    config.name = "svc-dev-" + key;
    config.short_name = key;
    config.runtime = runtime;
    config.handler = handler;
    config.code_dir = m_dir.path() / "code";
    config.memory_mb = 256;
    config.timeout_s = 3;
    return config;
  }
  void code(const std::string& relative, const std::string& text) { m_dir.write("code/" + relative, text); }

  Engine& start(std::vector<FunctionConfig> functions, EngineSettings settings = {}) {
    settings.state_dir = m_dir.path() / ".stratus";
    settings.sink = &m_sink;
    if (settings.host.vars.empty()) settings.host = HostEnv::capture(false);
    m_engine = std::make_unique<Engine>(std::move(functions), std::move(settings));
    m_engine->start();
    return *m_engine;
  }

  InvokeResult call(const std::string& fn, const std::string& payload = "{}", bool log = true) {
    InvokeRequest request;
    request.payload = payload;
    request.want_log = log;
    return m_engine->invoke(fn, request);
  }

  TempDir m_dir;
  RecordingSink m_sink;
  std::unique_ptr<Engine> m_engine;
};

const char* kPython =
    "import json, os, sys, time\n"
    "print('init line')\n"
    "def echo(event, context):\n"
    "    print('hello from', context.aws_request_id)\n"
    "    return {'event': event, 'fn': context.function_name, 'mem': context.memory_limit_in_mb,\n"
    "            'remaining': context.get_remaining_time_in_millis(), 'pid': os.getpid(),\n"
    "            'offline': os.environ.get('IS_OFFLINE'), 'tmp': os.environ.get('TMPDIR'),\n"
    "            'leak': os.environ.get('STRATUS_TEST_SECRET'), 'region': os.environ.get('AWS_REGION'),\n"
    "            'mine': os.environ.get('MY_VAR'), 'cwd': os.getcwd()}\n"
    "def boom(event, context):\n"
    "    raise ValueError('boom')\n"
    "def slow(event, context):\n"
    "    time.sleep(event.get('sleep', 10))\n"
    "    return 'done'\n"
    "def crash(event, context):\n"
    "    sys.stdout.flush()\n"
    "    os._exit(3)\n"
    "def hog(event, context):\n"
    "    blocks = []\n"
    "    for _ in range(200):\n"
    "        blocks.append(bytearray(8 * 1024 * 1024))\n"
    "        time.sleep(0.005)\n"
    "    return len(blocks)\n";

TEST_F(EngineTest, PythonColdThenWarmWithReportLines) {
  code("handler.py", kPython);
  ::setenv("STRATUS_TEST_SECRET", "do-not-leak", 1);
  auto fn = function("echo", "python3.12", "handler.echo");
  fn.environment = {{"MY_VAR", "mine"}};
  Engine& engine = start({fn});
  ::unsetenv("STRATUS_TEST_SECRET");

  const InvokeResult first = call("echo", R"({"a":1})");
  ASSERT_EQ(first.status, InvokeStatus::ok) << first.payload << first.log;
  EXPECT_TRUE(first.cold);
  EXPECT_NE(first.payload.find(R"("event": {"a": 1})"), std::string::npos) << first.payload;
  EXPECT_NE(first.payload.find(R"("fn": "svc-dev-echo")"), std::string::npos);
  EXPECT_NE(first.payload.find(R"("mem": "256")"), std::string::npos);
  EXPECT_NE(first.payload.find(R"("offline": "true")"), std::string::npos);
  EXPECT_NE(first.payload.find(R"("leak": null)"), std::string::npos) << "host variables must not leak";
  EXPECT_NE(first.payload.find(R"("mine": "mine")"), std::string::npos);
  EXPECT_NE(first.payload.find(R"("region": "us-east-1")"), std::string::npos);
  EXPECT_NE(first.payload.find("\"cwd\": \"" + (m_dir.path() / "code").string() + "\""), std::string::npos);

  // init output, START, the handler's line, END, REPORT with Init Duration last.
  const std::regex cold_log(
      "init line\nSTART RequestId: " + first.request_id + " Version: \\$LATEST\nhello from " +
      first.request_id + "\nEND RequestId: " + first.request_id + "\nREPORT RequestId: " + first.request_id +
      "\tDuration: \\d+\\.\\d\\d ms\tBilled Duration: \\d+ ms\tMemory Size: 256 MB\tMax Memory Used: \\d+ "
      "MB\t"
      "Init Duration: \\d+\\.\\d\\d ms\t\n");
  EXPECT_TRUE(std::regex_match(first.log, cold_log)) << first.log;

  const InvokeResult second = call("echo");
  ASSERT_EQ(second.status, InvokeStatus::ok);
  EXPECT_FALSE(second.cold);
  EXPECT_EQ(second.log.find("Init Duration"), std::string::npos) << second.log;
  EXPECT_EQ(second.log.find("init line"), std::string::npos);
  EXPECT_EQ(engine.instance_count("echo"), 1);

  const auto rows = m_sink.rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].cold);
  ASSERT_TRUE(rows[0].init_duration_ms.has_value());
  EXPECT_GE(rows[0].billed_ms, static_cast<std::int64_t>(*rows[0].init_duration_ms + rows[0].duration_ms));
  EXPECT_FALSE(rows[1].cold);
  EXPECT_EQ(rows[1].outcome, billing::Outcome::ok);
  EXPECT_GT(rows[1].max_memory_used_mb, 0);

  // Every line of the second invocation is attributed to its request id.
  int attributed = 0;
  for (const auto& record : m_sink.logs())
    if (record.request_id == second.request_id) ++attributed;
  EXPECT_EQ(attributed, 4);  // START, hello, END, REPORT
}

TEST_F(EngineTest, NodeHandlerAndFunctionError) {
  code("index.mjs",
       "export const ok = async (event, context) => ({ got: event, fn: context.functionName });\n"
       "export const bad = async () => { throw new TypeError('nope'); };\n");
  start({function("ok", "nodejs22.x", "index.ok"), function("bad", "nodejs22.x", "index.bad")});
  const InvokeResult ok = call("svc-dev-ok", R"({"x":[1,2]})");
  ASSERT_EQ(ok.status, InvokeStatus::ok) << ok.payload << ok.log;
  EXPECT_EQ(ok.payload, R"({"got":{"x":[1,2]},"fn":"svc-dev-ok"})");
  const InvokeResult bad = call("bad");
  ASSERT_EQ(bad.status, InvokeStatus::function_error);
  EXPECT_EQ(bad.error_type, "TypeError");
  EXPECT_NE(bad.payload.find(R"("errorMessage":"nope")"), std::string::npos) << bad.payload;
  EXPECT_EQ(m_sink.rows().back().outcome, billing::Outcome::error);
  // The failed invocation leaves the instance warm.
  EXPECT_FALSE(call("bad").cold);
}

// Node runs with the flags Lambda's node bootstrap gives it, sized from the memory setting: global.gc
// exists and the old generation may take 90 % of the function's memory.
TEST_F(EngineTest, NodeHeapIsSizedFromTheMemorySettingAsOnLambda) {
  code("index.mjs",
       "import v8 from 'node:v8';\n"
       "export const heap = async () => ({ gc: typeof global.gc,\n"
       "  limitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1048576) });\n");
  auto fn = function("heap", "nodejs22.x", "index.heap");
  fn.memory_mb = 512;
  start({fn});
  const InvokeResult r = call("heap");
  ASSERT_EQ(r.status, InvokeStatus::ok) << r.payload << r.log;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.payload, m, std::regex(R"(\{"gc":"function","limitMb":(\d+)\})")))
      << r.payload;
  // old space 461 MB (512 - 51) plus the young generation's share; node's own default is about half
  EXPECT_GE(std::stoi(m[1]), 461) << r.payload;
  EXPECT_LE(std::stoi(m[1]), 600) << r.payload;
}

// Our bootstraps talk to the engine over the Unix socket passed as descriptor 3; the handler sees
// neither the variable naming it nor a descriptor its own child processes would inherit, and
// AWS_LAMBDA_RUNTIME_API still names the TCP endpoint, as on Lambda.
TEST_F(EngineTest, BootstrapsUseThePassedConnectionAndHideIt) {
  code("fdpy.py",
       "import os, socket\n"
       "def check(event, context):\n"
       "    s = socket.socket(fileno=os.dup(3))\n"
       "    unix = s.family == socket.AF_UNIX\n"
       "    s.detach()\n"
       "    return {'variable': os.environ.get('_STRATUS_RUNTIME_API_FD'), 'unix': unix,\n"
       "            'inheritable': os.get_inheritable(3), 'api': os.environ['AWS_LAMBDA_RUNTIME_API']}\n");
  code("fdnode.mjs",
       "import fs from 'node:fs';\n"
       "export const check = async () => ({ variable: process.env._STRATUS_RUNTIME_API_FD ?? null,\n"
       "  unix: fs.fstatSync(3).isSocket(), api: process.env.AWS_LAMBDA_RUNTIME_API });\n");
  start({function("py", "python3.12", "fdpy.check"), function("node", "nodejs22.x", "fdnode.check")});
  const InvokeResult py = call("py");
  ASSERT_EQ(py.status, InvokeStatus::ok) << py.payload << py.log;
  EXPECT_TRUE(std::regex_match(
      py.payload,
      std::regex(R"(\{"variable": null, "unix": true, "inheritable": false, "api": "127\.0\.0\.1:\d+"\})")))
      << py.payload;
  const InvokeResult node = call("node");
  ASSERT_EQ(node.status, InvokeStatus::ok) << node.payload << node.log;
  EXPECT_TRUE(std::regex_match(node.payload,
                               std::regex(R"(\{"variable":null,"unix":true,"api":"127\.0\.0\.1:\d+"\})")))
      << node.payload;
}

TEST_F(EngineTest, TimeoutKillsTheInstanceAndBillsTheFullTimeout) {
  code("handler.py", kPython);
  auto fn = function("slow", "python3.12", "handler.slow");
  fn.timeout_s = 1;
  Engine& engine = start({fn});
  const auto begun = std::chrono::steady_clock::now();
  const InvokeResult r = call("slow");
  EXPECT_LT(std::chrono::steady_clock::now() - begun, 5s);
  ASSERT_EQ(r.status, InvokeStatus::function_error);
  EXPECT_EQ(r.error_type, "Sandbox.Timedout");
  EXPECT_EQ(r.payload, "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: " + r.request_id +
                           " Error: Task timed out after 1.00 seconds\"}");
  EXPECT_TRUE(std::regex_search(
      r.log, std::regex("\\dZ " + r.request_id + " Task timed out after 1.00 seconds\nEND")))
      << r.log;
  EXPECT_NE(r.log.find("\tDuration: 1000.00 ms\t"), std::string::npos) << r.log;
  const auto row = m_sink.rows().back();
  EXPECT_EQ(row.outcome, billing::Outcome::timeout);
  EXPECT_GE(row.billed_ms, 1000);
  EXPECT_EQ(engine.instance_count("slow"), 0);
  // The next call starts a fresh instance.
  const InvokeResult again = call("slow", R"({"sleep":0})");
  EXPECT_EQ(again.status, InvokeStatus::ok) << again.payload;
  EXPECT_TRUE(again.cold);
}

TEST_F(EngineTest, CrashIsRuntimeExitErrorAndTheEngineLives) {
  code("handler.py", kPython);
  start({function("crash", "python3.12", "handler.crash")});
  const InvokeResult r = call("crash");
  ASSERT_EQ(r.status, InvokeStatus::function_error);
  EXPECT_EQ(r.error_type, "Runtime.ExitError");
  EXPECT_NE(r.payload.find("RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 3"),
            std::string::npos)
      << r.payload;
  EXPECT_NE(r.log.find("Runtime exited with error: exit status 3\nRuntime.ExitError\nEND"), std::string::npos)
      << r.log;
  EXPECT_EQ(call("crash").error_type, "Runtime.ExitError");  // and again, from a new instance
}

TEST_F(EngineTest, OverMemorySizeIsOutOfMemory) {
  code("handler.py", kPython);
  auto fn = function("hog", "python3.12", "handler.hog");
  fn.memory_mb = 128;
  fn.timeout_s = 10;
  start({fn});
  const InvokeResult r = call("hog");
  ASSERT_EQ(r.status, InvokeStatus::function_error) << r.payload;
  EXPECT_EQ(r.error_type, "Runtime.OutOfMemory");
  EXPECT_EQ(m_sink.rows().back().outcome, billing::Outcome::oom);
  EXPECT_GE(m_sink.rows().back().max_memory_used_mb, 128);
  // As Lambda reports an invocation killed over its memory: all of it used.
  EXPECT_NE(r.log.find("\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t"), std::string::npos) << r.log;
}

TEST_F(EngineTest, ReservedConcurrencyThrottles) {
  code("handler.py", kPython);
  auto fn = function("slow", "python3.12", "handler.slow");
  fn.reserved_concurrency = 1;
  auto off = function("off", "python3.12", "handler.echo");
  off.reserved_concurrency = 0;
  start({fn, off});
  auto running = std::async(std::launch::async, [&] { return call("slow", R"({"sleep":1})"); });
  std::this_thread::sleep_for(300ms);
  const InvokeResult throttled = call("slow", R"({"sleep":0})");
  EXPECT_EQ(throttled.status, InvokeStatus::throttled);
  EXPECT_EQ(throttled.throttle_reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_EQ(running.get().status, InvokeStatus::ok);
  EXPECT_EQ(call("off").throttle_reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  int throttles = 0;
  for (const auto& row : m_sink.rows()) throttles += row.outcome == billing::Outcome::throttled;
  EXPECT_EQ(throttles, 2);
}

TEST_F(EngineTest, AccountLimitThrottlesUnreservedFunctions) {
  code("handler.py", kPython);
  EngineSettings settings;
  settings.account_concurrency = 1;
  start({function("slow", "python3.12", "handler.slow")}, settings);
  auto running = std::async(std::launch::async, [&] { return call("slow", R"({"sleep":1})"); });
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(call("slow", R"({"sleep":0})").throttle_reason, "ConcurrentInvocationLimitExceeded");
  EXPECT_EQ(running.get().status, InvokeStatus::ok);
}

TEST_F(EngineTest, InstanceCapQueuesInsteadOfThrottling) {
  code("handler.py", kPython);
  EngineSettings settings;
  settings.max_instances = 1;
  Engine& engine = start({function("slow", "python3.12", "handler.slow")}, settings);
  std::vector<std::future<InvokeResult>> calls;
  for (int i = 0; i < 3; ++i)
    calls.push_back(std::async(std::launch::async, [&] { return call("slow", R"({"sleep":0.2})"); }));
  int cold = 0;
  for (auto& c : calls) {
    const InvokeResult r = c.get();
    EXPECT_EQ(r.status, InvokeStatus::ok) << r.payload;
    cold += r.cold;
  }
  EXPECT_EQ(cold, 1);
  EXPECT_EQ(engine.instance_count("slow"), 1);
}

// invoke_then at the cap: the caller is not held; each queued call runs, in arrival order, on the
// thread that frees the instance, and is answered from there.
TEST_F(EngineTest, InvokeThenAtTheCapQueuesAndAnswersFromTheServingThread) {
  code("handler.py", kPython);
  EngineSettings settings;
  settings.max_instances = 1;
  Engine& engine = start({function("slow", "python3.12", "handler.slow")}, settings);
  auto holder = std::async(std::launch::async, [&] { return call("slow", R"({"sleep":0.5})"); });
  for (int i = 0; i < 100 && engine.instance_count("slow") == 0; ++i) std::this_thread::sleep_for(10ms);
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<int, InvokeResult>> answers;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 3; ++i) {
    InvokeRequest request;
    request.payload = R"({"sleep":0.1})";
    const auto before = std::chrono::steady_clock::now();
    engine.invoke_then("slow", request, [&, i](InvokeResult r) {
      std::lock_guard lock(mutex);
      answers.emplace_back(i, std::move(r));
      threads.push_back(std::this_thread::get_id());
      changed.notify_all();
    });
    EXPECT_LT(std::chrono::steady_clock::now() - before, 100ms) << "queued, not run here";
  }
  EXPECT_EQ(holder.get().status, InvokeStatus::ok);
  std::unique_lock lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, 10s, [&] { return answers.size() == 3; }));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(answers[i].first, i) << "first come, first served";
    EXPECT_EQ(answers[i].second.status, InvokeStatus::ok) << answers[i].second.payload;
    EXPECT_FALSE(answers[i].second.cold);
    EXPECT_NE(threads[i], std::this_thread::get_id());
  }
  EXPECT_EQ(threads[1], threads[0]) << "one thread serves the queue on the freed instance";
  EXPECT_EQ(engine.instance_count("slow"), 1);
}

// Calls on warm instances fly on the engine's event loop (no thread waits for each): every answer
// reaches its own caller, and a timeout or a crash in flight ends as it does on a thread.
TEST_F(EngineTest, WarmInvokeThenCallsFlyAndTimeoutsAndCrashesInFlightEndAsUsual) {
  code("flight.py",
       "import os, time\n"
       "def run(event, context):\n"
       "    if event.get('crash'): os._exit(3)\n"
       "    time.sleep(event.get('sleep', 0))\n"
       "    return {'n': event.get('n'), 'id': context.aws_request_id,\n"
       "            'batch': os.sched_getscheduler(0) == os.SCHED_BATCH}\n");
  auto fn = function("flight", "python3.12", "flight.run");
  fn.timeout_s = 1;
  EngineSettings settings;
  settings.max_instances = 2;
  Engine& engine = start({fn}, settings);
  ASSERT_EQ(call("flight").status, InvokeStatus::ok);  // warm
  std::mutex mutex;
  std::condition_variable changed;
  std::map<int, InvokeResult> answers;
  auto fire = [&](int n, const std::string& payload) {
    InvokeRequest request;
    request.payload = payload;
    engine.invoke_then("flight", request, [&, n](InvokeResult r) {
      std::lock_guard lock(mutex);
      answers.emplace(n, std::move(r));
      changed.notify_all();
    });
  };
  constexpr int kCalls = 200;
  for (int i = 0; i < kCalls; ++i) fire(i, R"({"n":)" + std::to_string(i) + "}");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return answers.size() == kCalls; }));
  }
  for (auto& [n, r] : answers) {
    ASSERT_EQ(r.status, InvokeStatus::ok) << r.payload;
    EXPECT_NE(r.payload.find("\"n\": " + std::to_string(n) + ","), std::string::npos) << r.payload;
    EXPECT_NE(r.payload.find(r.request_id), std::string::npos) << "answered to its own caller";
    EXPECT_NE(r.payload.find("\"batch\": true"), std::string::npos) << "instances are batch-scheduled";
  }
  EXPECT_LE(engine.instance_count("flight"), 2);
  fire(kCalls, R"({"sleep":5})");
  fire(kCalls + 1, R"({"crash":true})");
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 30s, [&] { return answers.size() == kCalls + 2; }));
  }
  EXPECT_EQ(answers[kCalls].error_type, "Sandbox.Timedout");
  EXPECT_NE(answers[kCalls].payload.find("Task timed out after 1.00 seconds"), std::string::npos);
  EXPECT_EQ(answers[kCalls + 1].error_type, "Runtime.ExitError");
  EXPECT_EQ(call("flight", R"({"n":7})").status, InvokeStatus::ok) << "the function still runs";
  int timeouts = 0, errors = 0;
  for (const auto& row : m_sink.rows()) {
    timeouts += row.outcome == billing::Outcome::timeout;
    errors += row.outcome == billing::Outcome::error;
  }
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(errors, 1);
}

// A client that sends its next call the moment it has an answer (here: from the answer callback
// itself) finds the instance idle and warm: it is released before the caller hears back.
TEST_F(EngineTest, TheNextCallSentOnTheAnswerFindsTheInstanceWarm) {
  code("handler.py", kPython);
  auto fn = function("seq", "python3.12", "handler.slow");
  Engine& engine = start({fn}, EngineSettings{});
  ASSERT_EQ(call("seq", R"({"sleep":0})").status, InvokeStatus::ok);  // one warm instance
  std::promise<InvokeResult> second;
  InvokeRequest request;
  request.payload = R"({"sleep":0})";
  engine.invoke_then("seq", request, [&](InvokeResult first) {
    EXPECT_EQ(first.status, InvokeStatus::ok);
    engine.invoke_then("seq", request, [&](InvokeResult r) { second.set_value(std::move(r)); });
  });
  auto result = second.get_future();
  ASSERT_EQ(result.wait_for(30s), std::future_status::ready);
  const InvokeResult r = result.get();
  EXPECT_EQ(r.status, InvokeStatus::ok);
  EXPECT_FALSE(r.cold) << "a second instance was started while the first sat released";
  EXPECT_EQ(engine.instance_count("seq"), 1);
}

// A call that flies while the engine's loop sleeps with nothing in flight still times out: starting
// a flight wakes the loop, which then watches its deadline.
TEST_F(EngineTest, AFlightStartedOnAnIdleLoopStillTimesOut) {
  code("handler.py", kPython);
  auto fn = function("slow", "python3.12", "handler.slow");
  fn.timeout_s = 1;
  Engine& engine = start({fn}, EngineSettings{});
  ASSERT_EQ(call("slow", R"({"sleep":0})").status, InvokeStatus::ok);  // warm, and the loop idle
  std::this_thread::sleep_for(300ms);
  std::promise<InvokeResult> answer;
  InvokeRequest request;
  request.payload = R"({"sleep":30})";
  engine.invoke_then("slow", request, [&](InvokeResult r) { answer.set_value(std::move(r)); });
  auto result = answer.get_future();
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready) << "the deadline was never checked";
  EXPECT_EQ(result.get().error_type, "Sandbox.Timedout");
}

TEST_F(EngineTest, InvokeThenThrottlesAtOnceAndStopAnswersWhatIsQueued) {
  code("handler.py", kPython);
  auto fn = function("slow", "python3.12", "handler.slow");
  fn.reserved_concurrency = 3;
  EngineSettings settings;
  settings.max_instances = 1;
  Engine& engine = start({fn}, settings);
  std::mutex mutex;
  std::vector<InvokeResult> answers;
  auto record = [&](InvokeResult r) {
    std::lock_guard lock(mutex);
    answers.push_back(std::move(r));
  };
  auto running = std::async(std::launch::async, [&] { return call("slow", R"({"sleep":1})"); });
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 3; ++i) {
    InvokeRequest request;
    request.payload = R"({"sleep":0})";
    engine.invoke_then("slow", request, record);
  }
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(answers.size(), 1u) << "the third over a reservation of 3 is throttled before returning";
    EXPECT_EQ(answers[0].throttle_reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
  }
  engine.stop(0ms);  // the running call is cut; the two queued ones are answered, none hangs
  EXPECT_NE(running.get().status, InvokeStatus::ok);
  std::lock_guard lock(mutex);
  ASSERT_EQ(answers.size(), 3u);
  for (int i = 1; i < 3; ++i) EXPECT_EQ(answers[i].throttle_reason, "ServiceShuttingDown");
}

TEST_F(EngineTest, IdleInstancesAreReapedAndNoProcessIsLeft) {
  code("handler.py", kPython);
  EngineSettings settings;
  settings.idle_timeout = 100ms;
  Engine& engine = start({function("echo", "python3.12", "handler.echo")}, settings);
  const InvokeResult r = call("echo");
  ASSERT_EQ(r.status, InvokeStatus::ok);
  const auto pid = std::stoi(std::regex_replace(r.payload, std::regex(R"(.*"pid": (\d+).*)"), "$1"));
  EXPECT_EQ(::kill(pid, 0), 0);
  for (int i = 0; i < 100 && engine.instance_count("echo") > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(engine.instance_count("echo"), 0);
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(EngineTest, StopEndsEveryInstance) {
  code("handler.py", kPython);
  auto fn = function("echo", "python3.12", "handler.echo");
  fn.provisioned_concurrency = 2;
  Engine& engine = start({fn});
  EXPECT_EQ(engine.instance_count("echo"), 2);
  const InvokeResult r = call("echo");
  EXPECT_FALSE(r.cold) << "provisioned instances are warm";
  const auto pid = std::stoi(std::regex_replace(r.payload, std::regex(R"(.*"pid": (\d+).*)"), "$1"));
  engine.stop();
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(call("echo").status, InvokeStatus::throttled);  // refused once stopping
}

TEST_F(EngineTest, ProvidedRuntimeRunsTheCodesBootstrap) {
  code("bootstrap",
       "#!/bin/bash\n"
       "set -eu\n"
       "API=\"http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation\"\n"
       "while true; do\n"
       "  HEADERS=$(mktemp)\n"
       "  EVENT=$(curl -sS -D \"$HEADERS\" \"$API/next\")\n"
       "  ID=$(grep -i Lambda-Runtime-Aws-Request-Id \"$HEADERS\" | tr -d '[:space:]' | cut -d: -f2)\n"
       "  curl -sS -o /dev/null -X POST \"$API/$ID/response\" -d "
       "\"{\\\"handler\\\":\\\"$_HANDLER\\\",\\\"event\\\":$EVENT}\"\n"
       "done\n");
  ::chmod((m_dir.path() / "code/bootstrap").c_str(), 0755);
  start({function("sh", "provided.al2023", "function.handler")});
  const InvokeResult r = call("sh", R"({"k":"v"})");
  ASSERT_EQ(r.status, InvokeStatus::ok) << r.payload << r.log;
  EXPECT_EQ(r.payload, R"({"handler":"function.handler","event":{"k":"v"}})");
}

TEST_F(EngineTest, EventInvocationsAreRetriedUnderTheirRequestId) {
  // Fails on the first two attempts (counted in a file), succeeds on the third.
  code("retry.py",
       "import os\n"
       "def handler(event, context):\n"
       "    path = os.path.join(os.environ['LAMBDA_TASK_ROOT'], 'attempts')\n"
       "    with open(path, 'a') as f: f.write(context.aws_request_id + '\\n')\n"
       "    if sum(1 for _ in open(path)) < 3: raise RuntimeError('not yet')\n"
       "    return 'ok'\n");
  EngineSettings settings;
  settings.async.retry_delays[0] = 10ms;
  settings.async.retry_delays[1] = 10ms;
  start({function("retry", "python3.12", "retry.handler")}, settings);
  const std::string id = m_engine->invoke_async("retry", "{}");
  std::vector<billing::LedgerRow> rows;
  for (int i = 0; i < 500 && rows.size() < 3; ++i) {
    std::this_thread::sleep_for(10ms);
    rows = m_sink.rows();
  }
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) EXPECT_EQ(row.request_id, id);
  EXPECT_EQ(rows[0].outcome, billing::Outcome::error);
  EXPECT_EQ(rows[2].outcome, billing::Outcome::ok);
}

// The events a journal holds at start (a previous run's) run under their ids; one of a function
// that is gone is dropped with a warning.
TEST_F(EngineTest, StartRunsTheEventsTheJournalHolds) {
  struct Journal : AsyncJournal {
    std::mutex mutex;
    std::vector<AsyncRecord> held;
    void put(const AsyncRecord& r) override {
      std::lock_guard lock(mutex);
      held.push_back(r);
    }
    void update(const std::string&, int, std::int64_t) override {}
    void remove(const std::string& id) override {
      std::lock_guard lock(mutex);
      std::erase_if(held, [&](const AsyncRecord& r) { return r.request_id == id; });
    }
    AsyncJournalLoad load() override {
      std::lock_guard lock(mutex);
      return {held, {}};
    }
    std::size_t size() {
      std::lock_guard lock(mutex);
      return held.size();
    }
  } journal;
  const std::int64_t now = unix_ms_now();
  journal.held = {{"11111111-2222-4333-8444-555555555555", "svc-dev-echo", R"({"n":1})", 0, now, now},
                  {"11111111-2222-4333-8444-666666666666", "svc-dev-gone", "{}", 0, now, now}};
  code("handler.py", kPython);
  std::mutex mutex;
  std::vector<std::string> warnings;
  EngineSettings settings;
  settings.async.journal = &journal;
  settings.async.warn = [&](const std::string& line) {
    std::lock_guard lock(mutex);
    warnings.push_back(line);
  };
  start({function("echo", "python3.12", "handler.echo")}, settings);
  std::vector<billing::LedgerRow> rows;
  for (int i = 0; i < 500 && (rows.empty() || journal.size() > 0); ++i) {
    std::this_thread::sleep_for(10ms);
    rows = m_sink.rows();
  }
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request_id, "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(rows[0].outcome, billing::Outcome::ok);
  EXPECT_EQ(journal.size(), 0u);
  m_engine.reset();  // before the journal goes
  std::lock_guard lock(mutex);
  EXPECT_EQ(warnings,
            std::vector<std::string>{
                "1 pending Event invocation of 'svc-dev-gone' dropped: the function no longer exists"});
}

TEST_F(EngineTest, RuntimesThatCannotRunAreClearErrors) {
  try {
    start({function("j", "java21", "example.Handler")});
    FAIL() << "java21 accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(
        e.what(),
        "function 'j': runtime 'java21' cannot run locally; stratus runs python3.x, nodejs*.x and provided* "
        "(with a bootstrap file)");
  }
  try {
    start({function("p", "provided.al2", "x")});
    FAIL() << "missing bootstrap accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("runs the code's own bootstrap"), std::string::npos) << e.what();
  }
}

TEST_F(EngineTest, ImportErrorIsReportedAsLambdaDoes) {
  code("handler.py", "import not_a_module_anywhere\n");
  start({function("imp", "python3.12", "handler.echo")});
  const InvokeResult r = call("imp");
  ASSERT_EQ(r.status, InvokeStatus::function_error);
  EXPECT_EQ(r.error_type, "Runtime.ImportModuleError");
  EXPECT_NE(r.payload.find("Unable to import module 'handler'"), std::string::npos) << r.payload;
}

// Hot reload (Engine::reload): what the file watcher calls when a function's code changes.
const char* kVersioned =
    "import os, time\n"
    "VERSION = 'v1'\n"
    "def handle(event, context):\n"
    "    print('running', flush=True)\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    return {'version': VERSION, 'pid': os.getpid()}\n";

// (A new length too: python trusts a cached .pyc whose source has the same size and mtime second;
// HotReload drops those, Engine::reload alone does not.)
std::string with_version(const std::string& v) {
  return std::regex_replace(kVersioned, std::regex("'v1'"), "'" + v + "'");
}

int pid_of(const InvokeResult& r) {
  return std::stoi(std::regex_replace(r.payload, std::regex(R"(.*"pid": (\d+).*)"), "$1"));
}

TEST_F(EngineTest, ReloadEndsIdleInstancesAndTheNextCallColdStartsTheNewCode) {
  code("handler.py", kVersioned);
  Engine& engine = start({function("fn", "python3.12", "handler.handle")});
  const InvokeResult first = call("fn");
  ASSERT_EQ(first.status, InvokeStatus::ok) << first.payload << first.log;
  EXPECT_FALSE(call("fn").cold);
  EXPECT_EQ(engine.instance_count("fn"), 1);

  code("handler.py", with_version("second"));
  EXPECT_FALSE(call("fn").cold) << "no reload without reload()";
  ASSERT_TRUE(engine.reload("fn"));
  EXPECT_EQ(engine.instance_count("fn"), 0) << "the idle instance ends at once";
  EXPECT_EQ(::kill(pid_of(first), 0), -1);

  const InvokeResult after = call("fn");
  ASSERT_EQ(after.status, InvokeStatus::ok) << after.payload;
  EXPECT_TRUE(after.cold);
  EXPECT_NE(after.payload.find(R"("version": "second")"), std::string::npos) << after.payload;
  EXPECT_NE(pid_of(after), pid_of(first));
  EXPECT_FALSE(call("fn").cold) << "the new instance is reused";
  EXPECT_TRUE(engine.reload("svc-dev-fn"));  // deployed names too
  EXPECT_FALSE(engine.reload("nope"));
}

TEST_F(EngineTest, ReloadLetsABusyInstanceFinishThenEndsIt) {
  code("handler.py", kVersioned);
  Engine& engine = start({function("fn", "python3.12", "handler.handle")});
  auto busy = std::async(std::launch::async, [&] { return call("fn", R"({"sleep": 0.8})"); });
  // Wait until the invocation runs (its first line).
  bool started = false;
  for (int i = 0; i < 250 && !started; ++i) {
    for (const auto& record : m_sink.logs())
      if (record.text == "running") started = true;
    if (!started) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(started);
  code("handler.py", with_version("second"));
  ASSERT_TRUE(engine.reload("fn"));
  EXPECT_EQ(engine.instance_count("fn"), 1) << "the busy instance is not killed";
  const InvokeResult finished = busy.get();
  ASSERT_EQ(finished.status, InvokeStatus::ok) << finished.payload << finished.log;
  EXPECT_NE(finished.payload.find(R"("version": "v1")"), std::string::npos) << finished.payload;
  EXPECT_EQ(engine.instance_count("fn"), 0) << "released after the reload: ended, not reused";
  EXPECT_EQ(::kill(pid_of(finished), 0), -1);
  const InvokeResult next = call("fn");
  EXPECT_TRUE(next.cold);
  EXPECT_NE(next.payload.find(R"("version": "second")"), std::string::npos) << next.payload;
}

TEST_F(EngineTest, HotReloadWatchesTheCodeFolderAndAnnounces) {
  code("handler.py", kVersioned);
  Engine& engine = start({function("fn", "python3.12", "handler.handle")});
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> lines;
  FileWatchOptions options;
  options.debounce = 50ms;
  HotReload reload(
      engine,
      [&](const std::string& line) {
        std::lock_guard lock(mutex);
        lines.push_back(line);
        cv.notify_all();
      },
      options);
  const InvokeResult first = call("fn");
  ASSERT_EQ(first.status, InvokeStatus::ok) << first.payload;
  EXPECT_FALSE(call("fn").cold);
  // The same length, within the same second: python's cached byte code must not win.
  code("handler.py", with_version("v2"));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return !lines.empty(); }));
    EXPECT_EQ(lines, std::vector<std::string>{"reloaded fn (handler.py changed)"});
  }
  const InvokeResult after = call("fn");
  EXPECT_TRUE(after.cold);
  EXPECT_NE(after.payload.find(R"("version": "v2")"), std::string::npos) << after.payload;
}

TEST_F(EngineTest, ReloadRestartsProvisionedInstances) {
  code("handler.py", kVersioned);
  auto fn = function("fn", "python3.12", "handler.handle");
  fn.provisioned_concurrency = 1;
  Engine& engine = start({fn});
  const InvokeResult before = call("fn");
  ASSERT_FALSE(before.cold);
  code("handler.py", with_version("second"));
  ASSERT_TRUE(engine.reload("fn"));
  EXPECT_EQ(engine.instance_count("fn"), 1) << "a new provisioned instance is up";
  EXPECT_EQ(::kill(pid_of(before), 0), -1);
  const InvokeResult after = call("fn");
  EXPECT_FALSE(after.cold) << "provisioned: warm, with the new code";
  EXPECT_NE(after.payload.find(R"("version": "second")"), std::string::npos) << after.payload;
}

// `stratus serve`'s versions: a function under its own key beside the one of the same name, its
// provisioned instances started in the background once the engine runs, and counted.
TEST_F(EngineTest, PutFunctionStartsProvisionedInstancesInTheBackgroundUnderItsKey) {
  code("handler.py", kPython);
  Engine& engine = start({});
  auto latest = function("echo", "python3.12", "handler.echo");
  engine.put_function(latest);
  auto version = latest;
  version.key = "svc-dev-echo@1";
  version.short_name = version.key;
  version.version = "1";
  version.provisioned_concurrency = 2;
  engine.put_function(version);
  EXPECT_EQ(engine.provisioned_status("svc-dev-echo@1").requested, 2);  // answered before they are up
  ProvisionedStatus status;
  for (int i = 0; i < 500; ++i) {
    status = engine.provisioned_status("svc-dev-echo@1");
    if (status.allocated == 2) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status.allocated, 2);
  EXPECT_EQ(status.available, 2);
  EXPECT_EQ(status.error, "");
  EXPECT_EQ(engine.instance_count("svc-dev-echo"), 0);  // $LATEST is another function
  const InvokeResult warm = call("svc-dev-echo@1");
  ASSERT_EQ(warm.status, InvokeStatus::ok) << warm.payload;
  EXPECT_FALSE(warm.cold);
  EXPECT_EQ(warm.executed_version, "1");
  EXPECT_TRUE(call("svc-dev-echo").cold);
  EXPECT_EQ(engine.provisioned_status("nope").requested, 0);
  // Without provisioned concurrency the version's warm instances go with the old configuration.
  version.provisioned_concurrency = 0;
  engine.put_function(version);
  EXPECT_EQ(engine.provisioned_status("svc-dev-echo@1").allocated, 0);
  EXPECT_EQ(engine.instance_count("svc-dev-echo@1"), 0);
}

TEST_F(EngineTest, AProvisionedInstanceWhoseInitFailsIsReported) {
  code("handler.py", "raise RuntimeError('init broke')\n");
  Engine& engine = start({});
  auto fn = function("broken", "python3.12", "handler.echo");
  fn.provisioned_concurrency = 2;
  engine.put_function(fn);
  ProvisionedStatus status;
  for (int i = 0; i < 500; ++i) {
    status = engine.provisioned_status("svc-dev-broken");
    if (!status.error.empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status.error, "the function's init failed");
  EXPECT_EQ(status.allocated, 0);
  EXPECT_EQ(engine.instance_count("svc-dev-broken"), 0);
}

TEST_F(EngineTest, AProvisionedInstanceThatEndsIsReplaced) {
  code("handler.py", kPython);
  auto fn = function("crash", "python3.12", "handler.crash");
  fn.provisioned_concurrency = 1;
  Engine& engine = start({fn});
  ASSERT_EQ(engine.provisioned_status("svc-dev-crash").allocated, 1);
  const InvokeResult crashed = call("crash");
  EXPECT_FALSE(crashed.cold);
  EXPECT_NE(crashed.status, InvokeStatus::ok);
  ProvisionedStatus status;
  for (int i = 0; i < 250; ++i) {  // the reaper looks every second
    status = engine.provisioned_status("svc-dev-crash");
    if (status.allocated == 1) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status.allocated, 1);
  EXPECT_EQ(status.error, "");
  EXPECT_FALSE(call("crash").cold) << "the replacement is warm";
}

TEST_F(EngineTest, RemovingAFunctionWhileItsProvisionedInstancesStartStopsStartingThem) {
  code("handler.py", "import time\ntime.sleep(0.3)\n" + std::string(kPython));
  Engine& engine = start({});
  auto fn = function("slowinit", "python3.12", "handler.echo");
  fn.provisioned_concurrency = 3;
  engine.put_function(fn);
  std::this_thread::sleep_for(100ms);  // the first one is starting
  ASSERT_TRUE(engine.remove_function("svc-dev-slowinit"));
  std::this_thread::sleep_for(1500ms);  // long enough for several more inits, were they started
  int processes = 0;                    // this test's instances of the function, found by their environment
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream environ(entry.path() / "environ");
    std::string env((std::istreambuf_iterator<char>(environ)), std::istreambuf_iterator<char>());
    if (env.find("AWS_LAMBDA_FUNCTION_NAME=svc-dev-slowinit") != std::string::npos &&
        env.find(m_dir.path().string()) != std::string::npos)
      ++processes;
  }
  EXPECT_EQ(processes, 0);
}

}  // namespace
}  // namespace stratus::engine
