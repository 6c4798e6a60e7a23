#pragma once
// The Lambda Invoke API (REST-JSON, API version 2015-03-31) over a Dispatcher, so `aws lambda
// invoke --endpoint-url`, boto3 and the JS SDK work against the emulator (spec section 2).
//
//   POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]   Invoke
//   GET  /2015-03-31/functions[/][?Marker=&MaxItems=]                     ListFunctions (50 a page)
//   GET  /2015-03-31/functions/{FunctionName}[?Qualifier=]               GetFunction
//   GET  /2015-03-31/functions/{FunctionName}/configuration[?Qualifier=] GetFunctionConfiguration
//
// {FunctionName} is a name, a full or partial ARN, each with an optional ":qualifier", percent-
// encoded or not. Only $LATEST (and the function's own version) exist here, unless
// InvokeApiOptions::qualifier_key knows more (`stratus serve`'s versions and aliases).
//
// Invoke: X-Amz-Invocation-Type RequestResponse (200, the function's bytes verbatim,
// X-Amz-Function-Error on a function error, X-Amz-Executed-Version), Event (202 via
// Dispatcher::invoke_async), DryRun (204). X-Amz-Log-Type: Tail adds X-Amz-Log-Result, the base64
// of the last 4 KB of the log. An empty body is the event {} (as Lambda passes it).
//
// Service errors carry `x-amzn-ErrorType: <Code>` and {"Type":"User","message":...}
// (ResourceNotFoundException: "Message"), which botocore turns into the modelled exceptions:
//   unknown function or qualifier                    404 ResourceNotFoundException
//   body not JSON, bad X-Amz-Client-Context          400 InvalidRequestContentException
//   bad invocation/log type, MaxItems, Marker        400 InvalidParameterValueException
//   body over 6,291,456 B (sync) / 1,048,576 B (Event) 413 RequestEntityTooLargeException
//   InvokeStatus::throttled                          429 TooManyRequestsException + Reason,
//                                                        Retry-After
//   a path that is no operation                      404 UnknownOperationException
//   an operation's path with another method          405 MethodNotAllowedException (+ Allow)
// Every response carries X-Amzn-RequestId.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/net/http_server.hpp"

namespace stratus::triggers {

inline constexpr std::size_t kMaxSyncPayloadBytes = 6291456;   // 6 MiB
inline constexpr std::size_t kMaxEventPayloadBytes = 1048576;  // 1 MiB
inline constexpr std::size_t kLogTailBytes = 4096;

struct InvokeApiOptions {
  std::string region = "us-east-1";  // for ARNs of functions that are not found
  std::string account_id = "000000000000";
  std::string role_arn = "arn:aws:iam::000000000000:role/stratus-local-role";  // Role in configs
  std::chrono::system_clock::time_point last_modified = std::chrono::system_clock::now();
  // Where Invoke finds a qualifier other than $LATEST (`stratus serve`'s versions and aliases): the
  // engine key of the function that runs (function name, qualifier), or nullopt when there is no
  // such version or alias (404). Unset: only $LATEST and the function's own version exist.
  std::function<std::optional<std::string>(const std::string& function, const std::string& qualifier)>
      qualifier_key;
};

class InvokeApi {
 public:
  explicit InvokeApi(engine::Dispatcher& dispatcher, InvokeApiOptions options = {});

  // Answers one request; thread-safe as the Dispatcher is. Never throws for bad input.
  net::Response handle(const net::Request& request) const;
  // The same, for net::AsyncHandler: a RequestResponse invocation answers from the thread that
  // runs it (Dispatcher::invoke_then), so this thread is free again as soon as it is queued.
  void handle_async(const net::Request& request, net::Responder responder) const;

  // The wire limits a server in front of this API needs: bodies up to the sync cap are kept,
  // larger ones counted so the 413 can be AWS's; an event loop serves it (handle_async never blocks
  // over the Engine).
  static net::ServerOptions server_options();

 private:
  engine::Dispatcher& m_dispatcher;
  InvokeApiOptions m_options;
};

}  // namespace stratus::triggers
