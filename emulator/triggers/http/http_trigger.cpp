#include "emulator/triggers/http/http_trigger.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/triggers/http/api_gateway_events.hpp"
#include "emulator/triggers/http/responses.hpp"

namespace stratus::triggers::http {

namespace {

// One request's answer, given once: by the invocation's end or by the integration timeout.
struct Pending {
  std::mutex mutex;
  std::optional<net::Responder> responder;
  std::function<void()> cancel_timeout;  // drops the integration-timeout entry, once answered
  explicit Pending(net::Responder r) : responder(std::move(r)) {}
  void answer(net::Response res) {
    std::optional<net::Responder> taken;
    std::function<void()> cancel;
    {
      std::lock_guard lock(mutex);
      taken.swap(responder);
      cancel.swap(cancel_timeout);
    }
    if (cancel) cancel();
    if (taken) taken->send(std::move(res));
  }
};

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool origin_allowed(const Cors& cors, const std::string& origin) {
  return contains(cors.allow_origins, "*") || contains(cors.allow_origins, origin);
}

// The Access-Control-Allow-Origin value: "*" when any origin may, else the request's own.
std::string allow_origin_value(const Cors& cors, const std::string& origin) {
  if (contains(cors.allow_origins, "*") && !cors.allow_credentials) return "*";
  return origin;
}

bool has_header(const net::Response& res, const std::string& name) {
  return std::any_of(res.headers.begin(), res.headers.end(), [&name](const auto& kv) {
    return kv.first.size() == name.size() &&
           std::equal(kv.first.begin(), kv.first.end(), name.begin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  });
}

// CORS headers on an integration's response (the request carried an allowed Origin).
void add_cors(ApiKind kind, const Cors& cors, const std::string& origin, net::Response& res) {
  if (!cors.enabled || origin.empty() || !origin_allowed(cors, origin)) return;
  if (kind == ApiKind::rest) {
    // serverless-offline adds what the function did not set itself.
    if (!has_header(res, "Access-Control-Allow-Origin"))
      res.headers.emplace_back("Access-Control-Allow-Origin", allow_origin_value(cors, origin));
    if (cors.allow_credentials && !has_header(res, "Access-Control-Allow-Credentials"))
      res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    if (!cors.expose_headers.empty() && !has_header(res, "Access-Control-Expose-Headers"))
      res.headers.emplace_back("Access-Control-Expose-Headers", join(cors.expose_headers, ","));
    return;
  }
  // HTTP API: API Gateway's CORS headers replace the integration's.
  std::erase_if(res.headers, [](const auto& kv) {
    std::string key = kv.first;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return key.rfind("access-control-", 0) == 0;
  });
  res.headers.emplace_back("access-control-allow-origin", allow_origin_value(cors, origin));
  if (cors.allow_credentials) res.headers.emplace_back("access-control-allow-credentials", "true");
  if (!cors.expose_headers.empty())
    res.headers.emplace_back("access-control-expose-headers", join(cors.expose_headers, ","));
}

// The answer to an OPTIONS preflight on a path whose routes have CORS; nullopt when none has.
std::optional<net::Response> preflight(const RouteTable& table, const net::Request& request, ApiKind kind) {
  const std::string origin = request.header("origin");
  if (request.method != "OPTIONS" || origin.empty() || !request.has_header("access-control-request-method"))
    return std::nullopt;
  const Cors* cors = nullptr;
  std::vector<std::string> methods;
  if (kind == ApiKind::function_url)  // a Function URL's CORS is its function's
    if (auto m = table.match(request.method, request.path); m && m->route->cors.enabled)
      cors = &m->route->cors;
  for (const RouteSpec* r : table.routes_for_path(kind, request.path)) {
    if (!r->cors.enabled || kind == ApiKind::function_url) continue;
    cors = &r->cors;
    if (!contains(methods, r->method)) methods.push_back(r->method);
  }
  if (kind == ApiKind::http_api && !cors)  // HTTP API CORS is the API's: any path
    for (const auto& r : table.routes())
      if (r.kind == ApiKind::http_api && r.cors.enabled) cors = &r.cors;
  if (!cors) return std::nullopt;
  net::Response res;
  if (kind == ApiKind::rest) {
    // Serverless's MOCK OPTIONS method: 200, the configured headers, OPTIONS and the path's methods.
    res.status = 200;
    if (origin_allowed(*cors, origin))
      res.headers.emplace_back("Access-Control-Allow-Origin",
                               cors->allow_origins.size() == 1 ? cors->allow_origins.front() : origin);
    res.headers.emplace_back("Access-Control-Allow-Headers", join(cors->allow_headers, ","));
    std::vector<std::string> allow = cors->allow_methods;
    if (allow.empty()) {
      allow.push_back("OPTIONS");
      for (const auto& m : methods) allow.push_back(m == "ANY" ? "DELETE,GET,HEAD,PATCH,POST,PUT" : m);
    }
    res.headers.emplace_back("Access-Control-Allow-Methods", join(allow, ","));
    if (cors->allow_credentials) res.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    if (cors->max_age >= 0) res.headers.emplace_back("Access-Control-Max-Age", std::to_string(cors->max_age));
    return res;
  }
  // HTTP API answers every preflight itself: 204, headers only for an allowed origin.
  res.status = 204;
  if (!origin_allowed(*cors, origin)) return res;
  res.headers.emplace_back("access-control-allow-origin", allow_origin_value(*cors, origin));
  res.headers.emplace_back("access-control-allow-methods",
                           cors->allow_methods.empty() ? "*" : join(cors->allow_methods, ","));
  res.headers.emplace_back("access-control-allow-headers", join(cors->allow_headers, ","));
  if (!cors->expose_headers.empty())
    res.headers.emplace_back("access-control-expose-headers", join(cors->expose_headers, ","));
  if (cors->allow_credentials) res.headers.emplace_back("access-control-allow-credentials", "true");
  if (cors->max_age >= 0) res.headers.emplace_back("access-control-max-age", std::to_string(cors->max_age));
  return res;
}

// The response for a finished invocation.
// `binary_accept`: REST decodes a base64 body (the request's first Accept type is binary to the API).
net::Response integration_response(const RouteSpec& route, const engine::InvokeResult& result,
                                   bool binary_accept) {
  if (result.status == engine::InvokeStatus::throttled)
    return gateway_error(route.kind, GatewayError::throttled);
  if (route.lambda_integration) {
    // Serverless's integration responses: a function error whose message holds "[400]", "[401]",
    // "[403]", "[404]", "[422]", "[500]", "[502]" or "[504]" gets that status; anything else, the
    // default 200. The body is the result, or the error, as the function gave it.
    net::Response res;
    res.body = result.payload;
    if (result.status == engine::InvokeStatus::function_error) {
      const auto error = nlohmann::json::parse(result.payload, nullptr, false);
      const std::string message =
          error.is_object() && error.contains("errorMessage") && error["errorMessage"].is_string()
              ? error["errorMessage"].get<std::string>()
              : "";
      for (int code : {400, 401, 403, 404, 422, 500, 502, 504})
        if (message.find("[" + std::to_string(code) + "]") != std::string::npos) {
          res.status = code;
          break;
        }
    }
    return res;
  }
  if (result.status == engine::InvokeStatus::function_error)
    return gateway_error(route.kind, GatewayError::integration_failure);
  std::optional<net::Response> mapped;
  if (route.kind == ApiKind::rest)
    mapped = map_v1_response(result.payload, true, binary_accept);
  else if (route.kind == ApiKind::http_api && route.payload == "1.0")
    mapped = map_v1_response(result.payload, false);
  else
    mapped = map_v2_response(result.payload);
  return mapped ? std::move(*mapped) : gateway_error(route.kind, GatewayError::integration_failure);
}

}  // namespace

// Answers requests whose function runs past the integration timeout. One thread; idle unless a
// function's timeout is longer than the API's.
struct HttpTrigger::Timer {
  using Clock = std::chrono::steady_clock;
  std::mutex mutex;
  std::condition_variable changed;
  using Key = std::pair<Clock::time_point, std::uint64_t>;  // when, and a sequence number
  std::map<Key, std::pair<std::weak_ptr<Pending>, net::Response>> due;
  std::uint64_t sequence = 0;
  bool stopping = false;
  std::thread thread;

  Timer() : thread([this] { run(); }) {}
  ~Timer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    changed.notify_all();
    thread.join();
  }
  // The entry goes when the invocation answers first (a busy API would otherwise keep one per
  // request for the whole integration timeout).
  void add(Clock::time_point when, const std::shared_ptr<Pending>& pending, net::Response res) {
    Key key;
    bool earliest;
    {
      std::lock_guard lock(mutex);
      key = Key{when, ++sequence};
      due.emplace(key, std::make_pair(std::weak_ptr<Pending>(pending), std::move(res)));
      earliest = due.begin()->first == key;
    }
    if (earliest) changed.notify_all();  // else the timer already wakes before it is due
    std::lock_guard lock(pending->mutex);
    if (pending->responder)
      pending->cancel_timeout = [this, key] {
        std::lock_guard timer_lock(mutex);
        due.erase(key);
      };
    else
      cancel(key);  // answered already
  }
  void cancel(const Key& key) {
    std::lock_guard lock(mutex);
    due.erase(key);
  }
  void run() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      if (due.empty()) {
        changed.wait(lock);
        continue;
      }
      if (changed.wait_until(lock, due.begin()->first.first) == std::cv_status::no_timeout && !stopping)
        continue;
      while (!due.empty() && due.begin()->first.first <= Clock::now()) {
        auto [pending, res] = std::move(due.begin()->second);
        due.erase(due.begin());
        if (auto alive = pending.lock()) {
          lock.unlock();
          alive->answer(std::move(res));
          lock.lock();
        }
      }
    }
  }
};

HttpTrigger::HttpTrigger(engine::Dispatcher& dispatcher, RouteTable table, HttpTriggerOptions options)
    : m_dispatcher(dispatcher),
      m_table(std::move(table)),
      m_options(std::move(options)),
      m_timer(std::make_unique<Timer>()) {}

HttpTrigger::~HttpTrigger() = default;

std::size_t HttpTrigger::pending_timeouts() const {
  std::lock_guard lock(m_timer->mutex);
  return m_timer->due.size();
}

net::ServerOptions HttpTrigger::server_options() {
  net::ServerOptions options;
  options.limits.body_keep = kMaxApiPayloadBytes + 1;
  options.limits.body_max = 64 * 1024 * 1024;
  options.port_flag = "--http-port";
  // handle() never blocks over the Engine (invoke_then returns at once): one event loop serves it.
  options.event_loop = true;
  return options;
}

void HttpTrigger::handle(const net::Request& request, net::Responder responder) {
  const std::string api_request_id = new_request_id();
  const auto kind = m_table.api_for(request.path).value_or(ApiKind::http_api);
  auto finish = [api_request_id](ApiKind k, net::Response& res) {
    res.headers.emplace_back(k == ApiKind::rest ? "x-amzn-RequestId" : "apigw-requestid", api_request_id);
  };
  auto fail = [&](ApiKind k, GatewayError error) {
    net::Response res = gateway_error(k, error);
    finish(k, res);
    responder.send(std::move(res));
  };
  if (request.body_size > kMaxApiPayloadBytes) return fail(kind, GatewayError::too_large);
  if (auto res = preflight(m_table, request, kind)) {
    finish(kind, *res);
    return responder.send(std::move(*res));
  }
  auto match = m_table.match(request.method, request.path);
  if (!match) return fail(kind, GatewayError::not_found);
  const RouteSpec& route = *match->route;

  ApiRequest api;
  api.method = request.method;
  // HTTP APIs hand the function the path percent-decoded (2.0's rawPath and http.path, 1.0's path);
  // REST APIs and Function URLs keep it as sent.
  api.path = route.kind == ApiKind::http_api ? net::wire::percent_decode(match->path, false) : match->path;
  api.raw_query = request.query;
  api.headers = request.headers;
  api.body = request.body;
  if (!request.peer.empty()) api.source_ip = request.peer;
  api.time_ms = unix_ms_now();
  bool binary_accept = false;
  if (route.kind == ApiKind::rest && !m_options.binary_media_types.empty()) {
    api.binary = binary_media_type(m_options.binary_media_types, request.header("content-type"));
    const std::string accept = request.header("accept");
    binary_accept = binary_media_type(m_options.binary_media_types, accept.substr(0, accept.find(',')));
  }
  ApiRoute api_route;
  api_route.resource = route.kind == ApiKind::function_url || route.path == "*" ? "$default" : route.path;
  api_route.route_key = RouteTable::route_key(route);
  api_route.path_parameters = match->path_parameters;
  ApiContext context;
  context.account_id = m_options.account_id;
  context.request_id = api_request_id;
  const std::string host = request.header("host");
  context.domain_name = host.empty() ? "localhost" : host.substr(0, host.find(':'));
  engine::InvokeRequest invoke;
  switch (route.kind) {
    case ApiKind::rest:
      api_route.stage = m_table.stage();
      if (route.lambda_integration) {
        const auto body = nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
        if (body.is_discarded()) return fail(route.kind, GatewayError::bad_json);
        invoke.payload = lambda_integration_event(api, api_route, body.dump());
      } else {
        invoke.payload = rest_event(api, api_route, context);
      }
      break;
    case ApiKind::http_api:
      invoke.payload = route.payload == "1.0" ? rest_event(api, api_route, context, true)
                                              : http_api_event(api, api_route, context);
      break;
    case ApiKind::function_url:
      context.api_id = route.display_name;
      context.domain_name = route.display_name + ".lambda-url." + m_options.region + ".localhost";
      invoke.payload = http_api_event(api, api_route, context);
      break;
  }
  if (invoke.payload.size() > kMaxLambdaPayloadBytes) return fail(route.kind, GatewayError::too_large);

  auto pending = std::make_shared<Pending>(std::move(responder));
  const std::string origin = request.header("origin");
  const auto integration_timeout =
      route.kind == ApiKind::rest ? m_options.rest_timeout : m_options.http_api_timeout;
  if (!m_options.no_timeout && route.kind != ApiKind::function_url &&
      std::chrono::milliseconds(route.timeout_ms) > integration_timeout) {
    net::Response res = gateway_error(route.kind, GatewayError::integration_timeout);
    finish(route.kind, res);
    m_timer->add(Timer::Clock::now() + integration_timeout, pending, std::move(res));
  }
  try {
    m_dispatcher.invoke_then(route.function, std::move(invoke),
                             [pending, &route, origin, finish, binary_accept](engine::InvokeResult result) {
                               net::Response res = integration_response(route, result, binary_accept);
                               add_cors(route.kind, route.cors, origin, res);
                               finish(route.kind, res);
                               pending->answer(std::move(res));
                             });
  } catch (const std::exception&) {
    net::Response res = gateway_error(route.kind, GatewayError::integration_failure);
    finish(route.kind, res);
    pending->answer(std::move(res));
  }
}

}  // namespace stratus::triggers::http
