#pragma once
// The HTTP trigger: API Gateway in front of the functions, on one port (see routes.hpp for the URL
// scheme). One request: route it, build the event (REST payload 1.0, HTTP API 2.0 or 1.0, Function
// URL 2.0), invoke through Dispatcher::invoke_then, map the result as API Gateway does
// (responses.hpp) and answer from the thread the invocation ends on.
//
// What API Gateway answers by itself:
//   body over 10 MB (API Gateway's payload quota)           413
//   an event over Lambda's 6 MB sync payload               413
//   no route                                               REST 403, HTTP API 404
//   function error, malformed response                     REST 502, HTTP API 500, Function URL 502
//   throttled (reservedConcurrency, account limit)         REST 500, HTTP API 503, Function URL 429
//   function timeout beyond the integration timeout        REST 504 at 29 s, HTTP API 503 at 30 s
//     (not with no_timeout; Function URLs wait for the function)
//   OPTIONS preflight on a route with CORS                 REST 200 (Serverless's mock method),
//                                                          HTTP API 204
// CORS headers are added to responses of routes with CORS when the request carries an Origin (REST:
// Access-Control-Allow-Origin only when the function did not set it, as serverless-offline does).
// `integration: lambda` (REST, non-proxy): the JSON body is the event (400 when it is not JSON), the
// function's result the 200 JSON body; a function error is 502.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/triggers/http/routes.hpp"

namespace stratus::triggers::http {

inline constexpr std::size_t kMaxApiPayloadBytes = 10 * 1024 * 1024;  // API Gateway: 10 MB
inline constexpr std::size_t kMaxLambdaPayloadBytes = 6291456;        // Lambda sync invoke: 6 MB

struct HttpTriggerOptions {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::chrono::milliseconds rest_timeout{29000};      // REST integration timeout
  std::chrono::milliseconds http_api_timeout{30000};  // HTTP API integration timeout
  bool no_timeout = false;                            // custom.serverless-offline.noTimeout
  std::vector<std::string> binary_media_types;        // REST: provider.apiGateway.binaryMediaTypes
};

class HttpTrigger {
 public:
  HttpTrigger(engine::Dispatcher& dispatcher, RouteTable table, HttpTriggerOptions options = {});
  ~HttpTrigger();  // answers what still waits for an integration timeout, joins the timer
  HttpTrigger(const HttpTrigger&) = delete;
  HttpTrigger& operator=(const HttpTrigger&) = delete;

  // For net::AsyncHandler; thread-safe. Never throws for bad input.
  void handle(const net::Request& request, net::Responder responder);

  const RouteTable& table() const { return m_table; }
  // Integration timeouts still armed (one per request in flight whose function may outlast it).
  std::size_t pending_timeouts() const;

  // Bodies up to the API Gateway quota are kept, larger ones counted so the 413 is API Gateway's.
  static net::ServerOptions server_options();

 private:
  struct Timer;
  engine::Dispatcher& m_dispatcher;
  RouteTable m_table;
  HttpTriggerOptions m_options;
  std::unique_ptr<Timer> m_timer;
};

}  // namespace stratus::triggers::http
