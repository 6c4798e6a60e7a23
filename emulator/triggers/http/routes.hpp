#pragma once
// The routes of the HTTP trigger and the matcher that picks one for a request, as API Gateway does.
//
// URLs on the one HTTP port:
//   REST API (`http` events)       /{stage}/path  (just /path with prepend_stage false)
//   HTTP API (`httpApi` events)    /path          (the $default stage)
//   Function URL (`url: true`)     /_url/{function}/path   (the handler sees rawPath /path)
// serverless-offline's `prefix` goes before the first two: /{prefix}/{stage}/path, /{prefix}/path.
// A request under /_url/ is a Function URL; else one under /{stage}/ (or any, with
// noPrependStageInUrl) is tried on the REST routes first, then on the HTTP API routes. When none
// matches, the first API tried answers: REST 403 (Missing Authentication Token), HTTP API 404.
//
// Matching: the path's segments against each route's: a static segment beats {param}, which
// beats {greedy+} (compared left to right, as API Gateway picks the most specific route); a route
// with the exact method beats ANY ("*" on HTTP APIs); HTTP API's $default takes what nothing else
// does. {param} matches one non-empty segment, {proxy+} one or more. Parameters are percent-decoded.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::triggers::http {

enum class ApiKind { rest, http_api, function_url };

// CORS as API Gateway answers it: the preflight (OPTIONS with Origin) and the headers on responses.
struct Cors {
  bool enabled = false;
  std::vector<std::string> allow_origins = {"*"};
  std::vector<std::string> allow_headers = {"Content-Type", "X-Amz-Date",           "Authorization",
                                            "X-Api-Key",    "X-Amz-Security-Token", "X-Amz-User-Agent"};
  std::vector<std::string> allow_methods;  // empty: the route's methods (REST) or "*" (HTTP API)
  std::vector<std::string> expose_headers;
  bool allow_credentials = false;
  int max_age = -1;  // seconds; -1 = not sent
};

struct RouteSpec {
  ApiKind kind = ApiKind::http_api;
  std::string method = "*";     // upper case; "ANY" (REST) or "*" (HTTP API, Function URL) for any
  std::string path = "/";       // "/items/{id}", "/{proxy+}"; "*" = HTTP API $default; "" for a Function URL
  std::string function;         // deployed name
  std::string display_name;     // short name (Function URL prefix, banner)
  std::string payload = "2.0";  // HTTP API: "1.0" or "2.0"
  bool lambda_integration = false;  // REST `integration: lambda` (non-proxy)
  Cors cors;
  int timeout_ms = 0;  // the function's timeout (for the integration timeout check)
};

struct RouteMatch {
  const RouteSpec* route = nullptr;
  std::map<std::string, std::string> path_parameters;
  std::string path;  // the request path the event sees: without the stage or the Function URL prefix
};

inline constexpr std::string_view kFunctionUrlPrefix = "/_url/";

class RouteTable {
 public:
  // `prefix` (serverless-offline's option): a path segment before REST and HTTP API routes, "api"
  // serves "/api/dev/items"; "" none.
  RouteTable(std::vector<RouteSpec> routes, std::string stage, bool prepend_stage, std::string prefix = "");

  const std::vector<RouteSpec>& routes() const { return m_routes; }
  const std::string& stage() const { return m_stage; }
  bool prepend_stage() const { return m_prepend_stage; }

  // Which API a request path is for (see above); nullopt when no API of the table can take it.
  std::optional<ApiKind> api_for(std::string_view path) const;
  // The best route for method + path (percent-encoded, as sent), or nullopt.
  std::optional<RouteMatch> match(std::string_view method, std::string_view path) const;
  // The routes of `kind` on the resource the path resolves to, the most specific that matches (any
  // method), and HTTP API's $default: for CORS preflights.
  std::vector<const RouteSpec*> routes_for_path(ApiKind kind, std::string_view path) const;

  // The URL path a route is served at: "/dev/items/{id}", "/items/{id}", "/_url/fn/" (after the
  // prefix, when there is one).
  std::string url_path(const RouteSpec& route) const;
  // "GET /items/{id}", "$default"; REST: "/items/{id}" (its resource).
  static std::string route_key(const RouteSpec& route);

 private:
  std::vector<ApiKind> apis_for(std::string_view path) const;
  // The path the routes of `kind` see, or nullopt when the prefix does not fit.
  std::optional<std::string> strip(ApiKind kind, std::string_view path, std::string* function) const;

  std::vector<RouteSpec> m_routes;
  std::string m_stage;
  bool m_prepend_stage;
  std::string m_prefix;  // "" or "/api"
};

// Matches one route path against request segments; the rank vector orders candidates (greater is
// more specific). Exposed for tests.
std::optional<std::vector<int>> match_path(std::string_view pattern, std::string_view path,
                                           std::map<std::string, std::string>* parameters);

}  // namespace stratus::triggers::http
