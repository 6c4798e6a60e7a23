// Engine::put_function / remove_function: functions added, replaced and removed while the engine
// runs (what `stratus serve` does on CreateFunction, UpdateFunction*, DeleteFunction). Real python3.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "emulator/engine/engine.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::engine {
namespace {

using test_support::TempDir;

class EngineFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("code/handler.py",
                "import os, time\n"
                "def show(event, context):\n"
                "    time.sleep(event.get('sleep', 0))\n"
                "    return {'x': os.environ.get('X'), 'pid': os.getpid(), 'fn': context.function_name}\n");
    EngineSettings settings;
    settings.state_dir = m_dir.path() / ".stratus";
    settings.host = HostEnv::capture(false);
    m_engine = std::make_unique<Engine>(std::vector<FunctionConfig>{}, std::move(settings));
    m_engine->start();
  }

  FunctionConfig function(const std::string& name, const std::string& x) {
    FunctionConfig config;
    config.name = name;
    config.runtime = "python3.12";
    config.handler = "handler.show";
    config.code_dir = m_dir.path() / "code";
    config.memory_mb = 256;
    config.timeout_s = 5;
    config.environment = {{"X", x}};
    return config;
  }

  nlohmann::json call(const std::string& name, const std::string& payload = "{}") {
    InvokeRequest request;
    request.payload = payload;
    InvokeResult result = m_engine->invoke(name, std::move(request));
    EXPECT_EQ(result.status, InvokeStatus::ok) << result.payload;
    return nlohmann::json::parse(result.payload);
  }

  TempDir m_dir;
  std::unique_ptr<Engine> m_engine;
};

TEST_F(EngineFunctionsTest, AnEmptyEngineRunsAFunctionPutAfterItStarted) {
  EXPECT_TRUE(m_engine->functions().empty());
  EXPECT_FALSE(m_engine->find_function("f"));
  m_engine->put_function(function("f", "one"));  // may warn: python3.12 on the host's python
  ASSERT_EQ(m_engine->functions().size(), 1u);
  EXPECT_TRUE(m_engine->find_function("arn:aws:lambda:us-east-1:000000000000:function:f"));
  const nlohmann::json out = call("f");
  EXPECT_EQ(out.at("x"), "one");
  EXPECT_EQ(out.at("fn"), "f");
  EXPECT_EQ(m_engine->instance_count("f"), 1);
}

TEST_F(EngineFunctionsTest, PutReplacesTheConfigurationAndTheNextCallStartsAFreshInstance) {
  m_engine->put_function(function("f", "one"));
  m_engine->put_function(function("g", "other"));
  const nlohmann::json first = call("f");
  m_engine->put_function(function("f", "two"));
  const nlohmann::json second = call("f");
  EXPECT_EQ(second.at("x"), "two");
  EXPECT_NE(second.at("pid"), first.at("pid"));  // the old idle instance ended
  EXPECT_EQ(m_engine->instance_count("f"), 1);
  ASSERT_EQ(m_engine->functions().size(), 2u);  // replaced in place: order kept
  EXPECT_EQ(m_engine->functions()[0].name, "f");
  EXPECT_EQ(m_engine->functions()[0].environment.at(0).second, "two");
  EXPECT_EQ(call("g").at("x"), "other");
}

TEST_F(EngineFunctionsTest, AnInvocationInFlightFinishesOnTheConfigurationItStartedWith) {
  m_engine->put_function(function("f", "old"));
  auto slow = std::async(std::launch::async, [&] { return call("f", R"({"sleep": 1})"); });
  for (int i = 0; i < 400 && m_engine->instance_count("f") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the call is running
  m_engine->put_function(function("f", "new"));
  EXPECT_EQ(call("f").at("x"), "new");
  EXPECT_EQ(slow.get().at("x"), "old");
  m_engine->remove_function("f");
  EXPECT_THROW(call("f"), std::invalid_argument);
}

TEST_F(EngineFunctionsTest, RemoveEndsTheFunctionAndItsInstances) {
  m_engine->put_function(function("f", "one"));
  call("f");
  EXPECT_TRUE(m_engine->remove_function("f"));
  EXPECT_FALSE(m_engine->remove_function("f"));
  EXPECT_FALSE(m_engine->find_function("f"));
  EXPECT_TRUE(m_engine->functions().empty());
  EXPECT_EQ(m_engine->instance_count("f"), 0);
  InvokeRequest request;
  EXPECT_THROW(m_engine->invoke("f", request), std::invalid_argument);
  EXPECT_THROW(m_engine->invoke_async("f", "{}"), std::invalid_argument);
  m_engine->put_function(function("f", "again"));  // the name is free again
  EXPECT_EQ(call("f").at("x"), "again");
}

TEST_F(EngineFunctionsTest, ARuntimeThatCannotRunIsRefusedAndChangesNothing) {
  m_engine->put_function(function("f", "one"));
  FunctionConfig bad = function("f", "two");
  bad.runtime = "cobol85";
  EXPECT_THROW(m_engine->put_function(bad), std::runtime_error);
  ASSERT_EQ(m_engine->functions().size(), 1u);
  EXPECT_EQ(call("f").at("x"), "one");
}

}  // namespace
}  // namespace stratus::engine
