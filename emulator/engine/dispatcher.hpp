#pragma once
// The engine as its front doors (the Invoke API, `invoke local`, later HTTP, SQS, S3, schedules)
// see it: look functions up, invoke synchronously, queue an asynchronous event.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/engine/function_config.hpp"

namespace stratus::engine {

struct InvokeRequest {
  std::string payload;                        // the event bytes
  std::optional<std::string> client_context;  // decoded JSON (X-Amz-Client-Context is base64)
  std::string invoked_arn;                    // "" = the function's ARN
  bool want_log = false;                      // collect the execution log into InvokeResult::log
  std::string request_id;                     // "" = a new one; async retries keep the event's id
};

enum class InvokeStatus {
  ok,              // payload = the function's response
  function_error,  // payload = the error JSON; function_error_type set (X-Amz-Function-Error)
  throttled,       // 429 TooManyRequestsException; throttle_reason set; nothing ran
};

struct InvokeResult {
  InvokeStatus status = InvokeStatus::ok;
  std::string request_id;
  std::string payload;
  std::string content_type = "application/json";
  std::string function_error_type = "Unhandled";  // value of X-Amz-Function-Error
  std::string error_type;       // the error's errorType ("Sandbox.Timedout", "Runtime.ExitError", ...)
  std::string throttle_reason;  // "ReservedFunctionConcurrentInvocationLimitExceeded", ...
  std::string executed_version = "$LATEST";
  std::string log;  // when want_log: START ... REPORT, newline-terminated lines
  bool cold = false;
};

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  // Every function, in a stable order.
  virtual std::vector<FunctionConfig> functions() const = 0;
  // By deployed name, short name, full ARN or partial ARN ("000000000000:function:name"), with or
  // without a ":$LATEST" qualifier; nullopt when unknown.
  virtual std::optional<FunctionConfig> find_function(std::string_view name_or_arn) const = 0;
  // Runs one invocation and blocks until it ends (or is throttled). Thread-safe.
  virtual InvokeResult invoke(const std::string& function, InvokeRequest request) = 0;
  // Runs one invocation and calls `done` with its result exactly once: before returning, or later
  // from another thread. Throws, without calling `done`, where invoke() throws. Thread-safe.
  // This default blocks in invoke(); the Engine's returns at once (what event loops need).
  using Done = std::function<void(InvokeResult)>;
  virtual void invoke_then(const std::string& function, InvokeRequest request, Done done) {
    done(invoke(function, std::move(request)));
  }
  // Queues an Event invocation (retried per maximum_retry_attempts); returns its request id.
  virtual std::string invoke_async(const std::string& function, std::string payload) = 0;
};

}  // namespace stratus::engine
