// Hot reload in stratus offline: rewriting a handler file replaces the function's warm instances
// before its next invocation (and every function sharing the folder reloads); --no-reload keeps
// them.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/net/http_client.hpp"
#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

const char* kService =
    "service: svc\n"
    "provider:\n"
    "  name: aws\n"
    "  runtime: python3.12\n"
    "  region: us-east-1\n"
    "functions:\n"
    "  hello:\n"
    "    handler: handler.hello\n"
    "  other:\n"
    "    handler: handler.hello\n";

std::string handler(const std::string& version) {
  return "import os\n"
         "def hello(event, context):\n"
         "    return {'version': '" +
         version + "', 'pid': os.getpid()}\n";
}

class Reload : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    m_dir.write("serverless.yml", kService);
    m_dir.write("handler.py", handler("v1"));
    std::vector<std::string> args = {"offline", "--lambda-port", "0", "--aws-port", "0", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    m_offline = std::make_unique<Background>(m_dir.path(), args);
    const std::string banner = m_offline->first_line();
    ASSERT_FALSE(banner.empty()) << m_offline->err();
    const std::string endpoint = json::parse(banner).at("lambdaEndpoint");
    m_port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }
  void TearDown() override {
    if (!m_offline) return;
    m_offline->signal(SIGINT);
    EXPECT_EQ(m_offline->wait(), 0) << m_offline->err();
  }
  // The function's answer through the Invoke API.
  json invoke(const std::string& fn) {
    const auto r =
        net::http_request("127.0.0.1", m_port, "POST", "/2015-03-31/functions/" + fn + "/invocations", "{}");
    if (!r.response || r.response->status != 200) {
      ADD_FAILURE() << "invoke " << fn << ": " << (r.response ? r.response->body : r.error);
      return json::object();
    }
    return json::parse(r.response->body);
  }
  // Waits up to 10 s for `text` on offline's stderr.
  bool wait_for_err(const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      if (m_offline->err().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  TempDir m_dir;
  std::unique_ptr<Background> m_offline;
  int m_port = 0;
};

TEST_F(Reload, ARewrittenHandlerRunsAtTheNextInvocation) {
  start();
  const json first = invoke("hello");
  EXPECT_EQ(first.value("version", ""), "v1");
  EXPECT_EQ(invoke("hello").value("pid", 0), first.value("pid", 0)) << "warm before any change";
  EXPECT_EQ(invoke("other").value("version", ""), "v1");

  m_dir.write("handler.py", handler("v2"));
  ASSERT_TRUE(wait_for_err("reloaded hello (handler.py changed)")) << m_offline->err();
  // Both functions live in the service folder: both reload.
  ASSERT_TRUE(wait_for_err("reloaded other (handler.py changed)")) << m_offline->err();
  const json second = invoke("hello");
  EXPECT_EQ(second.value("version", ""), "v2");
  EXPECT_NE(second.value("pid", 0), first.value("pid", 0));
  EXPECT_EQ(invoke("other").value("version", ""), "v2");
  // Not a reload on every request: the new instance stays warm.
  EXPECT_EQ(invoke("hello").value("pid", 0), second.value("pid", 0));

  // What offline itself writes (.stratus/) and byte-code caches reload nothing.
  const auto reloads = [&] {
    const std::string err = m_offline->err();
    std::size_t n = 0;
    for (auto at = err.find("reloaded hello"); at != std::string::npos;
         at = err.find("reloaded hello", at + 1))
      ++n;
    return n;
  };
  const std::size_t before = reloads();
  m_dir.write(".stratus/scratch", "x");
  m_dir.write("__pycache__/handler.cpython-312.pyc", "x");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(reloads(), before) << m_offline->err();
  EXPECT_EQ(invoke("hello").value("pid", 0), second.value("pid", 0));
}

TEST_F(Reload, NoReloadKeepsTheWarmInstance) {
  start({"--no-reload"});
  const json first = invoke("hello");
  EXPECT_EQ(first.value("version", ""), "v1");
  m_dir.write("handler.py", handler("v2"));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const json second = invoke("hello");
  EXPECT_EQ(second.value("version", ""), "v1") << "the warm instance keeps the module it imported";
  EXPECT_EQ(second.value("pid", 0), first.value("pid", 0));
  EXPECT_EQ(m_offline->err().find("reloaded"), std::string::npos) << m_offline->err();
}

}  // namespace
}  // namespace stratus::e2e
