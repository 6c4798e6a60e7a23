#pragma once
// `stratus invoke -f FN` against a remote platform (AWS Lambda or `stratus serve`): the Invoke
// call (POST /2015-03-31/functions/{name}/invocations) and how its answer is read and shown, like
// `sls invoke`. Separate from the command so both halves are tested without a server.
#include <optional>
#include <string>

#include "cli/providers/aws/client.hpp"

namespace stratus::remote {

struct InvokeCall {
  std::string function_name;             // the deployed name
  std::string payload = "{}";            // the event, JSON
  std::string type = "RequestResponse";  // RequestResponse | Event | DryRun
  std::string qualifier;                 // "" = none ($LATEST)
  bool tail_log = false;  // X-Amz-Log-Type: Tail (RequestResponse only; AWS refuses it otherwise)
};

// The signed-to-be request: path with the name percent-encoded, Qualifier in the query, the
// X-Amz-Invocation-Type and X-Amz-Log-Type headers, the payload as the body.
aws::Request invoke_request(const InvokeCall& call);

struct InvokeOutcome {
  int status_code = 0;             // 200, 202 (Event), 204 (DryRun)
  std::string function_error;      // X-Amz-Function-Error ("Unhandled"); "" when the function succeeded
  std::string executed_version;    // X-Amz-Executed-Version
  std::string payload;             // the body, verbatim
  std::optional<std::string> log;  // X-Amz-Log-Result decoded (the last 4 KB of the log)
};

// Reads a 2xx Invoke answer. A service error (4xx/5xx) is not an outcome: see invoke_error.
InvokeOutcome read_invoke_response(const aws::Response& response);

// The UserError (exit 1) for a failed Invoke call: the AWS error described, and for an unknown
// function the fix ("deploy it first").
UserError invoke_error(const aws::AwsError& error, const std::string& function_key,
                       const std::string& function_name);

// --json: {"StatusCode", "FunctionError"?, "ExecutedVersion"?, "Payload" (parsed when it is
// JSON, else the text; null when empty), "LogResult"? (decoded)}, two-space indented.
std::string outcome_json(const InvokeOutcome& outcome);

}  // namespace stratus::remote
