#pragma once
// AWS error responses, read the way botocore reads them, whatever the service's protocol:
//   - rest-json / json (Lambda, API Gateway v2, EventBridge, Logs): the `x-amzn-ErrorType` header
//     ("Code:extra"), else the body's `__type` ("prefix#Code"), `code` or `Code`; the message from
//     `message`, `Message` or `errorMessage`;
//   - query / rest-xml (IAM, STS, S3): `<Error><Code>…</Code><Message>…</Message></Error>`,
//     also inside `<ErrorResponse>`;
//   - anything else: the status as the code (botocore's fallback).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stratus::aws {

struct AwsError {
  int status = 0;
  std::string code;        // "ResourceNotFoundException", "Throttling", "503"
  std::string message;     // may be empty
  std::string request_id;  // x-amzn-RequestId / x-amz-request-id / <RequestId>

  // Throttling by code (429 is caught by status elsewhere).
  bool is_throttling() const;
  // "ResourceNotFoundException: Function not found: … (HTTP 404, request id …)".
  std::string describe() const;
};

// The error a response carries; nullopt for a 1xx-3xx response.
std::optional<AwsError> parse_aws_error(int status,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body);

}  // namespace stratus::aws
