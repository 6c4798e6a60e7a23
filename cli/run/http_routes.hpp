#pragma once
// From the service's `http`, `httpApi` and `url` events to the HTTP trigger's route table, with
// serverless-offline's settings (custom.serverless-offline) where they apply:
//   http events      REST API routes at /{provider.stage}/path (noPrependStageInUrl: /path),
//                    binary bodies per provider.apiGateway.binaryMediaTypes,
//                    `cors` true or {origin, origins, headers, allowCredentials, maxAge, methods}
//                    (corsAllowOrigin / corsAllowHeaders / corsExposedHeaders
//                    set what `cors: true` means), `integration: lambda` as JSON passthrough
//   httpApi events   HTTP API routes, payload 2.0 or 1.0, CORS from provider.httpApi.cors (true or
//                    {allowedOrigins, allowedHeaders, allowedMethods, allowCredentials,
//                    exposedResponseHeaders, maxAge})
//   url: true        a Function URL at /_url/{function}/ (url.cors as provider.httpApi.cors)
// `http` events with integrations that need another backend (http, http-proxy, mock) are skipped
// with a warning.
#include <string>
#include <vector>

#include "emulator/triggers/http/routes.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::run {

struct HttpRoutes {
  std::vector<triggers::http::RouteSpec> routes;
  std::string stage;
  bool prepend_stage = true;                    // !noPrependStageInUrl
  bool no_timeout = false;                      // noTimeout
  std::string prefix;                           // prefix: before every REST and HTTP API path
  std::vector<std::string> binary_media_types;  // provider.apiGateway.binaryMediaTypes (REST)
  std::vector<std::string> warnings;
};

HttpRoutes http_routes(const manifest::Service& service);

}  // namespace stratus::run
