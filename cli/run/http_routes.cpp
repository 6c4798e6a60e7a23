#include "cli/run/http_routes.hpp"

#include <algorithm>

#include "cli/manifest/model.hpp"

namespace stratus::run {

namespace {

using triggers::http::ApiKind;
using triggers::http::Cors;
using triggers::http::RouteSpec;

bool flag(const manifest::Value* v) {
  return v && v->is_bool() && v->as_bool();
}

// A string or a list of strings; "a,b" splits.
std::vector<std::string> strings(const manifest::Value* v) {
  std::vector<std::string> out;
  if (!v) return out;
  auto add = [&out](const std::string& text) {
    for (std::size_t at = 0; at <= text.size();) {
      std::size_t end = text.find(',', at);
      if (end == std::string::npos) end = text.size();
      std::string one = text.substr(at, end - at);
      one.erase(0, one.find_first_not_of(' '));
      one.erase(one.find_last_not_of(' ') + 1);
      if (!one.empty()) out.push_back(one);
      at = end + 1;
    }
  };
  if (v->is_scalar() && !v->is_null()) add(v->as_string());
  if (v->is_sequence())
    for (const auto& item : v->items())
      if (item.is_scalar()) add(item.as_string());
  return out;
}

int number(const manifest::Value* v, int fallback) {
  return v && v->is_number() ? static_cast<int>(v->as_int()) : fallback;
}

// provider.httpApi.cors / url.cors: true or the object form.
Cors http_api_cors(const manifest::Value* v) {
  Cors cors;
  if (!v || !(flag(v) || v->is_map())) return cors;
  cors.enabled = true;
  cors.allow_headers.push_back("X-Amzn-Trace-Id");
  if (!v->is_map()) return cors;
  if (auto o = strings(v->find("allowedOrigins")); !o.empty()) cors.allow_origins = o;
  if (auto h = strings(v->find("allowedHeaders")); !h.empty()) cors.allow_headers = h;
  cors.allow_methods = strings(v->find("allowedMethods"));
  cors.expose_headers = strings(v->find("exposedResponseHeaders"));
  cors.allow_credentials = flag(v->find("allowCredentials"));
  cors.max_age = number(v->find("maxAge"), -1);
  return cors;
}

// An `http` event's cors: true or {origin, origins, headers, allowCredentials, maxAge, methods}.
Cors rest_cors(const manifest::Value& event, const Cors& defaults) {
  const manifest::Value* v = event.is_map() ? event.find("cors") : nullptr;
  if (!v || !(flag(v) || v->is_map())) return {};
  Cors cors = defaults;
  cors.enabled = true;
  if (!v->is_map()) return cors;
  if (auto o = strings(v->find("origins")); !o.empty()) cors.allow_origins = o;
  if (auto o = strings(v->find("origin")); !o.empty()) cors.allow_origins = o;
  if (auto h = strings(v->find("headers")); !h.empty()) cors.allow_headers = h;
  if (auto m = strings(v->find("methods")); !m.empty()) cors.allow_methods = m;
  if (const auto* c = v->find("allowCredentials")) cors.allow_credentials = flag(c);
  cors.max_age = number(v->find("maxAge"), -1);
  return cors;
}

}  // namespace

HttpRoutes http_routes(const manifest::Service& service) {
  HttpRoutes out;
  out.stage = service.provider.stage;
  Cors rest_defaults;
  if (const manifest::Value* so = service.custom.find("serverless-offline"); so && so->is_map()) {
    out.prepend_stage = !flag(so->find("noPrependStageInUrl"));
    out.no_timeout = flag(so->find("noTimeout"));
    if (const manifest::Value* prefix = so->find("prefix");
        prefix && prefix->is_scalar() && !prefix->is_null())
      out.prefix = prefix->as_string();
    if (auto o = strings(so->find("corsAllowOrigin")); !o.empty()) rest_defaults.allow_origins = o;
    if (auto h = strings(so->find("corsAllowHeaders")); !h.empty()) rest_defaults.allow_headers = h;
    rest_defaults.expose_headers = strings(so->find("corsExposedHeaders"));
  }
  out.binary_media_types = strings(service.provider.api_gateway.find("binaryMediaTypes"));
  const Cors api_cors = http_api_cors(service.provider.http_api.find("cors"));
  for (const auto& fn : service.functions) {
    auto base = [&fn] {
      RouteSpec r;
      r.function = fn.name;
      r.display_name = fn.key;
      r.timeout_ms = fn.timeout * 1000;
      return r;
    };
    for (const auto& event : fn.events) {
      if (const auto* http = std::get_if<manifest::HttpEvent>(&event.detail)) {
        if (http->integration != "lambda-proxy" && http->integration != "lambda") {
          out.warnings.push_back("functions." + fn.key + ": http " + http->method + " " + http->path +
                                 " uses integration '" + http->integration + "', which is not run locally");
          continue;
        }
        RouteSpec r = base();
        r.kind = ApiKind::rest;
        r.method = http->method;
        r.path = http->path;
        r.lambda_integration = http->integration == "lambda";
        r.cors = rest_cors(event.raw, rest_defaults);
        out.routes.push_back(std::move(r));
      } else if (const auto* api = std::get_if<manifest::HttpApiEvent>(&event.detail)) {
        RouteSpec r = base();
        r.kind = ApiKind::http_api;
        r.method = api->method;
        r.path = api->path;
        r.payload = api->payload.empty() ? "2.0" : api->payload;
        r.cors = api_cors;
        out.routes.push_back(std::move(r));
      }
    }
    if (fn.url && (flag(&*fn.url) || fn.url->is_map())) {
      RouteSpec r = base();
      r.kind = ApiKind::function_url;
      r.method = "*";
      r.path = "";
      if (fn.url->is_map()) r.cors = http_api_cors(fn.url->find("cors"));
      out.routes.push_back(std::move(r));
    }
  }
  // Without allowedMethods, Serverless deploys the HTTP API's CORS with OPTIONS and the methods of
  // its routes (ANY as *).
  if (api_cors.enabled && api_cors.allow_methods.empty()) {
    std::vector<std::string> methods{"OPTIONS"};
    for (const auto& r : out.routes)
      if (r.kind == ApiKind::http_api && std::find(methods.begin(), methods.end(), r.method) == methods.end())
        methods.push_back(r.method);
    for (auto& r : out.routes)
      if (r.kind == ApiKind::http_api) r.cors.allow_methods = methods;
  }
  return out;
}

}  // namespace stratus::run
