#pragma once
// The events API Gateway hands a Lambda proxy integration, built from one HTTP request (spec 3.1,
// 3.2, 3.3): REST APIs (payload 1.0), HTTP APIs (payload 2.0, or 1.0 when asked) and Function URLs
// (2.0). Shared by the HTTP trigger and `stratus generate-event`.
//
// 1.0: header names as sent; single-value maps hold the last value, multiValue* all of them; absent
//      query, path and stage maps are null; requestContext.path carries the stage.
// 2.0: header names lower-cased, repeats comma-joined (Cookie moves to cookies[]); query values
//      comma-joined; absent maps, cookies and body are omitted; rawPath carries a named stage.
// A body that is not UTF-8 text or that the API treats as binary (1.0: its Content-Type is one of
// the REST API's binaryMediaTypes), or whose Content-Type is not textual (2.0), is base64 with
// isBase64Encoded true.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/net/http_wire.hpp"

namespace stratus::triggers::http {

struct ApiRequest {
  std::string method = "GET";
  std::string path = "/";  // without the stage, percent-encoded as sent
  std::string raw_query;   // after '?', as sent; "" for none
  net::wire::Fields headers;
  std::string body;
  bool binary = false;  // 1.0: the API treats this body as binary (binary_media_type of its Content-Type)
  std::string source_ip = "127.0.0.1";
  std::int64_t time_ms = 0;  // when it arrived (Unix ms)
};

struct ApiRoute {
  std::string resource = "/";  // "/items/{id}", "/{proxy+}"; 2.0 routeKey "GET /items/{id}", "$default"
  std::string route_key = "$default";
  std::map<std::string, std::string> path_parameters;  // decoded
  std::string stage = "$default";                      // 1.0: "dev"; 2.0: "$default" or a name
};

struct ApiContext {
  std::string account_id = "000000000000";
  std::string api_id = "offline";
  std::string domain_name = "localhost";
  std::string request_id;  // "" = a new one
};

std::string rest_event(const ApiRequest& request, const ApiRoute& route, const ApiContext& context,
                       bool http_api_v1 = false);  // HTTP API payload 1.0 adds "version":"1.0"
std::string http_api_event(const ApiRequest& request, const ApiRoute& route, const ApiContext& context);
// An `integration: lambda` (non-proxy) REST method's event, as Serverless's default request template
// renders it: {body (the JSON body, `body_json`), method, principalId, stage, cognitoPoolClaims,
// enhancedAuthContext, headers, query, path, identity, stageVariables, requestPath}. No authorizer
// runs here: principalId and the claims are "".
std::string lambda_integration_event(const ApiRequest& request, const ApiRoute& route,
                                     std::string_view body_json);

// Whether a REST API with these binaryMediaTypes ("image/png", "image/*", "*/*") treats a media type
// as binary: a request's Content-Type (its body reaches the function base64-encoded), or the first
// type of a request's Accept header (a response's base64 body is decoded). Parameters (";
// charset=…") and case do not count.
bool binary_media_type(const std::vector<std::string>& binary_media_types, std::string_view media_type);

// "09/Apr/2015:12:34:56 +0000", the requestTime / time fields.
std::string api_gateway_time(std::int64_t unix_ms);

}  // namespace stratus::triggers::http
