#pragma once
// From a Lambda result to the HTTP response API Gateway sends (spec 3.1, 3.2), and API Gateway's
// own error answers.
//
// Payload 2.0 (HTTP API, Function URL): an object with statusCode is the response (headers,
// cookies[] -> one Set-Cookie each, body, isBase64Encoded decoded; other keys ignored). Any other
// JSON (an object without statusCode, an array, a number, a string) is a 200 application/json whose
// body is that JSON; a JSON string gives its text.
// Payload 1.0: {statusCode, headers, multiValueHeaders, body, isBase64Encoded} (REST also takes the
// legacy base64Encoded; a REST API decodes a base64 body only when the request's Accept header names
// one of its binaryMediaTypes, else sends the base64 text as it is: `decode_base64` false). headers
// and multiValueHeaders merge; on a conflict the multi values win,
// each sent as its own header line. REST is strict: anything but that object (a missing or
// non-numeric statusCode, a body that is not a string, an unknown key) is malformed -> nullopt; an
// HTTP API on 1.0 ignores unknown keys.
#include <optional>
#include <string>

#include "emulator/net/http_server.hpp"
#include "emulator/triggers/http/routes.hpp"

namespace stratus::triggers::http {

enum class GatewayError {
  not_found,            // REST 403 Missing Authentication Token, HTTP API 404 Not Found
  integration_failure,  // function error / malformed response: REST 502, HTTP API 500, URL 502
  throttled,            // REST 500, HTTP API 503, URL 429
  integration_timeout,  // REST 504 Endpoint request timed out, HTTP API 503
  too_large,            // 413
  bad_json,             // REST `lambda` integration: a body that is not JSON -> 400
};

net::Response gateway_error(ApiKind kind, GatewayError error);

std::optional<net::Response> map_v2_response(const std::string& payload);  // nullopt: malformed
std::optional<net::Response> map_v1_response(const std::string& payload, bool strict,
                                             bool decode_base64 = true);

}  // namespace stratus::triggers::http
