#pragma once
// A Dispatcher test double for the Invoke API tests: a fixed set of functions whose behaviour
// follows their name, and a record of what the API asked of it.
//   "svc-dev-hello"  ok: {"echo": <payload>}, log "START ... REPORT"
//   "svc-dev-fail"   function_error with an error JSON, error type Unhandled
//   "svc-dev-busy"   throttled (ReservedFunctionConcurrentInvocationLimitExceeded)
//   "svc-dev-fnNN"   padding for ListFunctions pages
// invoke_async throws std::runtime_error when async_fails (a journal that cannot record).
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "emulator/engine/dispatcher.hpp"

namespace stratus::testing {

class FakeDispatcher : public engine::Dispatcher {
 public:
  explicit FakeDispatcher(int padding = 0) {
    add("svc-dev-hello", "hello");
    add("svc-dev-fail", "fail");
    m_functions.back().environment = {{"STAGE", "dev"}, {"TABLE", "t"}};
    add("svc-dev-busy", "busy");
    m_functions.back().reserved_concurrency = 0;
    for (int i = 0; i < padding; ++i) {
      std::string n = (i < 10 ? "0" : "") + std::to_string(i);
      add("svc-dev-fn" + n, "fn" + n);
    }
  }

  std::vector<engine::FunctionConfig> functions() const override { return m_functions; }

  std::optional<engine::FunctionConfig> find_function(std::string_view name) const override {
    std::lock_guard lock(m_mutex);
    m_lookups.emplace_back(name);
    for (const auto& fn : m_functions) {
      if (name == fn.name || name == fn.short_name || name == fn.arn() ||
          name == fn.account_id + ":function:" + fn.name)
        return fn;
    }
    return std::nullopt;
  }

  engine::InvokeResult invoke(const std::string& function, engine::InvokeRequest request) override {
    std::lock_guard lock(m_mutex);
    m_invoked.push_back(function);
    m_requests.push_back(request);
    engine::InvokeResult result;
    result.request_id = "11111111-2222-4333-8444-" + std::string(12, char('0' + m_invoked.size() % 10));
    if (function == "svc-dev-busy") {
      result.status = engine::InvokeStatus::throttled;
      result.throttle_reason = "ReservedFunctionConcurrentInvocationLimitExceeded";
      return result;
    }
    if (function == "svc-dev-fail") {
      result.status = engine::InvokeStatus::function_error;
      result.payload = R"({"errorMessage":"boom","errorType":"Error","stackTrace":[]})";
      result.error_type = "Error";
    } else {
      result.payload = R"({"echo":)" + request.payload + "}";
    }
    if (request.want_log) result.log = log_text;
    return result;
  }

  std::string invoke_async(const std::string& function, std::string payload) override {
    std::lock_guard lock(m_mutex);
    if (async_fails) throw std::runtime_error("stratus.db: cannot run 'INSERT': disk I/O error");
    m_async.emplace_back(function, std::move(payload));
    return "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  }

  std::vector<std::string> invoked() const {
    std::lock_guard lock(m_mutex);
    return m_invoked;
  }
  std::vector<engine::InvokeRequest> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }
  std::vector<std::pair<std::string, std::string>> async_calls() const {
    std::lock_guard lock(m_mutex);
    return m_async;
  }
  std::vector<std::string> lookups() const {
    std::lock_guard lock(m_mutex);
    return m_lookups;
  }

  bool async_fails = false;
  std::string log_text = "START RequestId: r Version: $LATEST\nhello\nEND RequestId: r\n";

 private:
  void add(std::string name, std::string short_name) {
    engine::FunctionConfig fn;
    fn.name = std::move(name);
    fn.short_name = std::move(short_name);
    fn.runtime = "python3.12";
    fn.handler = "handler.main";
    fn.code_dir = "/srv/code";
    fn.description = "a test function";
    fn.memory_mb = 256;
    fn.timeout_s = 10;
    m_functions.push_back(std::move(fn));
  }

  std::vector<engine::FunctionConfig> m_functions;
  mutable std::mutex m_mutex;
  mutable std::vector<std::string> m_lookups;
  std::vector<std::string> m_invoked;
  std::vector<engine::InvokeRequest> m_requests;
  std::vector<std::pair<std::string, std::string>> m_async;
};

}  // namespace stratus::testing
