#pragma once
// What the engine runs: one function's configuration, free of YAML. The CLI builds these from a
// manifest (cli/ side); `stratus serve` builds them from CreateFunction requests.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stratus::engine {

struct FunctionConfig {
  std::string name;                // the deployed name, e.g. "svc-dev-hello"; unique in an engine
  std::string short_name;          // the manifest key ("hello"); may equal `name`
  std::string runtime;             // "python3.12", "nodejs22.x", "provided.al2023", ...
  std::string handler;             // "handler.hello"; for provided* passed through as _HANDLER
  std::filesystem::path code_dir;  // the unpacked code: cwd and LAMBDA_TASK_ROOT of instances
  std::string description;
  int memory_mb = 1024;
  int timeout_s = 6;
  int ephemeral_mb = 512;
  std::string architecture = "x86_64";                           // x86_64 | arm64 (metering only)
  std::vector<std::pair<std::string, std::string>> environment;  // the function's own variables
  std::optional<int> reserved_concurrency;                       // 0 = throttle every invocation
  int provisioned_concurrency = 0;                               // instances started up front
  int maximum_retry_attempts = 2;                                // async retries, 0-2
  int maximum_event_age_s = 21600;                               // async, 60 s - 6 h
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string version = "$LATEST";
  // The engine's own key for the function when it differs from `name`: `stratus serve` runs each
  // published version as a function of its own ("name@3"), named `name` everywhere the function
  // sees (environment, logs, ARN). Never shown to callers.
  std::string key;

  // What the engine knows the function by: `key`, or `name` when there is none.
  const std::string& id() const { return key.empty() ? name : key; }

  // "arn:aws:lambda:<region>:<account>:function:<name>"
  std::string arn() const { return "arn:aws:lambda:" + region + ":" + account_id + ":function:" + name; }
};

}  // namespace stratus::engine
