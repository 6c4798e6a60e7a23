#include "cli/remote/invoke.hpp"

#include <nlohmann/json.hpp>

#include "emulator/auth/sigv4.hpp"
#include "emulator/common/base64.hpp"

namespace stratus::remote {

aws::Request invoke_request(const InvokeCall& call) {
  aws::Request r;
  r.method = "POST";
  r.path = "/2015-03-31/functions/" + auth::uri_encode(call.function_name) + "/invocations";
  if (!call.qualifier.empty()) r.query.emplace_back("Qualifier", call.qualifier);
  r.headers = {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", call.type}};
  if (call.tail_log && call.type == "RequestResponse") r.headers.emplace_back("X-Amz-Log-Type", "Tail");
  r.body = call.payload;
  return r;
}

InvokeOutcome read_invoke_response(const aws::Response& response) {
  InvokeOutcome out;
  out.status_code = response.status;
  out.function_error = response.header("X-Amz-Function-Error");
  out.executed_version = response.header("X-Amz-Executed-Version");
  out.payload = response.body;
  const std::string log = response.header("X-Amz-Log-Result");
  if (!log.empty()) {
    // A log that does not decode is shown as sent rather than lost.
    out.log = base64_decode(log).value_or(log);
  }
  return out;
}

UserError invoke_error(const aws::AwsError& error, const std::string& function_key,
                       const std::string& function_name) {
  std::string message = "invoke " + function_key + " (" + function_name + ") failed: " + error.describe();
  if (error.code == "ResourceNotFoundException")
    message += "\n  the function is not deployed there: deploy it first (stratus deploy)";
  return UserError(message, kExitFailure);
}

std::string outcome_json(const InvokeOutcome& outcome) {
  nlohmann::ordered_json doc;
  doc["StatusCode"] = outcome.status_code;
  if (!outcome.function_error.empty()) doc["FunctionError"] = outcome.function_error;
  if (!outcome.executed_version.empty()) doc["ExecutedVersion"] = outcome.executed_version;
  if (outcome.payload.empty())
    doc["Payload"] = nullptr;
  else if (nlohmann::json::accept(outcome.payload))
    doc["Payload"] = nlohmann::ordered_json::parse(outcome.payload);
  else
    doc["Payload"] = outcome.payload;
  if (outcome.log) doc["LogResult"] = *outcome.log;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace stratus::remote
