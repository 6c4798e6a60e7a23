#pragma once
// One AWS call whose failure ends the command: the typed wrappers (API Gateway v2, EventBridge, Lambda
// triggers, SQS, S3 notifications) send through here, so every failure names what was being done.
#include <string_view>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

// An AWS call that answered with an error. Exit code 1 (the remote call failed); the message is
// "cannot <doing>: <Code>: <message> (HTTP <status>, request id <id>)".
class CallError : public UserError {
 public:
  CallError(const std::string& message, AwsError error)
      : UserError(message, kExitFailure), m_error(std::move(error)) {}
  const AwsError& error() const { return m_error; }

 private:
  AwsError m_error;
};

// The response when it is 2xx; otherwise throws CallError. `doing` reads after "cannot":
// "create HTTP API dev-svc".
Response call_checked(Client& client, std::string_view service, const Request& request,
                      std::string_view doing);

// Throws the CallError `response` (not 2xx) carries.
[[noreturn]] void throw_call_error(const Response& response, std::string_view doing);

// Headers for the JSON protocols: "application/x-amz-json-1.1" (or 1.0) with X-Amz-Target `target`.
Headers json_target_headers(std::string_view json_version, std::string_view target);

}  // namespace stratus::aws
