#include "cli/providers/aws/call.hpp"

namespace stratus::aws {

Response call_checked(Client& client, std::string_view service, const Request& request,
                      std::string_view doing) {
  Response response = client.call(service, request);
  if (response.ok()) return response;
  throw_call_error(response, doing);
}

void throw_call_error(const Response& response, std::string_view doing) {
  AwsError error =
      response.error().value_or(AwsError{response.status, std::to_string(response.status), "", ""});
  throw CallError("cannot " + std::string(doing) + ": " + error.describe(), error);
}

Headers json_target_headers(std::string_view json_version, std::string_view target) {
  return {{"Content-Type", "application/x-amz-json-" + std::string(json_version)},
          {"X-Amz-Target", std::string(target)}};
}

}  // namespace stratus::aws
