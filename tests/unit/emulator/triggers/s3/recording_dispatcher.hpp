#pragma once
// A Dispatcher for the S3 notification tests: knows no functions, runs nothing, and records every
// Event invocation queued with it.
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "emulator/engine/dispatcher.hpp"

namespace stratus::triggers::s3 {

class RecordingDispatcher : public engine::Dispatcher {
 public:
  std::vector<engine::FunctionConfig> functions() const override { return {}; }
  std::optional<engine::FunctionConfig> find_function(std::string_view) const override {
    return std::nullopt;
  }
  engine::InvokeResult invoke(const std::string&, engine::InvokeRequest) override { return {}; }
  std::string invoke_async(const std::string& function, std::string payload) override {
    std::lock_guard lock(m_mutex);
    m_calls.emplace_back(function, std::move(payload));
    return "00000000-0000-4000-8000-" + std::string(12, char('0' + m_calls.size() % 10));
  }
  std::vector<std::pair<std::string, std::string>> calls() const {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }
  void clear() {
    std::lock_guard lock(m_mutex);
    m_calls.clear();
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<std::pair<std::string, std::string>> m_calls;
};

}  // namespace stratus::triggers::s3
